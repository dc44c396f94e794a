using Microsoft.CodeAnalysis;

namespace RoslynPgSync.Generator.Parsing;

/// <summary>
/// The attributes the generator understands, matched by metadata name so that it depends on neither
/// the runtime assembly nor Entity Framework Core.
/// </summary>
internal static class KnownTypes
{
    public const string ReplicateAttribute = "RoslynPgSync.ReplicateAttribute";

    private const string DataAnnotations = "System.ComponentModel.DataAnnotations";
    private const string DataAnnotationsSchema = "System.ComponentModel.DataAnnotations.Schema";
    private const string EntityFrameworkCore = "Microsoft.EntityFrameworkCore";

    public static bool IsReplicate(INamedTypeSymbol? type) => Is(type, "RoslynPgSync", "ReplicateAttribute");

    public static bool IsTable(INamedTypeSymbol? type) => Is(type, DataAnnotationsSchema, "TableAttribute");

    public static bool IsColumn(INamedTypeSymbol? type) => Is(type, DataAnnotationsSchema, "ColumnAttribute");

    public static bool IsNotMapped(INamedTypeSymbol? type) => Is(type, DataAnnotationsSchema, "NotMappedAttribute");

    public static bool IsKey(INamedTypeSymbol? type) => Is(type, DataAnnotations, "KeyAttribute");

    public static bool IsRequired(INamedTypeSymbol? type) => Is(type, DataAnnotations, "RequiredAttribute");

    public static bool IsMaxLength(INamedTypeSymbol? type) =>
        Is(type, DataAnnotations, "MaxLengthAttribute") || Is(type, DataAnnotations, "StringLengthAttribute");

    /// <summary>EF Core's optimistic-concurrency markers: the member is the row's version.</summary>
    public static bool IsVersion(INamedTypeSymbol? type) =>
        Is(type, DataAnnotations, "ConcurrencyCheckAttribute") || Is(type, DataAnnotations, "TimestampAttribute");

    public static bool IsPrimaryKey(INamedTypeSymbol? type) => Is(type, EntityFrameworkCore, "PrimaryKeyAttribute");

    public static bool IsPrecision(INamedTypeSymbol? type) => Is(type, EntityFrameworkCore, "PrecisionAttribute");

    /// <summary>Compares a type's namespace and name without building a display string.</summary>
    public static bool Is(INamedTypeSymbol? type, string @namespace, string name)
    {
        if (type is null || type.Name != name || type.ContainingType is not null)
        {
            return false;
        }

        var ns = type.ContainingNamespace;
        var end = @namespace.Length;
        while (ns is { IsGlobalNamespace: false })
        {
            var start = end - ns.Name.Length;
            if (start < 0 || string.CompareOrdinal(@namespace, start, ns.Name, 0, ns.Name.Length) != 0)
            {
                return false;
            }

            if (start > 0 && @namespace[start - 1] != '.')
            {
                return false;
            }

            end = start - 1;
            ns = ns.ContainingNamespace;
        }

        return end == -1 || (end == 0 && @namespace.Length == 0);
    }
}
