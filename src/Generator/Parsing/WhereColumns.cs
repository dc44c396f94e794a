using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace RoslynPgSync.Generator.Parsing;

/// <summary>
/// The identifiers a Where filter names that are not columns of the table: bare words that are not
/// SQL keywords, function names (followed by '('), type casts (after '::') or literals, and quoted
/// identifiers. A heuristic for a warning, not a SQL parser.
/// </summary>
internal static class WhereColumns
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "not", "null", "is", "in", "like", "ilike", "similar", "to", "escape", "between", "symmetric",
        "true", "false", "unknown", "case", "when", "then", "else", "end", "distinct", "from", "any", "all", "some",
        "exists", "collate", "at", "time", "zone", "interval", "date", "timestamp", "current_date", "current_time",
        "current_timestamp", "localtime", "localtimestamp", "current_user", "session_user", "isnull", "notnull",
        "cast", "as", "array", "row", "with", "without", "overlaps", "asc", "desc", "nulls", "first", "last",
    };

    /// <summary>
    /// The name PostgreSQL reads an unquoted identifier as (in UTF-8: ASCII letters lower-cased, the rest
    /// as written): the column it names must be spelled so exactly (<c>IsActive</c> names <c>isactive</c>,
    /// not a column <c>"IsActive"</c>).
    /// </summary>
    private static string FoldUnquoted(string word)
    {
        var folded = new StringBuilder(word.Length);
        foreach (var ch in word)
        {
            folded.Append(ch is >= 'A' and <= 'Z' ? (char)(ch + ('a' - 'A')) : ch);
        }

        return folded.ToString();
    }

    public static IEnumerable<string> Unknown(string where, IEnumerable<string> columns)
    {
        var known = new HashSet<string>(columns, StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (i < where.Length)
        {
            var c = where[i];
            if (c == '\'')
            {
                i = SkipQuoted(where, i, '\'');
                continue;
            }

            if (c == '"')
            {
                var end = SkipQuoted(where, i, '"');
                var name = where.Substring(i + 1, Math.Max(0, end - i - 2)).Replace("\"\"", "\"");
                if (!known.Contains(name) && !IsQualifier(where, end) && reported.Add(name))
                {
                    yield return name;
                }

                i = end;
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                var word = new StringBuilder();
                while (i < where.Length && (char.IsLetterOrDigit(where[i]) || where[i] == '_' || where[i] == '$'))
                {
                    word.Append(where[i++]);
                }

                var text = word.ToString();
                var afterCast = start >= 2 && where[start - 1] == ':' && where[start - 2] == ':';
                var isCall = NextNonSpace(where, i) == '(';
                if (!afterCast && !isCall && !IsQualifier(where, i) && !Keywords.Contains(text) &&
                    !known.Contains(FoldUnquoted(text)) && reported.Add(text))
                {
                    yield return text;
                }

                continue;
            }

            if (char.IsDigit(c))
            {
                while (i < where.Length && (char.IsLetterOrDigit(where[i]) || where[i] == '.'))
                {
                    i++;
                }

                continue;
            }

            i++;
        }
    }

    /// <summary>A schema or table qualifier (<c>x.</c>) is not a column name.</summary>
    private static bool IsQualifier(string text, int end) => end < text.Length && text[end] == '.';

    private static int SkipQuoted(string text, int start, char quote)
    {
        var i = start + 1;
        while (i < text.Length)
        {
            if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return text.Length;
    }

    private static char NextNonSpace(string text, int index)
    {
        while (index < text.Length && char.IsWhiteSpace(text[index]))
        {
            index++;
        }

        return index < text.Length ? text[index] : '\0';
    }
}
