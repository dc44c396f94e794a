using System.Text;

namespace RoslynPgSync.Generator.Parsing;

/// <summary>
/// The snake_case naming used for members without <c>[Column(Name)]</c>, as EF Core's snake_case
/// convention spells it: <c>CrtTime</c> → <c>crt_time</c>, <c>HTTPServer</c> → <c>http_server</c>.
/// </summary>
internal static class SnakeCase
{
    public static string Convert(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previous = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                var startsWord = i > 0 && previous != '_' &&
                    (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && char.IsLower(next)));
                if (startsWord)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
