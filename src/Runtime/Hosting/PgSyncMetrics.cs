using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;

namespace RoslynPgSync.Hosting;

/// <summary>
/// The <c>RoslynPgSync</c> meter: queue depth and oldest entry age per destination (observed from the
/// worker's latest status), entries and rows applied, apply duration, and failures.
/// </summary>
public sealed class PgSyncMetrics : IDisposable
{
    /// <summary>The meter's name, for <c>MeterListener</c>s and OpenTelemetry's <c>AddMeter</c>.</summary>
    public const string MeterName = "RoslynPgSync";

    private readonly Meter _meter;
    private readonly Counter<long> _entriesApplied;
    private readonly Counter<long> _rowsApplied;
    private readonly Histogram<double> _applyDuration;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _conflicts;
    private volatile IReadOnlyList<DestinationStatus> _latest = Array.Empty<DestinationStatus>();

    /// <summary>Creates the instruments.</summary>
    public PgSyncMetrics()
    {
        _meter = new Meter(MeterName);
        _entriesApplied = _meter.CreateCounter<long>("pgsync.entries.applied", "{entry}", "Queue entries applied to a destination.");
        _rowsApplied = _meter.CreateCounter<long>("pgsync.rows.applied", "{row}", "Rows carried by the applied entries.");
        _applyDuration = _meter.CreateHistogram<double>("pgsync.apply.duration", "s", "Time to apply one batch to a destination.");
        _failures = _meter.CreateCounter<long>("pgsync.apply.failures", "{failure}", "Batches a destination did not accept.");
        _conflicts = _meter.CreateCounter<long>("pgsync.conflicts", "{conflict}", "Conflicts this database met as the destination of a table with a conflict policy, per table, kind and resolution.");
        _meter.CreateObservableGauge("pgsync.queue.depth", () => _latest.Select(s => new Measurement<long>(s.Depth, Tags(s.Server, s.Channel))), "{entry}", "Entries waiting per destination and channel.");
        _meter.CreateObservableGauge("pgsync.queue.oldest_age", () => _latest.Select(s => new Measurement<double>(s.OldestAge.TotalSeconds, Tags(s.Server, s.Channel))), "s", "Age of the oldest waiting entry per destination and channel.");
        _meter.CreateObservableGauge("pgsync.copy.rows", () => _copies.Select(c => new Measurement<long>(c.RowsCopied, CopyTags(c))), "{row}", "Rows an initial copy has copied, per table and destination.");
        _meter.CreateObservableGauge("pgsync.copy.rows_estimate", () => _copies.Where(c => c.RowsEstimate is not null).Select(c => new Measurement<long>(c.RowsEstimate!.Value, CopyTags(c))), "{row}", "The source's estimated rows when an initial copy started.");
        _meter.CreateObservableGauge("pgsync.copy.running", () => _copies.Select(c => new Measurement<int>(c.IsRunning ? 1 : 0, CopyTags(c))), "{copy}", "1 while an initial copy runs (pending or copying), else 0.");
    }

    private volatile IReadOnlyList<Copy.CopyProgress> _copies = Array.Empty<Copy.CopyProgress>();

    internal void ObserveCopies(IReadOnlyList<Copy.CopyProgress> copies) => _copies = copies;

    private static KeyValuePair<string, object?>[] CopyTags(Copy.CopyProgress copy) =>
        [Tag(copy.Server), new("pgsync.table", copy.Table), new("pgsync.copy.status", copy.Status.ToString().ToLowerInvariant())];

    internal void Applied(string server, string channel, long entries, long rows, TimeSpan duration)
    {
        var tag = Tags(server, channel);
        _entriesApplied.Add(entries, tag);
        _rowsApplied.Add(rows, tag);
        _applyDuration.Record(duration.TotalSeconds, tag);
    }

    internal void Failed(string server, string channel, TimeSpan duration)
    {
        var tag = Tags(server, channel);
        _failures.Add(1, tag);
        _applyDuration.Record(duration.TotalSeconds, tag);
    }

    internal void Observe(IReadOnlyList<DestinationStatus> status) => _latest = status;

    internal void Conflicts(IReadOnlyList<ConflictTotal> counts)
    {
        foreach (var count in counts)
        {
            _conflicts.Add(count.Recorded, [new("pgsync.table", count.Table), new("pgsync.conflict.kind", count.Kind), new("pgsync.conflict.resolution", count.Resolution)]);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string server) => new("pgsync.destination", server);

    /// <summary>A stream's tags: the destination, and the channel ("" for the destination's default channel).</summary>
    private static KeyValuePair<string, object?>[] Tags(string server, string channel) => [Tag(server), new("pgsync.channel", channel)];
}
