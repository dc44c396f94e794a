using System.Text.RegularExpressions;

namespace RoslynPgSync;

/// <summary>
/// How a value given by a user goes into a message: quoted, unless it holds a password (a
/// connection string given where a name belongs, an easy slip with two string arguments). One rule
/// for the options' checks and the CLI's parse errors.
/// </summary>
internal static partial class Secrets
{
    /// <summary><c>'value'</c>, or a note that the value is not shown when it has a <c>password=</c> or <c>pwd=</c>.</summary>
    public static string Quoted(string? value) =>
        value is not null && PasswordKeyword().IsMatch(value) ? "(a value with a password, not shown)" : $"'{value}'";

    [GeneratedRegex(@"(password|pwd)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordKeyword();
}
