using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using RoslynPgSync.Hosting;

// In Microsoft.Extensions.DependencyInjection, as hosting extensions customarily are.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers RoslynPgSync in a generic host: options, the local data source, the replay worker, status and metrics.</summary>
public static class PgSyncServiceCollectionExtensions
{
    /// <summary>
    /// Adds RoslynPgSync for the generated <paramref name="tables"/> (<c>PgSyncInstaller.Tables</c>), with
    /// options read from <paramref name="configuration"/> (e.g. the <c>PgSync</c> section:
    /// <c>Schema</c>, <c>NodeName</c>, <c>CreateMissingTables</c>, <c>Servers: { "dst": "Host=..." }</c>,
    /// and the <see cref="PgSyncHostOptions"/> keys) and then from <paramref name="configure"/>.
    /// Options are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddPgSync(
        this IServiceCollection services,
        IReadOnlyList<RoslynPgSync.ReplicatedTable> tables,
        IConfiguration? configuration,
        Action<RoslynPgSync.PgSyncOptions>? configure = null,
        Action<PgSyncHostOptions>? configureHost = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(tables);
        services.AddOptions<RoslynPgSync.PgSyncOptions>()
            .Configure(options =>
            {
                if (configuration is not null)
                {
                    PgSyncConfiguration.Apply(configuration, options);
                }

                configure?.Invoke(options);
            })
            .Validate(o => o.Servers.Count > 0, "RoslynPgSync needs at least one destination server: add PgSync:Servers:<name> = <connection string> or call AddServer.")
            .ValidateOnStart();
        var host = services.AddOptions<PgSyncHostOptions>();
        if (configuration is not null)
        {
            host.Bind(configuration);
        }

        host.Configure(o => configureHost?.Invoke(o))
            .Validate(o => o.BatchSize > 0, "PgSync:BatchSize must be positive.")
            .Validate(o => o.BatchBytes > 0, "PgSync:BatchBytes must be positive.")
            .Validate(o => o.PollInterval > TimeSpan.Zero, "PgSync:PollInterval must be positive.")
            .Validate(o => o.ResolveInterval > TimeSpan.Zero, "PgSync:ResolveInterval must be positive.")
            .Validate(o => o.RemoteTimeout > TimeSpan.Zero, "PgSync:RemoteTimeout must be positive.")
            .Validate(o => o.ConflictRetention > TimeSpan.Zero, "PgSync:ConflictRetention must be positive.")
            .Validate(o => o.TombstoneRetention > TimeSpan.Zero, "PgSync:TombstoneRetention must be positive.")
            .Validate(o => o.MaxBackoff >= o.MinBackoff, "PgSync:MaxBackoff must not be shorter than PgSync:MinBackoff.")
            .ValidateOnStart();

        services.TryAddSingleton(sp =>
        {
            var connectionString = sp.GetRequiredService<IOptions<PgSyncHostOptions>>().Value.LocalConnectionString;
            return string.IsNullOrWhiteSpace(connectionString)
                ? throw new InvalidOperationException("RoslynPgSync needs the local database: register an NpgsqlDataSource, or set PgSync:LocalConnectionString.")
                : NpgsqlDataSource.Create(connectionString);
        });
        services.TryAddSingleton(new PgSyncTables(tables));
        services.TryAddSingleton<PgSyncMonitor>();
        services.TryAddSingleton<PgSyncMetrics>();
        services.AddHostedService<PgSyncReplayWorker>();
        return services;
    }

    /// <summary>Adds RoslynPgSync configured in code only; see the overload with configuration.</summary>
    public static IServiceCollection AddPgSync(
        this IServiceCollection services,
        IReadOnlyList<RoslynPgSync.ReplicatedTable> tables,
        Action<RoslynPgSync.PgSyncOptions> configure,
        Action<PgSyncHostOptions>? configureHost = null) =>
        services.AddPgSync(tables, configuration: null, configure, configureHost);

    /// <summary>Adds the RoslynPgSync health check: Degraded past <see cref="PgSyncHostOptions.DegradedLag"/>.</summary>
    public static IHealthChecksBuilder AddPgSync(this IHealthChecksBuilder builder, string name = "pgsync", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<PgSyncHealthCheck>(name, HealthStatus.Degraded, tags ?? Array.Empty<string>());
    }
}
