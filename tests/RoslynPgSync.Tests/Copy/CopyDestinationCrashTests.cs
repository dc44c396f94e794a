using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoslynPgSync.Copy;
using RoslynPgSync.Generated;
using RoslynPgSync.Hosting;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace RoslynPgSync.Tests.Copy;

/// <summary>
/// Issue 15, point 3 ("resumable and honest") against the destination: its cluster (one of the test's
/// own) crashed with <c>pg_ctl stop -m immediate</c> in the middle of a 200,000-row copy. The copy waits
/// with its one queued chunk, is never reported done while the destination lacks rows, goes on after the
/// chunk it had queued (applied once, not queued again) and ends with the destination equal to the
/// source and every row applied once.
/// </summary>
[Collection(CopyWorkers.Name)]
public sealed class CopyDestinationCrashTests(OwnClusterFixture destination, ITestOutputHelper output) : IClassFixture<OwnClusterFixture>
{
    private const string Items = "cp.items";
    private const string ItemsCopy = "cp_copy.items";
    private const string Server = "copy_async";
    private const int Rows = 200_000;
    private const int ChunkRows = 5000;

    [Fact]
    public async Task A_destination_crash_mid_copy_is_waited_out_and_the_waiting_chunk_applied_once()
    {
        var watch = Stopwatch.StartNew();
        await using var bed = await PreparedAsync();
        var logs = new CollectingLoggerProvider();
        var copier = new PgSyncCopier(bed.LocalSource, Options(bed), logs.CreateLogger("copy"));
        var copy = Task.Run(() => copier.RunAsync(PgSyncInstaller.Tables));

        await WorkerHost.Eventually(async () => await ChunksAsync(bed) >= 8 || copy.IsCompleted, seconds: 60);
        Assert.False(copy.IsCompleted, "the copy ended before the crash");
        var crashedAt = watch.ElapsedMilliseconds;
        await bed.CrashDestinationAsync();
        // The copier finds the destination gone and waits with the chunk it queued.
        await WorkerHost.Eventually(
            () => Task.FromResult(logs.Messages.Any(m => m.EventId.Id == PgSyncEventIds.CopyWaiting) || copy.IsCompleted),
            () => string.Join("\n", logs.Messages.TakeLast(5).Select(m => m.Message)));
        var down = await ProgressAsync(bed);
        var waiting = await WaitingChunksAsync(bed);
        await Task.Delay(1500);
        var stillDown = await ProgressAsync(bed);
        output.WriteLine($"destination down at {down} ({down.Chunks} chunks), {waiting} chunk(s) waiting; 1.5 s later {stillDown.Chunks} chunks");

        await bed.StartDestinationAsync();
        var done = (await copy.WaitAsync(TimeSpan.FromSeconds(60))).Single(c => c.Table == Items);
        output.WriteLine($"{done} in {done.Chunks} chunks; crashed at {crashedAt} ms, test {watch.ElapsedMilliseconds} ms");

        Assert.Equal(CopyStatus.Copying, down.Status);
        Assert.Null(down.FinishedAt);
        Assert.Equal(1, waiting);
        // While the destination is down no further chunk is queued: the queue holds one chunk of the copy.
        Assert.Equal(down.Chunks, stillDown.Chunks);
        Assert.Equal(CopyStatus.Copying, stillDown.Status);
        Assert.Equal(down.Chunks * ChunkRows, down.RowsCopied);
        await AssertCopiedOnceAsync(bed, done);
    }

    [Fact]
    public async Task A_copy_stopped_while_the_destination_is_down_resumes_after_its_queued_chunk_once_it_is_back()
    {
        var watch = Stopwatch.StartNew();
        await using var bed = await PreparedAsync();
        using var stop = new CancellationTokenSource();
        var copy = Task.Run(() => new PgSyncCopier(bed.LocalSource, Options(bed)).RunAsync(PgSyncInstaller.Tables, ct: stop.Token));
        await WorkerHost.Eventually(async () => await ChunksAsync(bed) >= 8 || copy.IsCompleted, seconds: 60);
        Assert.False(copy.IsCompleted, "the copy ended before the crash");

        // The destination crashes, and the app that ran the copy stops meanwhile.
        var crashedAt = watch.ElapsedMilliseconds;
        await bed.CrashDestinationAsync();
        await Task.Delay(500);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => copy);
        var stopped = await ProgressAsync(bed);
        var waiting = await WaitingChunksAsync(bed);

        // Started again while the destination is still down (an app restarting): it waits with that chunk, queues no other.
        using (var again = new CancellationTokenSource(TimeSpan.FromSeconds(1.5)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new PgSyncCopier(bed.LocalSource, Options(bed)).RunAsync(PgSyncInstaller.Tables, ct: again.Token));
        }

        var restarted = await ProgressAsync(bed);

        // The destination comes back (crash recovery) with every chunk but the one still queued.
        await bed.StartDestinationAsync();
        var applied = await Db.ScalarAsync<long>(bed.Remote.ConnectionString, $"SELECT count(*) FROM {ItemsCopy}");
        await Db.ExecuteAsync(bed.Local.ConnectionString, "SELECT pgsync.copy_settle()");
        var between = await ProgressAsync(bed);
        output.WriteLine($"stopped at {stopped} ({stopped.Chunks} chunks), {waiting} chunk(s) queued, {applied} rows on the destination");

        // The next install (what the app runs at its next start) resumes the copy.
        await PgSyncInstallation.InstallAsync(bed.LocalSource, Options(bed), PgSyncInstaller.Tables);
        var done = (await new PgSyncCopier(bed.LocalSource, Options(bed)).GetProgressAsync()).Single(c => c.Table == Items);
        output.WriteLine($"{done}; crashed at {crashedAt} ms, test {watch.ElapsedMilliseconds} ms");

        Assert.Equal(CopyStatus.Copying, stopped.Status);
        Assert.Equal(1, waiting);
        Assert.Equal(stopped.Chunks * ChunkRows, stopped.RowsCopied);
        Assert.Equal((stopped.Chunks, stopped.RowsCopied, stopped.LastKey), (restarted.Chunks, restarted.RowsCopied, restarted.LastKey));
        Assert.Equal((stopped.Chunks - 1) * ChunkRows, applied);
        // Up with rows missing, and settled: still not done until the queued chunk has been applied.
        Assert.Equal(CopyStatus.Copying, between.Status);
        await AssertCopiedOnceAsync(bed, done);
    }

    [Fact]
    public async Task The_hosted_worker_waits_out_a_destination_crash_mid_copy_and_reports_the_copy_running_meanwhile()
    {
        var watch = Stopwatch.StartNew();
        await using var bed = await PreparedAsync(install: false);
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.Build(logs, services =>
        {
            services.AddPgSync(
                PgSyncInstaller.Tables,
                o => { o.NodeName = "local"; o.CreateMissingTables = true; o.InitialCopyChunkRows = ChunkRows; o.AddServer(Server, bed.Remote.ConnectionString); },
                h =>
                {
                    h.LocalConnectionString = bed.Local.ConnectionString;
                    h.PollInterval = TimeSpan.FromMilliseconds(100);
                    h.MinBackoff = TimeSpan.FromMilliseconds(100);
                    h.MaxBackoff = TimeSpan.FromSeconds(1);
                });
            services.AddHealthChecks().AddPgSync();
        });
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var monitor = host.Services.GetRequiredService<PgSyncMonitor>();
        await host.StartAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));
        await WorkerHost.Eventually(async () => await ChunksAsync(bed) >= 8, seconds: 60);

        var crashedAt = watch.ElapsedMilliseconds;
        await bed.CrashDestinationAsync();
        await Task.Delay(2000);
        var down = (await monitor.GetCopiesAsync()).Single(c => c.Table == Items);
        var degraded = (await health.CheckHealthAsync()).Entries["pgsync"];
        var waiting = await WaitingChunksAsync(bed);
        await bed.StartDestinationAsync();

        await WorkerHost.Eventually(
            async () => !(await monitor.GetCopiesAsync()).Any(c => c.IsRunning),
            () => string.Join("\n", logs.Messages.TakeLast(10).Select(m => m.Message)),
            seconds: 60);
        var healthy = (await health.CheckHealthAsync()).Entries["pgsync"];
        await host.StopAsync();
        var done = (await monitor.GetCopiesAsync()).Single(c => c.Table == Items);
        output.WriteLine($"down at {down} ({down.Chunks} chunks, {waiting} waiting); {done}; crashed at {crashedAt} ms, test {watch.ElapsedMilliseconds} ms");

        Assert.Equal(CopyStatus.Copying, down.Status);
        Assert.True(down.RowsCopied < Rows, down.ToString());
        Assert.Equal(1, waiting);
        Assert.NotEqual(HealthStatus.Healthy, degraded.Status);
        Assert.Contains($"initial copy of {Items} to {Server} running", degraded.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        await AssertCopiedOnceAsync(bed, done);
    }

    /// <summary>
    /// Done with exactly the source's rows in exactly as many chunks as a copy that never stopped (the
    /// queued chunk was not queued a second time), the destination equal, each row written there once.
    /// </summary>
    private static async Task AssertCopiedOnceAsync(TestBed bed, CopyProgress done)
    {
        Assert.Equal(CopyStatus.Done, done.Status);
        Assert.Equal(Rows, done.RowsCopied);
        Assert.Equal(Rows / ChunkRows, done.Chunks);
        Assert.NotNull(done.FinishedAt);
        Assert.Equal(0, await bed.QueueDepthAsync());
        Assert.Equal(0L, await WaitingChunksAsync(bed));
        Assert.Equal(await CopyItems.DigestAsync(bed.Local.ConnectionString, Items), await CopyItems.DigestAsync(bed.Remote.ConnectionString, ItemsCopy));
        Assert.Equal(Rows, await bed.AssertEachChangeAppliedOnceAsync());
    }

    /// <summary>
    /// A pair whose remote node is the fixture's cluster, 200,000 rows in cp.items, its target created
    /// empty and watched (ApplicationLog); installed without running the copy unless <paramref name="install"/> is false.
    /// </summary>
    private async Task<TestBed> PreparedAsync(bool install = true)
    {
        var bed = await TestBed.Create().Node("remote", destination.Cluster).Pair(Server).BuildAsync();
        try
        {
            var items = PgSyncInstaller.Tables.Single(t => t.SourceTable == "items");
            await CopyItems.FillAsync(bed, Rows);
            await Db.ExecuteAsync(bed.Remote.ConnectionString, items.Targets[0].CreateTableSql);
            await bed.LogApplicationsAsync(ItemsCopy);
            if (install)
            {
                await PgSyncInstallation.InstallAsync(bed.LocalSource, Options(bed), PgSyncInstaller.Tables, logger: null, copy: false, CancellationToken.None);
            }

            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    private static PgSyncOptions Options(TestBed bed)
    {
        var options = bed.Options;
        options.InitialCopyChunkRows = ChunkRows;
        return options;
    }

    private static async Task<CopyProgress> ProgressAsync(TestBed bed) =>
        (await new PgSyncCopier(bed.LocalSource, bed.Options).GetProgressAsync()).Single(c => c.Table == Items);

    private static Task<long> ChunksAsync(TestBed bed) =>
        Db.ScalarAsync<long>(bed.Local.ConnectionString, "SELECT COALESCE((SELECT chunks FROM pgsync.copy_state WHERE table_name = 'items'), 0)");

    /// <summary>The chunks of the copy queued and not yet applied.</summary>
    private static Task<long> WaitingChunksAsync(TestBed bed) =>
        Db.ScalarAsync<long>(bed.Local.ConnectionString, "SELECT count(*) FROM pgsync.copy_chunk WHERE table_name = 'items'");
}
