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
/// <see cref="PgSyncHostOptions.DegradedLag"/> and no initial copy runs or has failed; Degraded past it
/// or while a copy is incomplete (naming the destinations, their lag and the copies) or a table's capture
/// was off since its last equal verification (<see cref="CaptureGap"/>); Unhealthy when the status cannot
/// be read or a table's capture is off.
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
        IReadOnlyList<Copy.CopyProgress> copies;
        IReadOnlyList<CaptureGap> gaps;
        try
        {
            status = await _monitor.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            copies = await _monitor.GetCopiesAsync(cancellationToken).ConfigureAwait(false);
            gaps = await _monitor.GetCaptureGapsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("RoslynPgSync status cannot be read: " + ex.Message, ex);
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var s in status)
        {
            // (By the stream's name; a server itself named "a/b" beside channel "b" of server "a" shares one entry.)
            data[s.Stream] = $"depth {s.Depth}, oldest {s.OldestAge.TotalSeconds:F0} s";
        }

        var lagging = status.Where(s => s.OldestAge > _host.DegradedLag).ToList();
        // A destination that is still being copied into, or whose copy failed, lacks rows the source has.
        var incomplete = copies.Where(c => c.IsRunning || c.Status == Copy.CopyStatus.Failed).ToList();
        foreach (var copy in incomplete)
        {
            data["copy " + copy.Table + " -> " + copy.Server] = copy.ToString();
        }

        var problems = lagging.Select(s => $"{s.Stream} behind by more than {_host.DegradedLag} ({s.Depth} entries, oldest {s.OldestAge.TotalSeconds:F0} s{(s.LastError is null ? string.Empty : ", last error: " + s.LastError)})")
            .Concat(incomplete.Select(c => c.IsRunning ? $"initial copy of {c.Table} to {c.Server} running ({c.RowsCopied} of ~{c.RowsEstimate?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} rows)" : $"initial copy of {c.Table} to {c.Server} failed: {c.Reason}"))
            .ToList();
        foreach (var gap in gaps)
        {
            data["capture " + gap.Table] = gap.ToString();
        }

        // A capture that is off loses changes now; one that was off may have lost some: Degraded until verified.
        if (gaps.Any(g => !g.CaptureOn))
        {
            return HealthCheckResult.Unhealthy(string.Join("; ", gaps.Select(g => g.ToString()).Concat(problems)), data: data);
        }

        problems.AddRange(gaps.Select(g => g.ToString()));
        return problems.Count == 0
            ? HealthCheckResult.Healthy("Every destination is within " + _host.DegradedLag, data)
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: data);
    }
}
