namespace RoslynPgSync.Generator.Model;

/// <summary>One <c>[Replicate]</c> type, as the generator understood it. Holds no Roslyn symbol.</summary>
/// <param name="Namespace">The type's namespace, empty for the global namespace.</param>
/// <param name="TypeName">The type's name, with containing types joined by dots (<c>Outer.Inner</c>).</param>
/// <param name="FullyQualifiedTypeName">The type as C# writes it with <c>global::</c>.</param>
/// <param name="SourceSchema">The local table's schema.</param>
/// <param name="SourceTable">The local table's name.</param>
/// <param name="Columns">Mapped columns in table order.</param>
/// <param name="KeyColumns">Primary key column names, in key order.</param>
/// <param name="PkVector">1-based positions of the key columns in <paramref name="Columns"/>, in key order.</param>
/// <param name="Targets">One entry per <c>[Replicate]</c> attribute, in declaration order.</param>
/// <param name="VersionColumn">The column of the <c>[ConcurrencyCheck]</c>/<c>[Timestamp]</c> member, or null.</param>
internal sealed record TableModel(
    string Namespace,
    string TypeName,
    string FullyQualifiedTypeName,
    string SourceSchema,
    string SourceTable,
    EquatableArray<ColumnModel> Columns,
    EquatableArray<string> KeyColumns,
    EquatableArray<int> PkVector,
    EquatableArray<TargetModel> Targets,
    string? VersionColumn = null)
{
    /// <summary>The hint name of the generated file: <c>{Namespace}.{Type}.g.cs</c>.</summary>
    public string HintName => (Namespace.Length == 0 ? TypeName : Namespace + "." + TypeName) + ".g.cs";

    /// <summary>A C# identifier unique per type, for the generated factory method.</summary>
    public string MemberSuffix
    {
        get
        {
            var full = Namespace.Length == 0 ? TypeName : Namespace + "." + TypeName;
            return full.Replace("_", "__").Replace(".", "_");
        }
    }
}
