using System;
using Microsoft.Extensions.Configuration;

namespace RoslynPgSync.Hosting;

/// <summary>
/// Reads <see cref="PgSyncOptions"/> from a configuration section (<c>Schema</c>, <c>NodeName</c>,
/// <c>CreateMissingTables</c>, <c>CommitTimeout</c>, <c>InitialCopy</c>, <c>InitialCopyChunkRows</c>, <c>Servers:&lt;name&gt; = &lt;connection string&gt;</c>); shared by
/// <c>AddPgSync</c> and the <c>pgsync</c> command-line tool.
/// </summary>
public static class PgSyncConfiguration
{
    /// <summary>Applies the section's values to <paramref name="options"/>; servers go through <see cref="PgSyncOptions.AddServer"/>.</summary>
    public static void Apply(IConfiguration section, PgSyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        if (section["Schema"] is { Length: > 0 } schema)
        {
            options.Schema = schema;
        }

        if (section["NodeName"] is { Length: > 0 } node)
        {
            options.NodeName = node;
        }

        if (bool.TryParse(section["CreateMissingTables"], out var create))
        {
            options.CreateMissingTables = create;
        }

        // CommitTimeout: a TimeSpan ("00:00:05"), or "none" / "infinite" to wait without bound.
        if (section["CommitTimeout"] is { Length: > 0 } commitTimeout)
        {
            options.CommitTimeout = commitTimeout.Trim().ToUpperInvariant() is "NONE" or "INFINITE"
                ? null
                : TimeSpan.TryParse(commitTimeout, System.Globalization.CultureInfo.InvariantCulture, out var wait)
                    ? wait
                    : throw new FormatException($"PgSync:CommitTimeout '{commitTimeout}' is not a time span (such as 00:00:30) or 'none'.");
        }

        if (section["InitialCopy"] is { Length: > 0 } copy)
        {
            options.InitialCopy = Enum.TryParse<InitialCopyMode>(copy.Trim(), ignoreCase: true, out var mode) && Enum.IsDefined(mode)
                ? mode
                : throw new FormatException($"PgSync:InitialCopy '{copy}' is not one of {string.Join(", ", Enum.GetNames<InitialCopyMode>())}.");
        }

        if (section["InitialCopyChunkRows"] is { Length: > 0 } chunk)
        {
            options.InitialCopyChunkRows = int.TryParse(chunk, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var rows) && rows > 0
                ? rows
                : throw new FormatException($"PgSync:InitialCopyChunkRows '{chunk}' is not a positive whole number.");
        }

        foreach (var server in section.GetSection("Servers").GetChildren())
        {
            options.AddServer(server.Key, server.Value ?? string.Empty);
        }
    }
}
