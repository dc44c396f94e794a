// Shared source: compiled into the generator (netstandard2.0) and linked into the runtime, so that
// identifiers and literals are quoted in exactly one place.
using System;
using System.Text;

namespace RoslynPgSync.Sql;

/// <summary>Quoting and naming rules of PostgreSQL, as pure functions over strings.</summary>
internal static class PgSql
{
    /// <summary>PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes.</summary>
    public const int MaxIdentifierBytes = 63;

    /// <summary>Quotes an identifier: <c>"..."</c> with embedded double quotes doubled.</summary>
    public static string QuoteIdentifier(string identifier)
    {
        return "\"" + identifier.Replace("\"", "\"\"") + "\"";
    }

    /// <summary>Quotes a schema-qualified name: <c>"schema"."name"</c>.</summary>
    public static string QualifiedName(string schema, string name) =>
        QuoteIdentifier(schema) + "." + QuoteIdentifier(name);

    /// <summary>
    /// Quotes a string literal the way <c>quote_literal</c> does with standard_conforming_strings on:
    /// single quotes doubled, and an <c>E'...'</c> literal with doubled backslashes when the text has any.
    /// </summary>
    public static string QuoteLiteral(string value)
    {
        if (value.Contains("\0"))
        {
            throw new ArgumentException("PostgreSQL text cannot contain a NUL character.", nameof(value));
        }

        var quoted = value.Replace("'", "''");
        return value.Contains("\\")
            ? "E'" + quoted.Replace("\\", "\\\\") + "'"
            : "'" + quoted + "'";
    }

    /// <summary>A dollar-quote tag (<c>$pgsync$</c>, <c>$pgsync1$</c>, ...) that does not occur in <paramref name="body"/> (identifiers may contain '$').</summary>
    public static string DollarTag(string body)
    {
        var tag = "$pgsync$";
        for (var i = 1; body.Contains(tag); i++)
        {
            tag = "$pgsync" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "$";
        }

        return tag;
    }

    /// <summary>
    /// Why <paramref name="identifier"/> cannot be a PostgreSQL identifier, or <c>null</c> when it can:
    /// it must be non-empty, without NUL, and at most <see cref="MaxIdentifierBytes"/> bytes in UTF-8.
    /// </summary>
    public static string? IdentifierProblem(string? identifier)
    {
        if (identifier is null || identifier.Length == 0)
        {
            return "it is empty";
        }

        if (identifier.Contains("\0"))
        {
            return "it contains a NUL character";
        }

        if (identifier.Trim().Length == 0)
        {
            return "it is only white space";
        }

        var bytes = Encoding.UTF8.GetByteCount(identifier);
        return bytes > MaxIdentifierBytes
            ? "it is " + bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) +
              " bytes long in UTF-8; PostgreSQL allows at most 63"
            : null;
    }
}
