using System;
using Microsoft.Extensions.Configuration;

namespace RoslynPgSync.Hosting;

/// <summary>
/// Reads <see cref="PgSyncOptions"/> from a configuration section (<c>Schema</c>, <c>NodeName</c>,
/// <c>CreateMissingTables</c>, <c>Servers:&lt;name&gt; = &lt;connection string&gt;</c>); shared by
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

        foreach (var server in section.GetSection("Servers").GetChildren())
        {
            options.AddServer(server.Key, server.Value ?? string.Empty);
        }
    }
}
