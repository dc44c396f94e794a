using Microsoft.CodeAnalysis;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Generator.Parsing;

/// <summary>
/// The CLR → PostgreSQL type map, following Npgsql's defaults and spelled as <c>format_type</c> prints
/// them, so that the installer can compare them with the catalog.
/// </summary>
internal static class PgTypeMap
{
    /// <summary>Maps a member type. <c>null</c> when there is no mapping (a <c>Column(TypeName)</c> is needed).</summary>
    /// <param name="type">The member's type.</param>
    /// <param name="isNullableValueType">Set when the type was <c>Nullable&lt;T&gt;</c>.</param>
    public static string? Map(ITypeSymbol type, out bool isNullableValueType)
    {
        isNullableValueType = false;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            isNullableValueType = true;
            type = nullable.TypeArguments[0];
        }

        if (type is IArrayTypeSymbol array)
        {
            if (array.Rank != 1)
            {
                return null;
            }

            if (array.ElementType.SpecialType == SpecialType.System_Byte)
            {
                return "bytea";
            }

            // Npgsql maps T[] and T?[] alike; a multi-dimensional element (T[][]) has no mapping.
            var element = array.ElementType;
            if (element is IArrayTypeSymbol && element is not IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte })
            {
                return null;
            }

            var elementType = Map(element, out _);
            return elementType is null ? null : elementType + "[]";
        }

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
        {
            return MapSpecial(underlying.SpecialType);
        }

        return MapSpecial(type.SpecialType) ?? MapSystemStruct(type);
    }

    private static string? MapSpecial(SpecialType specialType) => specialType switch
    {
        SpecialType.System_Boolean => "boolean",
        SpecialType.System_Byte => "smallint",
        SpecialType.System_SByte => "smallint",
        SpecialType.System_Int16 => "smallint",
        SpecialType.System_Int32 => "integer",
        SpecialType.System_Int64 => "bigint",
        SpecialType.System_Single => "real",
        SpecialType.System_Double => "double precision",
        SpecialType.System_Decimal => "numeric",
        SpecialType.System_String => "text",
        // Npgsql 6+ reads and writes DateTime as timestamptz by default (UTC); use
        // [Column(TypeName = "timestamp without time zone")] for local times.
        SpecialType.System_DateTime => "timestamp with time zone",
        _ => null,
    };

    private static string? MapSystemStruct(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol named || named.ContainingType is not null ||
            named.ContainingNamespace is not { Name: "System", ContainingNamespace.IsGlobalNamespace: true })
        {
            return null;
        }

        return named.Name switch
        {
            "Guid" => "uuid",
            "DateTimeOffset" => "timestamp with time zone",
            "DateOnly" => "date",
            "TimeOnly" => "time without time zone",
            "TimeSpan" => "interval",
            _ => null,
        };
    }

    /// <summary>Whether values of <paramref name="pgType"/> order writes as a version: integers, numeric, timestamps.</summary>
    public static bool CanVersion(string pgType) =>
        PgTypeNames.BaseName(pgType, out var isArray) is var baseType && !isArray &&
        baseType is "smallint" or "integer" or "int" or "int2" or "int4" or "int8" or "bigint" or "numeric" or "decimal"
            or "timestamp" or "timestamptz" or "timestamp with time zone" or "timestamp without time zone";

    /// <summary>
    /// Whether values of <paramref name="pgType"/> can be part of a primary key: not the types PostgreSQL
    /// cannot compare with <c>=</c> through a btree operator class. An array compares by its element
    /// (xml[] has no equality either).
    /// </summary>
    public static bool CanBeKey(string pgType) =>
        PgTypeNames.BaseName(pgType, out _) is not ("json" or "xml" or "point" or "line" or "lseg" or "box" or "path" or "polygon" or "circle");

    /// <summary>
    /// Whether a user-written <c>Column(TypeName)</c> looks like a type name and nothing more, since it is
    /// placed in DDL as written.
    /// </summary>
    public static bool IsPlausibleTypeName(string typeName)
    {
        if (typeName.Trim().Length == 0)
        {
            return false;
        }

        foreach (var c in typeName)
        {
            var ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '_' || c == ' ' || c == '(' || c == ')' || c == ',' || c == '[' || c == ']' || c == '.';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
