namespace RoslynPgSync.Generator.Parsing;

/// <summary>A column while the parser still decides the key; reference identity is what the key resolver uses.</summary>
internal sealed class ColumnDraft
{
    public ColumnDraft(string memberName, string columnName, string pgType, bool isNullable, bool hasKeyAttribute, int? order, Microsoft.CodeAnalysis.Location? location)
    {
        Location = location;
        MemberName = memberName;
        ColumnName = columnName;
        PgType = pgType;
        IsNullable = isNullable;
        HasKeyAttribute = hasKeyAttribute;
        Order = order;
    }

    public string MemberName { get; }

    public string ColumnName { get; }

    public string PgType { get; }

    public bool IsNullable { get; }

    public bool HasKeyAttribute { get; }

    /// <summary>Declared <c>T?</c> or <c>Nullable&lt;T&gt;</c> (not merely oblivious).</summary>
    public bool IsDeclaredNullable { get; init; }

    /// <summary>Marked <c>[ConcurrencyCheck]</c> or <c>[Timestamp]</c>: the row's version for conflicts.</summary>
    public bool IsVersion { get; init; }

    /// <summary>Where the member is declared, for diagnostics (never reaches the generator's model).</summary>
    public Microsoft.CodeAnalysis.Location? Location { get; }

    /// <summary><c>[Column(Order = n)]</c>, when given.</summary>
    public int? Order { get; }
}
