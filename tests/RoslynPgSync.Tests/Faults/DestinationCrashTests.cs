using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Npgsql;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// The destination is a cluster of its own, crashed with <c>pg_ctl stop -m immediate</c> while
/// writers and the replay worker run: writes go on, and afterwards both sides are equal, the queue
/// is empty and every key holds its last version.
/// </summary>
public sealed class DestinationCrashTests(OwnClusterFixture destination) : IClassFixture<OwnClusterFixture>
{
    /// <summary>The Async table the single-destination tests write.</summary>
    private const string Table = "app.events_async";

    [Theory]
    [InlineData("fault_sync", "app.events_sync")]
    [InlineData("fault_async", "app.events_async")]
    public async Task Destination_crash_during_an_eight_writer_burst_loses_nothing(string server, string table)
    {
        await using var pair = await TestBed.Create().Node("remote", destination.Cluster).Pair(server).InstallAsync(PgSyncInstaller.Tables);
        await pair.LogApplicationsAsync(table);
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, pair, [server], h =>
        {
            h.PollInterval = TimeSpan.FromMilliseconds(200);
            h.MinBackoff = TimeSpan.FromMilliseconds(100);
            h.MaxBackoff = TimeSpan.FromSeconds(1);
        });
        await host.StartAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));

        using var stop = new CancellationTokenSource();
        var writing = Writers.RunAsync(pair.Local.ConnectionString, table, writers: 8, items: 50, stop.Token);
        await Task.Delay(1500);
        await pair.CrashDestinationAsync();
        await Task.Delay(2000);
        // Down until the worker has met the outage: on a loaded machine its cycle (resolve, vacuum,
        // status) can outlast two seconds, and a destination back before the next batch is no outage.
        var outage = $"Destination {server} failed";
        await WorkerHost.Eventually(
            () => Task.FromResult(logs.Messages.Any(m => m.Message.Contains(outage, StringComparison.Ordinal))),
            () => "the outage was not reported; the worker logged:\n" + string.Join("\n", logs.Messages.Select(m => $"{m.Level} {m.Message}")),
            seconds: 30);
        var queuedDuringOutage = await pair.QueueDepthAsync(server);
        await pair.StartDestinationAsync();
        await Task.Delay(1500);
        await stop.CancelAsync();
        var written = await writing;

        await WorkerHost.Eventually(
            async () => await pair.QueueDepthAsync() == 0 && await pair.EqualAsync(table, table, "writer, item"),
            () => string.Join("\n", logs.Messages.TakeLast(20).Select(m => m.Message)),
            seconds: 60);
        await host.StopAsync();

        Assert.Empty(written.Errors);
        Assert.True(written.Commits > 200, $"only {written.Commits} commits");
        Assert.True(await pair.AssertEachChangeAppliedOnceAsync() > 200);
        Assert.True(queuedDuringOutage > 0, "nothing was queued while the destination was down: the crash missed the burst");
        Assert.DoesNotContain(logs.Messages, m => m.Message.Contains(pair.Remote.OwnerPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Destination_crash_in_the_middle_of_a_replay_batch_is_replayed_whole_later()
    {
        await using var pair = await BigBatchAsync(fill: 'x', updateEvery: 2);

        var entries = await pair.QueueDepthAsync();
        var replay = pair.ReplayAsync();
        var remotePid = await Db.WaitForActiveQueryAsync(pair.Remote.AdminConnectionString, pair.Remote.OwnerRole, "BEGIN; SET LOCAL%", TimeSpan.FromSeconds(30));
        await pair.CrashDestinationAsync();

        Assert.True(remotePid > 0);
        Assert.Equal(0, await replay);
        Assert.Equal(entries, await pair.QueueDepthAsync());
        Assert.NotNull(await Db.ScalarAsync<string>(pair.Local.ConnectionString, "SELECT last_error FROM pgsync.status WHERE dst_server = 'fault_async'"));

        await pair.StartDestinationAsync();
        Assert.Equal((int)entries, await pair.ReplayAsync());
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.True(await pair.EqualAsync(Table, Table, "writer, item"));
        Assert.Equal(200_000, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, $"SELECT count(*) FROM {Table}"));
        Assert.Equal(200_000 + 100_000, await pair.AssertEachChangeAppliedOnceAsync());
    }

    [Fact]
    public async Task Source_backend_terminated_between_remote_commit_and_local_delete_replays_without_doubling()
    {
        await using var pair = await AppliedButStillQueuedAsync();

        // Later changes to the same keys, then the replay: the destination's record says the old batch
        // arrived, so it leaves the queue without being applied again, and only the two new ones go.
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"UPDATE {Table} SET version = 3, payload = 'third' WHERE item % 3 = 0");
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"DELETE FROM {Table} WHERE item % 7 = 0");
        Assert.Equal(2, await pair.ReplayAsync());

        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.True(await pair.EqualAsync(Table, Table, "writer, item"));
        // 1,000 inserts, 500 updates to version 2, 340 to version 3, 150 deletes (items 0, 7, ..., 98 of
        // each of 10 writers): each once (before, a destination trigger saw the first batch twice).
        Assert.Equal(1_000 + 500 + 340 + 150, await pair.AssertEachChangeAppliedOnceAsync());
    }

    [Fact]
    public async Task A_worker_whose_whole_batch_the_destination_already_has_removes_it_and_goes_on()
    {
        await using var pair = await AppliedButStillQueuedAsync();

        // A worker that does not settle first (ResolveInterval far away): its batch is all applied already.
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, pair, ["fault_async"], h =>
        {
            h.InstallOnStart = false;
            h.ResolveInterval = TimeSpan.FromHours(1);
            h.PollInterval = TimeSpan.FromMilliseconds(200);
        });
        await host.StartAsync();
        await Task.Delay(200); // (the first cycle settles once; a new entry arrives after it)
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"UPDATE {Table} SET version = 3, payload = 'third' WHERE item = 0");
        await WorkerHost.Eventually(async () => await pair.QueueDepthAsync() == 0, () => string.Join("\n", logs.Messages.TakeLast(10).Select(m => m.Message)));
        await host.StopAsync();

        Assert.True(await pair.EqualAsync(Table, Table, "writer, item"));
        Assert.Equal(1_000 + 500 + 10, await pair.AssertEachChangeAppliedOnceAsync());
        Assert.DoesNotContain(logs.Messages, m => m.Message.Contains("failed", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Worker_connection_killed_mid_batch_repeatedly_still_drains_everything_once()
    {
        await using var pair = await TestBed.Create().Node("remote", destination.Cluster).Pair("fault_async").InstallAsync(PgSyncInstaller.Tables);
        await pair.LogApplicationsAsync(Table);
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Table} SELECT g / 100, g % 100, 1, repeat('y', 2000) FROM generate_series(0, 19999) g");
        for (var i = 0; i < 400; i++)
        {
            await Db.ExecuteAsync(pair.Local.ConnectionString, $"UPDATE {Table} SET version = version + 1, payload = $2 WHERE writer = $1", i % 200, "round " + i);
        }

        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, pair, ["fault_async"], h =>
        {
            h.BatchSize = 20;
            h.PollInterval = TimeSpan.FromMilliseconds(200);
            h.MinBackoff = TimeSpan.FromMilliseconds(100);
            h.MaxBackoff = TimeSpan.FromSeconds(1);
        });
        await host.StartAsync();
        // (Not before the install is done: its scripts mention apply_pending too, and a kill of the install is
        // no kill of a batch. CI once had its first kill land there and no replay cycle fail.)
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));

        var kills = 0;
        while (kills < 3)
        {
            // (The batch found may end before the kill reaches it: then the next one is killed.)
            var pid = await Db.WaitForActiveQueryAsync(pair.Local.AdminConnectionString, pair.Local.OwnerRole, "%apply_pending%", TimeSpan.FromSeconds(30));
            kills += await Db.ScalarAsync<bool>(pair.Local.AdminConnectionString, "SELECT pg_terminate_backend($1)", pid) ? 1 : 0;
        }

        await WorkerHost.Eventually(
            async () => await pair.QueueDepthAsync() == 0,
            () => string.Join("\n", logs.Messages.TakeLast(20).Select(m => m.Message)),
            seconds: 60);
        await host.StopAsync();

        Assert.Equal(3, kills);
        Assert.True(await pair.EqualAsync(Table, Table, "writer, item"));
        Assert.Equal(20_000 + 400 * 100, await pair.AssertEachChangeAppliedOnceAsync());
        Assert.True(
            logs.Messages.Any(m => m.Message.Contains("Replay cycle failed", StringComparison.Ordinal)),
            string.Join("\n", logs.Messages.Select(m => m.Message)));
    }

    [Fact]
    public async Task Replay_process_killed_mid_batch_leaves_the_batch_whole_for_the_next_replay()
    {
        await using var pair = await BigBatchAsync(fill: 'z', updateEvery: 4);

        var entries = await pair.QueueDepthAsync();

        // The pgsync tool in a process of its own, killed (SIGKILL) while its batch is on the destination.
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { System.IO.Path.Combine(AppContext.BaseDirectory, "RoslynPgSync.Tool.dll"), "replay", "--assembly", typeof(PgSyncInstaller).Assembly.Location, "--limit", "1000000" },
            Environment =
            {
                ["PgSync__LocalConnectionString"] = pair.Local.ConnectionString,
                ["PgSync__Servers__fault_async"] = pair.Remote.ConnectionString,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        await Db.WaitForActiveQueryAsync(pair.Remote.AdminConnectionString, pair.Remote.OwnerRole, "BEGIN; SET LOCAL%", TimeSpan.FromSeconds(60));
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        Assert.NotEqual(0, process.ExitCode);

        // Its backend finishes or aborts the batch on its own: the queue holds all of it or none, never part.
        await WorkerHost.Eventually(async () => await Db.ScalarAsync<long>(
            pair.Local.AdminConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND query LIKE '%deal_sync_err_rec%' AND state <> 'idle'", pair.Local.OwnerRole) == 0);
        var left = await pair.QueueDepthAsync();
        Assert.True(left == entries || left == 0, $"{left} of {entries} entries left");

        await pair.ReplayAsync();
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.True(await pair.EqualAsync(Table, Table, "writer, item"));
        Assert.Equal(200_000, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, $"SELECT count(*) FROM {Table}"));
        Assert.Equal(200_000 + 50 * 1_000, await pair.AssertEachChangeAppliedOnceAsync());
    }

    /// <summary>
    /// A replay (deal_sync_err_rec) that commits on the destination and has its backend terminated before
    /// its local delete: a lock held on the first queue entry keeps it waiting exactly there.
    /// </summary>
    private static async Task KillReplayAfterItsRemoteCommitAsync(TestBed pair, string table)
    {
        await using var holder = new NpgsqlConnection(pair.Local.AdminConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockEntry = new NpgsqlCommand("SELECT id FROM pgsync.sync_err_rec ORDER BY id LIMIT 1 FOR UPDATE", holder, hold))
        {
            await lockEntry.ExecuteScalarAsync();
        }

        var replay = pair.ReplayAsync();
        var pid = await WaitForLockWaitAsync(pair.Local.AdminConnectionString, pair.Local.OwnerRole);
        Assert.True(await pair.EqualAsync(table, table, "writer, item"), "the destination has not committed the batch yet");
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "SELECT pg_terminate_backend($1)", pid);
        var killed = await Assert.ThrowsAnyAsync<Exception>(() => replay);
        Assert.True(killed is NpgsqlException or InvalidOperationException, killed.ToString());
        await hold.RollbackAsync();
    }

    /// <summary>Waits until a session of <paramref name="role"/> waits for a lock, and returns its pid.</summary>
    private static async Task<int> WaitForLockWaitAsync(string adminConnectionString, string role)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await Db.ScalarAsync<int?>(
                    adminConnectionString,
                    "SELECT pid FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock' LIMIT 1",
                    role) is int pid)
            {
                return pid;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"No session of {role} waited for a lock within 30 s.");
    }

    /// <summary>A pair whose queue holds one 200,000-row INSERT and then an UPDATE of every <paramref name="updateEvery"/>th writer's rows: a replay batch that takes long enough to crash in.</summary>
    private async Task<TestBed> BigBatchAsync(char fill, int updateEvery)
    {
        var pair = await TestBed.Create().Node("remote", destination.Cluster).Pair("fault_async").InstallAsync(PgSyncInstaller.Tables);
        try
        {
            await pair.LogApplicationsAsync(Table);
            await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Table} SELECT g / 1000, g % 1000, 1, repeat('{fill}', 100) FROM generate_series(0, 199999) g");
            for (var writer = 0; writer < 200; writer += updateEvery)
            {
                await Db.ExecuteAsync(pair.Local.ConnectionString, $"UPDATE {Table} SET version = 2, payload = 'second' WHERE writer = $1", writer);
            }

            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A pair whose two queued entries (1,000 inserts, 500 updates) the destination committed while the
    /// replay that sent them was killed before its local delete: applied there, still queued here.
    /// </summary>
    private async Task<TestBed> AppliedButStillQueuedAsync()
    {
        var pair = await TestBed.Create().Node("remote", destination.Cluster).Pair("fault_async").InstallAsync(PgSyncInstaller.Tables);
        try
        {
            await pair.LogApplicationsAsync(Table);
            await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Table} SELECT g / 100, g % 100, 1, 'first' FROM generate_series(0, 999) g");
            await Db.ExecuteAsync(pair.Local.ConnectionString, $"UPDATE {Table} SET version = 2, payload = 'second' WHERE item < 50");

            await KillReplayAfterItsRemoteCommitAsync(pair, Table);
            Assert.Equal(2, await pair.QueueDepthAsync());
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }
}
