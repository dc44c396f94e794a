namespace RoslynPgSync.Generator.Model;

/// <summary>One mapped member of a <c>[Replicate]</c> type.</summary>
/// <param name="MemberName">The C# property name.</param>
/// <param name="ColumnName">The PostgreSQL column name.</param>
/// <param name="PgType">The PostgreSQL type, as <c>format_type</c> spells it for built-in mappings.</param>
/// <param name="IsNullable">Whether the column accepts NULL.</param>
/// <param name="IsKey">Whether the column is part of the primary key.</param>
internal sealed record ColumnModel(
    string MemberName,
    string ColumnName,
    string PgType,
    bool IsNullable,
    bool IsKey);
