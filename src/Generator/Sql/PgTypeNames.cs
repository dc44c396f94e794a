namespace RoslynPgSync.Sql;

/// <summary>What the SQL we write needs to know of a column's PostgreSQL type, from its name as a model gives it.</summary>
internal static class PgTypeNames
{
    /// <summary>
    /// Whether the JSON the capture writes for values of <paramref name="pgType"/> reads back the same
    /// whatever the writing and the applying sessions' DateStyle and lc_monetary: the types
    /// <c>row_to_json</c> writes itself (numbers, booleans, strings, ISO dates and times, arrays of
    /// them) and those whose text form no such setting changes. Not so: money (lc_monetary), ranges
    /// and multiranges of dates and times (DateStyle: <c>SQL, DMY</c> prints 1 February as
    /// <c>01/02/2024</c>, which an <c>MDY</c> session reads as 2 January), and every type this list
    /// does not know (domains, composites, extensions), for which the capture pins both settings.
    /// (extra_float_digits and IntervalStyle are pinned for every table.) An array travels as its text
    /// (RemoteSql.TravelsAsText), where dates and times print as DateStyle says: arrays of them do not.
    /// </summary>
    public static bool PrintsAlikeInEverySession(string pgType) =>
        PrintsAlike(pgType) && !(pgType.IndexOf('[') >= 0 && BaseName(pgType, out _) is
            "date" or "timestamp" or "timestamp without time zone" or "timestamptz" or "timestamp with time zone"
            or "time" or "time without time zone" or "timetz" or "time with time zone");

    private static bool PrintsAlike(string pgType) => BaseName(pgType, out _) is
        "boolean" or "bool" or "smallint" or "int2" or "integer" or "int" or "int4" or "bigint" or "int8"
        or "real" or "float4" or "double precision" or "float8" or "float" or "numeric" or "decimal"
        or "text" or "character varying" or "varchar" or "character" or "char" or "bpchar" or "name" or "citext"
        or "uuid" or "bytea" or "json" or "jsonb" or "xml" or "bit" or "bit varying" or "varbit"
        or "date" or "timestamp" or "timestamp without time zone" or "timestamptz" or "timestamp with time zone"
        or "time" or "time without time zone" or "timetz" or "time with time zone" or "interval"
        or "inet" or "cidr" or "macaddr" or "macaddr8" or "tsvector" or "tsquery" or "oid"
        or "int4range" or "int8range" or "numrange" or "int4multirange" or "int8multirange" or "nummultirange";

    /// <summary>
    /// A type name as written in a model, reduced to compare with built-in names: lower case, without
    /// modifiers (<c>timestamp(0) with time zone</c> is <c>timestamp with time zone</c>), array brackets
    /// (<paramref name="isArray"/> says whether there were any) or the <c>pg_catalog.</c> schema, and
    /// with single spaces.
    /// </summary>
    public static string BaseName(string pgType, out bool isArray)
    {
        var name = new System.Text.StringBuilder(pgType.Length);
        var depth = 0;
        foreach (var c in pgType.Trim().ToLowerInvariant())
        {
            if (c == '(' || c == '[')
            {
                depth++;
            }
            else if (c == ')' || c == ']')
            {
                depth--;
            }
            else if (depth == 0 && !(c == ' ' && (name.Length == 0 || name[name.Length - 1] == ' ')))
            {
                name.Append(c);
            }
        }

        isArray = pgType.IndexOf('[') >= 0;
        var baseName = name.ToString().Trim();
        return baseName.StartsWith("pg_catalog.", System.StringComparison.Ordinal) ? baseName.Substring("pg_catalog.".Length).Trim() : baseName;
    }
}
