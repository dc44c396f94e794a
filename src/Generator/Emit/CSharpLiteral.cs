using System.Globalization;
using System.Text;

namespace RoslynPgSync.Generator.Emit;

/// <summary>C# literals for generated code: every string escaped, every number invariant.</summary>
internal static class CSharpLiteral
{
    public static string String(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\0': builder.Append("\\0"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c) || c == '\u2028' || c == '\u2029' || c == '\u0085')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>
    /// A multi-line string (SQL) as a verbatim literal, so that generated code shows it as a DBA would
    /// read it; falls back to <see cref="String"/> when it holds other control characters.
    /// </summary>
    public static string Verbatim(string value)
    {
        foreach (var c in value)
        {
            if ((char.IsControl(c) && c != '\n') || char.IsSurrogate(c) || c == '\u2028' || c == '\u2029' || c == '\u0085')
            {
                return String(value);
            }
        }

        return "@\"" + value.Replace("\"", "\"\"") + "\"";
    }

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";
}
