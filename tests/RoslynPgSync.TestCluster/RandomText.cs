using System;
using System.Security.Cryptography;
using System.Text;

namespace RoslynPgSync.TestCluster;

/// <summary>Random passwords and name suffixes from a cryptographic generator.</summary>
internal static class RandomText
{
    private const string LowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A strong alphanumeric password (32 characters, about 190 bits).</summary>
    public static string Password() => RandomNumberGenerator.GetString(Alphanumeric, 32);

    /// <summary>A lower-case alphanumeric suffix for names of roles, databases and folders.</summary>
    public static string Suffix(int length = 12) => RandomNumberGenerator.GetString(LowerAlphanumeric, length);

    /// <summary>
    /// A lower-case name <c>prefix_suffix</c> that fits PostgreSQL's 63-byte identifier limit.
    /// Characters of the prefix other than ASCII letters, digits and underscores become underscores.
    /// </summary>
    public static string Name(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var cleaned = new StringBuilder(prefix.Length);
        foreach (var original in prefix)
        {
            var c = char.ToLowerInvariant(original);
            cleaned.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? c : '_');
        }

        if (cleaned.Length == 0 || char.IsDigit(cleaned[0]))
        {
            cleaned.Insert(0, 't');
        }

        var suffix = Suffix();
        const int maxBytes = 63;
        var maxPrefix = maxBytes - 1 - suffix.Length;
        var head = cleaned.Length > maxPrefix ? cleaned.ToString(0, maxPrefix) : cleaned.ToString();
        return head + "_" + suffix;
    }
}
