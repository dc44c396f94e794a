using System;

namespace RoslynPgSync;

/// <summary>A column of a replicated table, as the generator mapped it from a property.</summary>
public sealed class ReplicatedColumn
{
    /// <summary>Creates a column description; called by generated code.</summary>
    /// <param name="memberName">The C# property name.</param>
    /// <param name="name">The PostgreSQL column name.</param>
    /// <param name="pgType">The PostgreSQL type (as <c>format_type</c> spells it, or the <c>Column(TypeName)</c> given).</param>
    /// <param name="isNullable">Whether the column accepts NULL.</param>
    /// <param name="isKey">Whether the column is part of the primary key.</param>
    public ReplicatedColumn(string memberName, string name, string pgType, bool isNullable, bool isKey)
    {
        MemberName = memberName ?? throw new ArgumentNullException(nameof(memberName));
        Name = name ?? throw new ArgumentNullException(nameof(name));
        PgType = pgType ?? throw new ArgumentNullException(nameof(pgType));
        IsNullable = isNullable;
        IsKey = isKey;
    }

    /// <summary>The C# property name.</summary>
    public string MemberName { get; }

    /// <summary>The PostgreSQL column name.</summary>
    public string Name { get; }

    /// <summary>The PostgreSQL type.</summary>
    public string PgType { get; }

    /// <summary>Whether the column accepts NULL.</summary>
    public bool IsNullable { get; }

    /// <summary>Whether the column is part of the primary key.</summary>
    public bool IsKey { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {PgType}{(IsNullable ? string.Empty : " NOT NULL")}";
}
