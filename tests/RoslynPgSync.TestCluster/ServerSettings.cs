using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace RoslynPgSync.TestCluster;

/// <summary>Writes the cluster's <c>postgresql.conf</c> settings.</summary>
internal static class ServerSettings
{
    private const string IncludeLine = "include 'roslynpgsync.conf'";

    /// <summary>
    /// Writes this library's settings, then the caller's extra ones (which win, coming last), to
    /// <see cref="ClusterFolder.SettingsFile"/> and makes <c>postgresql.conf</c> include it.
    /// </summary>
    public static void Write(ClusterFolder folder, PostgresClusterOptions options, int port)
    {
        var settings = new List<KeyValuePair<string, string>>
        {
            new("listen_addresses", "127.0.0.1"),
            new("port", port.ToString(CultureInfo.InvariantCulture)),
            new("unix_socket_directories", folder.Root),
            new("password_encryption", "scram-sha-256"),
            new("max_connections", options.MaxConnections.ToString(CultureInfo.InvariantCulture)),
            new("shared_buffers", options.SharedBuffers),
            // A throwaway cluster: durability costs time and buys nothing.
            new("fsync", "off"),
            new("full_page_writes", "off"),
            new("dynamic_shared_memory_type", "posix"),
            new("log_line_prefix", "%m [%p] %q%u@%d "),
        };
        settings.AddRange(options.Settings);

        var text = new StringBuilder("# Written by RoslynPgSync.TestCluster; later lines win.\n");
        foreach (var (name, value) in settings)
        {
            ValidateName(name);
            text.Append(name).Append(" = ").Append(QuoteConfValue(value)).Append('\n');
        }

        File.WriteAllText(folder.SettingsFile, text.ToString());

        var main = File.ReadAllText(folder.MainConfigFile);
        if (!main.Contains(IncludeLine, StringComparison.Ordinal))
        {
            File.AppendAllText(folder.MainConfigFile, "\n" + IncludeLine + "\n");
        }
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || !(char.IsAsciiLetter(name[0]) || name[0] == '_')
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
        {
            throw new ArgumentException($"'{name}' is not a valid PostgreSQL setting name.", nameof(name));
        }
    }

    /// <summary>
    /// Quotes a postgresql.conf value: single quotes doubled, and backslashes doubled because the
    /// configuration file (unlike SQL with standard_conforming_strings) treats them as escapes.
    /// </summary>
    internal static string QuoteConfValue(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("A postgresql.conf value cannot contain NUL or a line break.", nameof(value));
        }

        return "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}
