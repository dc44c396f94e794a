using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Verification;
using Xunit;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// Mixed writers (Sync and Async tables) and the hosted worker for a bounded time while the
/// destination crashes and comes back every few seconds; at the end the verifier finds both sides
/// equal, the queue is empty, and neither the queue nor this process's memory grew without bound.
/// </summary>
/// <remarks>
/// 20 seconds by default (the short form every test run includes); <c>PGSYNC_SOAK_SECONDS=300</c> for
/// the long form (nightly).
/// </remarks>
[Trait("Category", "Soak")]
public sealed class SoakTests(OwnClusterFixture destination, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<OwnClusterFixture>
{
    [Fact]
    public async Task Mixed_writers_with_periodic_destination_crashes_end_equal_with_bounded_queue_and_memory()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("PGSYNC_SOAK_SECONDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 20;
        await using var pair = await TestBed.Create().Node("remote", destination.Cluster).Pair("fault_sync", "fault_async").InstallAsync(PgSyncInstaller.Tables);
        await pair.LogApplicationsAsync("app.events_sync");
        await pair.LogApplicationsAsync("app.events_async");
        // The newest messages only: over an hour the worker logs hundreds of thousands.
        var logs = new CollectingLoggerProvider(capacity: 5000);
        using var host = WorkerHost.ForPair(logs, pair, ["fault_sync", "fault_async"], h =>
        {
            h.InstallOnStart = false;
            h.PollInterval = TimeSpan.FromMilliseconds(200);
            h.MinBackoff = TimeSpan.FromMilliseconds(100);
            h.MaxBackoff = TimeSpan.FromSeconds(1);
        });
        await host.StartAsync();
        GC.Collect();
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        using var stop = new CancellationTokenSource();
        var pause = TimeSpan.FromMilliseconds(5);
        var syncWriters = Writers.RunAsync(pair.Local.ConnectionString, "app.events_sync", writers: 4, items: 200, stop.Token, pause);
        var asyncWriters = Writers.RunAsync(pair.Local.ConnectionString, "app.events_async", writers: 4, items: 200, stop.Token, pause);
        var depthsBeforeCrash = new List<long>();
        var queueBytes = new List<long>();
        var cycles = new List<Cycle>();
        var crashes = 0;
        var start = DateTime.UtcNow;
        var end = start.AddSeconds(seconds);
        while (DateTime.UtcNow < end)
        {
            await Task.Delay(3000);
            var depth = await pair.QueueDepthAsync();
            depthsBeforeCrash.Add(depth);
            queueBytes.Add(await Db.ScalarAsync<long>(pair.Local.ConnectionString, QueueBytes));
            var crashedAt = DateTime.UtcNow;
            await pair.CrashDestinationAsync();
            crashes++;
            await Task.Delay(1500);
            var restart = System.Diagnostics.Stopwatch.StartNew();
            await pair.StartDestinationAsync();
            cycles.Add(new Cycle(crashedAt, (crashedAt - start).TotalSeconds, depth, LoadAverage(), restart.ElapsedMilliseconds));
        }

        await stop.CancelAsync();
        var written = (await syncWriters).Commits + (await asyncWriters).Commits;
        var errors = (await syncWriters).Errors.Concat((await asyncWriters).Errors).ToList();
        await WorkerHost.Eventually(
            async () => await pair.QueueDepthAsync() == 0,
            () => string.Join("\n", logs.Messages.TakeLast(10).Select(m => m.Message)),
            seconds: 120);
        await host.StopAsync();
        var verified = await new PgSyncVerifier(pair.LocalSource, pair.Options).VerifyAsync(PgSyncInstaller.Tables);
        GC.Collect();
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);

        output.WriteLine(
            $"soak {seconds} s: {written} commits, {crashes} destination crashes, queue depth before each crash {string.Join(", ", depthsBeforeCrash)}, " +
            $"rows verified {string.Join(", ", verified.Select(v => v.SourceCount))}, managed memory {memoryBefore} -> {memoryAfter} bytes, " +
            $"queue tables and indexes (bytes, each cycle) {string.Join(", ", queueBytes)}");
        Assert.Empty(errors);
        Assert.True(crashes >= 3, $"{crashes} crashes");
        Assert.True(written > 500, $"{written} commits");
        Assert.Equal(2, verified.Count);
        Assert.All(verified, v => Assert.True(v.IsEqual, v.ToString()));
        Assert.True(await pair.AssertEachChangeAppliedOnceAsync() > 0);
        // Three seconds up after each restart is enough to catch up: the queue never piles up across cycles.
        // When it does, the cycles over the bound say when, how loaded the machine was (1-minute load
        // average; the machine has 2 cores) and how long the destination took to start, and the
        // worker's warnings around then say what it met.
        var over = cycles.Skip(1).Where(c => c.Depth >= 2000).ToList();
        if (over.Count > 0)
        {
            output.WriteLine("cycles over the bound (at s, depth, load, restart ms): " + string.Join("; ", over.Select(c => FormattableString.Invariant($"{c.Second:0} {c.Depth} {c.Load:0.00} {c.RestartMs}"))));
            output.WriteLine("load average before them: " + string.Join(", ", cycles.Where(c => c.At < over[0].At).TakeLast(20).Select(c => c.Load.ToString("0.00", CultureInfo.InvariantCulture))));
            foreach (var m in logs.Messages.Where(m => m.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && m.At >= over[0].At.AddSeconds(-30) && m.At <= over[0].At.AddSeconds(60)).Take(60))
            {
                output.WriteLine(FormattableString.Invariant($"{(m.At - start).TotalSeconds:0.0} s {m.Level} {m.EventId.Id}: {Truncate(m.Message, 400)}"));
            }
        }

        output.WriteLine("load average (1 min) per quarter, max: " + string.Join(" / ", Quarters(cycles).Select(q => q.Count == 0 ? "-" : q.Max(c => c.Load).ToString("0.00", CultureInfo.InvariantCulture))));
        output.WriteLine("destination start ms per quarter, max: " + string.Join(" / ", Quarters(cycles).Select(q => q.Count == 0 ? "-" : q.Max(c => c.RestartMs).ToString(CultureInfo.InvariantCulture))));
        Assert.All(depthsBeforeCrash.Skip(1), d => Assert.True(d < 2000, "queue depth before a crash: " + string.Join(", ", depthsBeforeCrash)));
        Assert.True(memoryAfter - memoryBefore < 64L * 1024 * 1024, $"managed memory grew from {memoryBefore} to {memoryAfter} bytes");
        // No bloat: the worker's vacuum (and autovacuum) keeps the queue's tables and indexes at the size
        // of the backlog, so the second half of the run needs no more room than the first did (plus slack
        // for a deeper backlog).
        // Only the long form shows it: the short one ends before autovacuum's first round (a minute).
        output.WriteLine(await Db.ScalarAsync<string>(pair.Local.ConnectionString, QueueBreakdown));
        if (seconds >= 180)
        {
            var half = queueBytes.Count / 2;
            Assert.True(
                queueBytes.Skip(half).Max() <= (2 * queueBytes.Take(Math.Max(1, half)).Max()) + (2L * 1024 * 1024),
                "queue tables and indexes grew: " + string.Join(", ", queueBytes));
        }
    }

    private sealed record Cycle(DateTime At, double Second, long Depth, double Load, long RestartMs);

    private static IEnumerable<List<Cycle>> Quarters(List<Cycle> cycles) =>
        Enumerable.Range(0, 4).Select(q => cycles.Skip(q * cycles.Count / 4).Take(((q + 1) * cycles.Count / 4) - (q * cycles.Count / 4)).ToList());

    /// <summary>The 1-minute load average (Linux), or NaN elsewhere.</summary>
    private static double LoadAverage()
    {
        try
        {
            return double.Parse(System.IO.File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException or FormatException)
        {
            return double.NaN;
        }
    }

    private static string Truncate(string text, int most) => text.Length <= most ? text : text[..most] + "...";

    /// <summary>The queue's tables with their indexes and TOAST (the entries, the Sync staging, the destinations' state).</summary>
    private const string QueueBreakdown =
        "SELECT string_agg(format('%s %s bytes (table %s; %s live, %s dead rows, vacuumed %s times, by autovacuum %s)', c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), s.n_live_tup, s.n_dead_tup, s.vacuum_count, s.autovacuum_count), ', ') " +
        "FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid IN ('pgsync.sync_err_rec'::regclass, 'pgsync.sync_pending'::regclass, 'pgsync.dst_state'::regclass)";

    private const string QueueBytes =
        "SELECT pg_total_relation_size('pgsync.sync_err_rec') + pg_total_relation_size('pgsync.sync_pending') + pg_total_relation_size('pgsync.dst_state')";
}
