// Shared source: compiled into the generator (and later the analyzers) and linked into the runtime.
namespace RoslynPgSync.Sql;

/// <summary>
/// A <c>[Replicate(Where = ...)]</c> predicate is placed as written into the capture function, so it
/// must be one well-formed expression: balanced quotes and parentheses, no statement separator, no
/// comment, no NUL, no dollar quote, no escape string literal and no backslash in a literal.
/// </summary>
internal static class WhereClause
{
    /// <summary>Why <paramref name="where"/> cannot be used, or <c>null</c> when it can.</summary>
    public static string? Problem(string where)
    {
        var depth = 0;
        for (var i = 0; i < where.Length; i++)
        {
            var c = where[i];
            switch (c)
            {
                case '\0':
                    return "it contains a NUL character";
                case '\'' when i > 0 && (where[i - 1] == 'E' || where[i - 1] == 'e') && (i == 1 || !IsIdentifierChar(where[i - 2])):
                    // Backslash escapes move where the literal ends: this check would no longer see what PostgreSQL sees.
                    return "it contains an escape string literal (E'...'); use a standard string literal";
                case '\'':
                case '"':
                    var end = where.IndexOf(c, i + 1);
                    while (end >= 0 && end + 1 < where.Length && where[end + 1] == c)
                    {
                        end = where.IndexOf(c, end + 2);
                    }

                    if (end < 0)
                    {
                        return c == '\'' ? "a string literal is not closed" : "a quoted identifier is not closed";
                    }

                    if (c == '\'' && where.IndexOf('\\', i + 1, end - i - 1) >= 0)
                    {
                        return "a string literal contains a backslash (its meaning depends on standard_conforming_strings)";
                    }

                    i = end;
                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    if (--depth < 0)
                    {
                        return "a ')' has no matching '('";
                    }

                    break;
                case ';':
                    return "it contains a statement separator ';'";
                case '$':
                    return "it contains '$' (dollar quoting and parameters are not allowed)";
                case '-' when i + 1 < where.Length && where[i + 1] == '-':
                case '/' when i + 1 < where.Length && where[i + 1] == '*':
                    return "it contains a comment";
            }
        }

        return depth != 0 ? "a '(' is not closed" : where.Trim().Length == 0 ? "it is empty" : null;
    }

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$';
}
