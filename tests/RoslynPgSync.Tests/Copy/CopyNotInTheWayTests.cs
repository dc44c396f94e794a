using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Copy;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Queue;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace RoslynPgSync.Tests.Copy;

/// <summary>
/// Issue 15, "not in the way": while one table is copied, the other tables to the same destination keep
/// replicating. A Sync commit of another table is sent at its commit, around the queued copy chunk
/// (flush_at_commit), and is never queued behind it; a change to a row of the copied table still goes
/// behind the chunk that carries the row's older image; a destination constraint across tables (a
/// foreign key to a row the chunk brings) makes the send around it fail, and the change is queued behind
/// the chunk, not lost.
/// </summary>
/// <remarks>
/// Tables (Models/CopyTables.cs, server copy_busy): cpb.bulk (Sync, the copied one), cpb.live (Sync),
/// cpb.firm (Strict) and cpb.feed (Async). A trigger on the local queue logs every cpb.live and cpb.firm
/// entry that is ever written into it (cpb.queued): a Sync entry sent around the chunk never is.
/// Timings are printed, not asserted, but for bounds that only catch a commit that hangs.
/// </remarks>
public sealed class CopyNotInTheWayTests(ITestOutputHelper output)
{
    private const string Server = "copy_busy";
    private const string Bulk = "cpb.bulk";

    [Fact]
    public async Task Sync_commits_of_another_table_go_around_a_queued_chunk_and_a_change_to_a_copied_row_goes_behind_it()
    {
        await using var bed = await BedAsync(30_000);
        // Destination-only foreign keys: a row of live or firm may need a bulk row that only a chunk brings.
        await Db.ExecuteAsync(
            bed.Remote.ConnectionString,
            "ALTER TABLE cpb_copy.live ADD CONSTRAINT live_bulk FOREIGN KEY (bulk_id) REFERENCES cpb_copy.bulk (id); " +
            "ALTER TABLE cpb_copy.firm ADD CONSTRAINT firm_bulk FOREIGN KEY (bulk_id) REFERENCES cpb_copy.bulk (id)");

        // Hold the destination's lock: the copier queues its first chunk (rows 1-10000) and cannot apply it.
        await using var holder = new NpgsqlConnection(bed.Local.ConnectionString);
        await holder.OpenAsync();
        await Db.ExecuteAsync(holder, $"BEGIN; SELECT pg_advisory_xact_lock({PgSyncQueue.DestinationLockSpace}, hashtext('{Server}'))");
        var copy = Task.Run(() => new PgSyncCopier(bed.LocalSource, bed.Options).RunAsync(PgSyncInstaller.Tables));
        await WorkerHost.Eventually(async () => await QueuedChunksAsync(bed) == 1, seconds: 60);
        var chunk = await Db.ScalarAsync<long>(bed.Local.ConnectionString, "SELECT entry_id FROM pgsync.copy_chunk");

        // (a) Another Sync table: each commit is at the destination when it returns, and nothing is queued.
        await using var writer = new NpgsqlConnection(bed.Local.ConnectionString + ";Command Timeout=20");
        await writer.OpenAsync();
        var latencies = new List<double>();
        for (var i = 1; i <= 20; i++)
        {
            var watch = Stopwatch.StartNew();
            await Db.ExecuteAsync(writer, $"INSERT INTO cpb.live VALUES ({i}, NULL, 'around')");
            latencies.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(1L, await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM cpb_copy.live WHERE id = $1", i));
        }

        await Db.ExecuteAsync(writer, "UPDATE cpb.live SET note = 'updated around' WHERE id <= 10");
        Assert.Equal(10L, await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM cpb_copy.live WHERE note = 'updated around'"));
        output.WriteLine($"Sync commits of cpb.live with a chunk of cpb.bulk queued and held: {Summary(latencies)}");
        Assert.True(await EntryQueuedAsync(bed, chunk), "the chunk is still queued: the commits went around it");
        Assert.Equal(0L, await LoggedAsync(bed, "live"));

        // (c) A Sync change to a row of the queued chunk waits for the chunk and is applied after it.
        var behind = Task.Run(() => Db.ExecuteAsync(bed.Local.ConnectionString, "UPDATE cpb.bulk SET version = 2, payload = 'after the chunk' WHERE id = 5"));
        // (d) Rows that need a bulk row only the queued chunk brings. Sync: the send around the chunk fails
        // on the foreign key, the entry is queued behind the chunk, and the commit returns.
        await Db.ExecuteAsync(writer, "INSERT INTO cpb.live VALUES (100, 7, 'needs bulk row 7')");
        Assert.Equal(1L, await LoggedAsync(bed, "live"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM cpb_copy.live WHERE id = 100"));
        Assert.Contains("foreign key", await Db.ScalarAsync<string>(bed.Local.ConnectionString, "SELECT last_error FROM pgsync.dst_state WHERE dst_server = $1", Server), StringComparison.Ordinal);
        // Strict: it tries again in order, behind the chunk (so it waits for the lock the test holds) instead of failing.
        var strict = Task.Run(() => Db.ExecuteAsync(bed.Local.ConnectionString, "INSERT INTO cpb.firm VALUES (1, 8)"));
        await Task.Delay(1000);
        Assert.False(behind.IsCompleted, "the change to a row of the queued chunk must wait for the chunk");
        Assert.False(strict.IsCompleted, "the Strict change needing a row of the chunk waits for it");
        Assert.True(await EntryQueuedAsync(bed, chunk));

        await Db.ExecuteAsync(holder, "COMMIT");
        await behind.WaitAsync(TimeSpan.FromSeconds(60));
        await strict.WaitAsync(TimeSpan.FromSeconds(60));
        var done = (await copy.WaitAsync(TimeSpan.FromSeconds(120))).Single(c => c.Table == Bulk);
        while (await bed.ReplayAsync() > 0)
        {
        }

        Assert.Equal(CopyStatus.Done, done.Status);
        Assert.Equal("2 after the chunk", await Db.ScalarAsync<string>(bed.Remote.ConnectionString, "SELECT version || ' ' || payload FROM cpb_copy.bulk WHERE id = 5"));
        Assert.Equal(1L, await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM cpb_copy.live WHERE id = 100 AND bulk_id = 7"));
        Assert.Equal(1L, await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM cpb_copy.firm WHERE id = 1 AND bulk_id = 8"));
        await AssertEqualAsync(bed);
        Assert.Equal(0L, await bed.QueueDepthAsync());
    }

    /// <summary>
    /// A REPEATABLE READ writer whose snapshot predates the chunk cannot see it in the queue, and the chunk's
    /// FOR SHARE lock gives it no serialization failure of its own: the chunk marks its table (replicated_table),
    /// so the writer's commit fails with a serialization failure instead of sending its change ahead of the chunk;
    /// retried, it sees the chunk and goes behind it.
    /// </summary>
    [Fact]
    public async Task A_repeatable_read_writer_whose_snapshot_predates_the_chunk_fails_to_serialize_and_its_retry_goes_behind_it()
    {
        await using var bed = await BedAsync(30_000);
        await using var holder = new NpgsqlConnection(bed.Local.ConnectionString);
        await holder.OpenAsync();
        await Db.ExecuteAsync(holder, $"BEGIN; SELECT pg_advisory_xact_lock({PgSyncQueue.DestinationLockSpace}, hashtext('{Server}'))");
        // The writer's snapshot is taken before the chunk is queued, so it never sees the chunk in the queue.
        await using var writer = new NpgsqlConnection(bed.Local.ConnectionString + ";Command Timeout=60");
        await writer.OpenAsync();
        await Db.ExecuteAsync(writer, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM cpb.live");
        var copy = Task.Run(() => new PgSyncCopier(bed.LocalSource, bed.Options).RunAsync(PgSyncInstaller.Tables));
        await WorkerHost.Eventually(async () => await QueuedChunksAsync(bed) == 1, seconds: 60);

        const string Update = "UPDATE cpb.bulk SET version = 2, payload = 'repeatable read' WHERE id = 5";
        var failure = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(writer, Update + "; COMMIT"));
        Assert.Equal(PostgresErrorCodes.SerializationFailure, failure.SqlState);
        await Db.ExecuteAsync(writer, "ROLLBACK");
        // The retry, as an application retries a serialization failure: it sees the chunk and waits behind it.
        var retry = Task.Run(() => Db.ExecuteAsync(writer, "BEGIN ISOLATION LEVEL REPEATABLE READ; " + Update + "; COMMIT"));
        await Task.Delay(1000);
        var waited = !retry.IsCompleted;
        await Db.ExecuteAsync(holder, "COMMIT");
        await retry.WaitAsync(TimeSpan.FromSeconds(60));
        await copy.WaitAsync(TimeSpan.FromSeconds(120));
        while (await bed.ReplayAsync() > 0)
        {
        }

        output.WriteLine($"the retried commit waited for the chunk: {waited}");
        Assert.True(waited);
        Assert.Equal("2 repeatable read", await Db.ScalarAsync<string>(bed.Remote.ConnectionString, "SELECT version || ' ' || payload FROM cpb_copy.bulk WHERE id = 5"));
        await AssertEqualAsync(bed);
    }

    [Fact]
    public async Task While_200000_rows_are_copied_Sync_commits_of_another_table_reach_the_destination_at_their_commit_and_none_is_queued()
    {
        const int rows = 200_000;
        await using var bed = await BedAsync(rows);
        var copy = Task.Run(() => new PgSyncCopier(bed.LocalSource, bed.Options).RunAsync(PgSyncInstaller.Tables));
        await WorkerHost.Eventually(async () => await ChunksAsync(bed) >= 1, seconds: 60);

        await using var writer = new NpgsqlConnection(bed.Local.ConnectionString + ";Command Timeout=20");
        await writer.OpenAsync();
        var aroundChunk = new List<double>();
        var clear = new List<double>();
        var missing = new List<int>();
        var id = 0;
        var watch = Stopwatch.StartNew();
        while (!copy.IsCompleted)
        {
            id++;
            await using var transaction = await writer.BeginTransactionAsync();
            await Db.ExecuteAsync(writer, $"INSERT INTO cpb.live VALUES ({id}, NULL, 'during the copy')");
            // Was a chunk queued (committed, not applied yet) just before this commit?
            await using var probe = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pgsync.copy_chunk AS k JOIN pgsync.sync_err_rec AS e ON e.id = k.entry_id)", writer, transaction);
            var queued = (bool)(await probe.ExecuteScalarAsync())!;
            var commit = Stopwatch.StartNew();
            await transaction.CommitAsync();
            (queued ? aroundChunk : clear).Add(commit.Elapsed.TotalMilliseconds);
            if (await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM cpb_copy.live WHERE id = $1", id) != 1)
            {
                missing.Add(id);
            }

            await Task.Delay(5);
        }

        var progress = (await copy).Single(c => c.Table == Bulk);
        output.WriteLine($"copy of {rows} rows ({progress.Chunks} chunks) in {watch.ElapsedMilliseconds} ms, {id} Sync commits of cpb.live meanwhile");
        output.WriteLine($"commit latency with a chunk queued: {Summary(aroundChunk)}");
        output.WriteLine($"commit latency with no chunk queued: {Summary(clear)}");
        Assert.Equal(CopyStatus.Done, progress.Status);
        Assert.Empty(missing);
        Assert.Equal(0L, await LoggedAsync(bed, "live"));
        Assert.True(aroundChunk.Count >= 5, $"only {aroundChunk.Count} commits ran while a chunk was queued");
        Assert.True(aroundChunk.Concat(clear).Max() < 5000, "a Sync commit hung");
        await AssertEqualAsync(bed);
    }

    [Fact]
    public async Task With_the_hosted_worker_copying_an_Async_table_to_the_same_destination_lags_a_few_seconds_at_most()
    {
        const int rows = 200_000;
        await using var bed = await BedAsync(rows);
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, bed, [Server], h => h.PollInterval = TimeSpan.FromMilliseconds(100), o => o.InitialCopy = InitialCopyMode.Never);
        await host.StartAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));
        await WorkerHost.Eventually(async () => await ChunksAsync(bed) >= 1, seconds: 60);

        // One writer of cpb.feed (Async, one row per transaction), one reader of the destination: the lag of
        // each row is the time from its commit until the reader first sees it (rows arrive in id order).
        using var stop = new CancellationTokenSource();
        var committed = new Dictionary<int, long>();
        var seen = new Dictionary<int, long>();
        var last = 0;
        var write = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(bed.Local.ConnectionString);
            await connection.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                await Db.ExecuteAsync(connection, $"INSERT INTO cpb.feed VALUES ({last + 1}, 'during the copy')");
                lock (committed)
                {
                    committed[++last] = Stopwatch.GetTimestamp();
                }

                await Task.Delay(20);
            }
        });
        var read = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(bed.Remote.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT COALESCE(max(id), 0) FROM cpb_copy.feed", connection);
            var max = 0;
            while (!stop.IsCancellationRequested || max < Volatile.Read(ref last))
            {
                var now = (int)(await command.ExecuteScalarAsync())!;
                var at = Stopwatch.GetTimestamp();
                for (var i = max + 1; i <= now; i++)
                {
                    seen[i] = at;
                }

                max = Math.Max(max, now);
                await Task.Delay(10);
            }
        });

        var watch = Stopwatch.StartNew();
        await WorkerHost.Eventually(
            async () => (await new PgSyncCopier(bed.LocalSource, bed.Options).GetProgressAsync()).Single(c => c.Table == Bulk).Status == CopyStatus.Done,
            seconds: 300);
        var during = Volatile.Read(ref last);
        var copied = watch.ElapsedMilliseconds;
        await stop.CancelAsync();
        await write;
        await read.WaitAsync(TimeSpan.FromSeconds(60));
        await host.StopAsync();

        var lags = committed.Where(c => c.Key <= during).Select(c => Stopwatch.GetElapsedTime(c.Value, seen[c.Key]).TotalMilliseconds).ToList();
        output.WriteLine($"copy of {rows} rows through the worker in {copied} ms; {during} Async commits of cpb.feed meanwhile");
        output.WriteLine($"cpb.feed lag (commit to visible at the destination): {Summary(lags)}");
        Assert.True(during >= 20, $"only {during} Async commits ran during the copy");
        Assert.True(lags.Max() < 5000, $"cpb.feed lagged {lags.Max():F0} ms during the copy");
        await AssertEqualAsync(bed);
    }

    /// <summary>
    /// The four tables with <paramref name="bulkRows"/> rows in cpb.bulk, installed with no copy recorded but
    /// cpb.bulk's (the others are written during it: a copy of theirs would be a chunk of their own table),
    /// and the log of cpb.live and cpb.firm entries written into the queue.
    /// </summary>
    private static async Task<TestBed> BedAsync(int bulkRows)
    {
        var bed = await TestBed.Create().Pair(Server).Configure("local", o => o.InitialCopy = InitialCopyMode.Never).BuildAsync();
        try
        {
            var sources = string.Concat(PgSyncInstaller.Tables.Where(t => t.SourceSchema == "cpb").Select(t => t.CreateTableSql));
            await Db.ExecuteAsync(
                bed.Local.ConnectionString,
                sources + $"INSERT INTO cpb.bulk SELECT g, 1, md5(g::text) || repeat('p', g % 100) FROM generate_series(1, {bulkRows}) AS g");
            await PgSyncInstallation.InstallAsync(bed.LocalSource, bed.Options, PgSyncInstaller.Tables, logger: null, copy: false, CancellationToken.None);
            await new PgSyncCopier(bed.LocalSource, bed.Options).RestartAsync(PgSyncInstaller.Tables, replace: false, table: Bulk);
            await Db.ExecuteAsync(
                bed.Local.ConnectionString,
                "CREATE TABLE cpb.queued (id bigint, table_name text); " +
                "CREATE FUNCTION cpb.log_queued() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO cpb.queued VALUES (NEW.id, NEW.table_name); RETURN NULL; END $$; " +
                "CREATE TRIGGER log_queued AFTER INSERT ON pgsync.sync_err_rec FOR EACH ROW WHEN (NEW.table_name IN ('live', 'firm')) EXECUTE FUNCTION cpb.log_queued()");
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    private static Task<long> ChunksAsync(TestBed bed) =>
        Db.ScalarAsync<long>(bed.Local.ConnectionString, "SELECT COALESCE((SELECT chunks FROM pgsync.copy_state WHERE table_name = 'bulk'), 0)");

    private static Task<long> QueuedChunksAsync(TestBed bed) =>
        Db.ScalarAsync<long>(bed.Local.ConnectionString, "SELECT count(*) FROM pgsync.copy_chunk AS k JOIN pgsync.sync_err_rec AS e ON e.id = k.entry_id");

    private static Task<bool> EntryQueuedAsync(TestBed bed, long entry) =>
        Db.ScalarAsync<bool>(bed.Local.ConnectionString, "SELECT EXISTS (SELECT 1 FROM pgsync.sync_err_rec WHERE id = $1)", entry);

    private static Task<long> LoggedAsync(TestBed bed, string table) =>
        Db.ScalarAsync<long>(bed.Local.ConnectionString, "SELECT count(*) FROM cpb.queued WHERE table_name = $1", table);

    private static async Task AssertEqualAsync(TestBed bed)
    {
        foreach (var table in new[] { "bulk", "live", "firm", "feed" })
        {
            Assert.True(await bed.EqualAsync("cpb." + table, "cpb_copy." + table, "id"), $"cpb.{table} differs from its target");
        }
    }

    private static string Summary(List<double> milliseconds)
    {
        if (milliseconds.Count == 0)
        {
            return "none";
        }

        var sorted = milliseconds.Order().ToList();
        double At(double q) => sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
        return $"n={sorted.Count} p50={At(0.5):F1} ms p95={At(0.95):F1} ms max={sorted[^1]:F1} ms";
    }
}
