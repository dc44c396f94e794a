using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace RoslynPgSync.Hosting;

/// <summary>
/// Healthy while every destination's oldest waiting entry is younger than
/// <see cref="PgSyncHostOptions.DegradedLag"/>; Degraded past it (naming the destinations and their
/// lag); Unhealthy when the status cannot be read.
/// </summary>
public sealed class PgSyncHealthCheck : IHealthCheck
{
    private readonly PgSyncMonitor _monitor;
    private readonly PgSyncHostOptions _host;

    /// <summary>Creates the check; registered by <c>AddPgSync</c> on the health checks builder.</summary>
    public PgSyncHealthCheck(PgSyncMonitor monitor, IOptions<PgSyncHostOptions> host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _monitor = monitor ?? throw new ArgumentNullException(nameof(monitor));
        _host = host.Value;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<DestinationStatus> status;
        try
        {
            status = await _monitor.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("RoslynPgSync status cannot be read: " + ex.Message, ex);
        }

        var data = status.ToDictionary(s => s.Server, s => (object)$"depth {s.Depth}, oldest {s.OldestAge.TotalSeconds:F0} s", StringComparer.Ordinal);
        var lagging = status.Where(s => s.OldestAge > _host.DegradedLag).ToList();
        return lagging.Count == 0
            ? HealthCheckResult.Healthy("Every destination is within " + _host.DegradedLag, data)
            : HealthCheckResult.Degraded(
                "Behind by more than " + _host.DegradedLag + ": " +
                string.Join(", ", lagging.Select(s => $"{s.Server} ({s.Depth} entries, oldest {s.OldestAge.TotalSeconds:F0} s{(s.LastError is null ? string.Empty : ", last error: " + s.LastError)})")),
                data: data);
    }
}
