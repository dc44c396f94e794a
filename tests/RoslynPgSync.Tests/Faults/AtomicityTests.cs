using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// Sync and Strict changes reach the destination inside the writer's commit, before its outcome is
/// certain. Every way the writer can then fail (a deferred constraint, SET CONSTRAINTS then ROLLBACK,
/// serialization failures, a second Strict destination, ROLLBACK PREPARED, its backend killed, the
/// source cluster crashing) leaves the change on the destination for a moment; the destination's
/// record of what it applied lets resolve_applied find the aborted transaction and restore its keys
/// from the source. Each test first sees the leak, then the repair.
/// </summary>
public sealed class AtomicityTests(OwnClusterFixture source, ITestOutputHelper output) : IClassFixture<OwnClusterFixture>
{
    private const string Dst = "mix_dst";

    [Fact]
    public async Task A_deferred_constraint_failing_at_commit_after_the_flush_is_undone_on_the_destination()
    {
        await using var pair = await CreatePairAsync();
        await Local(pair, "CREATE TABLE mix.parent (id int PRIMARY KEY); CREATE TABLE mix.child (id int REFERENCES mix.parent DEFERRABLE INITIALLY DEFERRED)");
        await Local(pair, "INSERT INTO mix.mixed_sync VALUES (1, 'before'), (2, 'kept')");

        var error = await Assert.ThrowsAsync<PostgresException>(() => Local(pair,
            "BEGIN; UPDATE mix.mixed_sync SET note = 'doomed' WHERE id = 1; DELETE FROM mix.mixed_sync WHERE id = 2; " +
            "INSERT INTO mix.mixed_sync VALUES (3, 'doomed'); INSERT INTO mix.child VALUES (99); COMMIT"));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);

        await AssertLeakedThenRestoredAsync(pair, "1|doomed;3|doomed", "1|before;2|kept");
    }

    [Fact]
    public async Task An_aborted_change_to_a_row_with_a_jsonb_key_is_undone()
    {
        await using var pair = await CreatePairAsync();
        await Local(pair, "CREATE TABLE mix.parent (id int PRIMARY KEY); CREATE TABLE mix.child (id int REFERENCES mix.parent DEFERRABLE INITIALLY DEFERRED)");
        await Local(pair, "INSERT INTO mix.json_keyed VALUES ('{\"k\": 1}', 'before')");

        await Assert.ThrowsAsync<PostgresException>(() => Local(pair,
            "BEGIN; UPDATE mix.json_keyed SET note = 'doomed'; INSERT INTO mix.json_keyed VALUES ('{\"k\": [2, \"x\"]}', 'doomed'); INSERT INTO mix.child VALUES (99); COMMIT"));
        const string Rows = "SELECT string_agg(doc::text || '|' || note, ';' ORDER BY doc) FROM ";
        Assert.Equal("{\"k\": 1}|doomed;{\"k\": [2, \"x\"]}|doomed", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, Rows + "mix_copy.json_keyed"));
        Assert.Equal(1, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal("{\"k\": 1}|before", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, Rows + "mix_copy.json_keyed"));
    }

    [Fact]
    public async Task A_backend_crash_without_a_postmaster_restart_is_a_new_incarnation_and_the_change_is_undone()
    {
        await using var pair = await CreatePairAsync();
        await Local(pair, "INSERT INTO mix.mixed_sync VALUES (1, 'kept')");
        Assert.Equal(0, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
        var before = await Db.ScalarAsync<long>(pair.Local.ConnectionString, "SELECT token FROM pgsync.incarnation");
        await CreateSlowCommitAsync(pair);
        var commit = Local(pair, "BEGIN; INSERT INTO mix.mixed_sync VALUES (2, 'doomed'); INSERT INTO mix.slow VALUES (1); COMMIT");
        await WorkerHost.Eventually(async () => (await RemoteRowsAsync(pair)).Contains("2|doomed", StringComparison.Ordinal));
        // SIGKILL of one backend: the postmaster restarts every session and recovers, without restarting itself.
        var pid = await Db.ScalarAsync<int>(pair.Local.AdminConnectionString, "SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = $1", pair.Local.Name);
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
        {
            await kill.WaitForExitAsync();
        }

        await Assert.ThrowsAnyAsync<Exception>(() => commit);
        NpgsqlConnection.ClearAllPools();
        // Until the recovery has run: a session may still open between the kill and the postmaster's reset,
        // so only the unlogged incarnation emptied by the recovery shows it is over.
        await WorkerHost.Eventually(async () =>
        {
            try
            {
                return await Db.ScalarAsync<long>(pair.Local.ConnectionString, "SELECT count(*) FROM pgsync.incarnation") == 0 &&
                       await Db.ScalarAsync<long>(pair.Local.ConnectionString, "SELECT count(*) FROM mix.mixed_sync") == 1;
            }
            catch (NpgsqlException)
            {
                return false; // (still recovering)
            }
        });
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Local.ConnectionString, "SELECT count(*) FROM pgsync.incarnation"));

        await AssertLeakedThenRestoredAsync(pair, "1|kept;2|doomed", "1|kept");
        Assert.NotEqual(before, await Db.ScalarAsync<long>(pair.Local.ConnectionString, "SELECT token FROM pgsync.incarnation"));
    }

    [Fact]
    public async Task A_restored_record_that_an_old_snapshot_keeps_is_not_restored_again_and_goes_once_the_snapshot_ends()
    {
        await using var pair = await CreatePairAsync();
        await using var reader = await OpenAsync(pair);
        await Db.ExecuteAsync(reader, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM mix.mixed_sync");

        await Local(pair, "BEGIN; INSERT INTO mix.mixed_sync VALUES (1, 'doomed'); SET CONSTRAINTS ALL IMMEDIATE; ROLLBACK");
        Assert.Equal("1|doomed", await RemoteRowsAsync(pair));
        Assert.Equal(1, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal(string.Empty, await RemoteRowsAsync(pair));
        // Kept while the reader's snapshot is older, but only as "arrived": not restored again.
        Assert.Equal(0, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal(1L, await LedgerRowsAsync(pair));
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM pgsync.applied_entry WHERE keys IS NOT NULL OR nsp_name IS NOT NULL"));

        await Db.ExecuteAsync(reader, "COMMIT");
        Assert.Equal(0, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal(0L, await LedgerRowsAsync(pair));
        // The doomed row arrived once and was deleted by one restore, not by one per call.
        Assert.Equal(1, await pair.AssertEachChangeAppliedOnceAsync());
        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM public.test_applications WHERE op = 'restore DELETE'"));
    }

    [Fact]
    public async Task Set_constraints_immediate_then_rollback_is_undone_also_for_truncate()
    {
        await using var pair = await CreatePairAsync();
        await Local(pair, "INSERT INTO mix.mixed_sync VALUES (1, 'kept'), (2, 'kept too')");

        await Local(pair, "BEGIN; INSERT INTO mix.mixed_sync VALUES (3, 'doomed'); SET CONSTRAINTS ALL IMMEDIATE; ROLLBACK");
        await AssertLeakedThenRestoredAsync(pair, "1|kept;2|kept too;3|doomed", "1|kept;2|kept too");

        await Local(pair, "BEGIN; TRUNCATE mix.mixed_sync; SET CONSTRAINTS ALL IMMEDIATE; ROLLBACK");
        await AssertLeakedThenRestoredAsync(pair, string.Empty, "1|kept;2|kept too");
    }

    [Fact]
    public async Task A_savepoint_rolled_back_after_set_constraints_immediate_is_undone_while_the_transaction_commits()
    {
        await using var pair = await CreatePairAsync();

        // The change inside the savepoint is sent at its statement's end; the savepoint is rolled back.
        await Local(pair,
            "BEGIN; SAVEPOINT s; SET CONSTRAINTS ALL IMMEDIATE; INSERT INTO mix.mixed_sync VALUES (2, 'doomed'); " +
            "ROLLBACK TO SAVEPOINT s; INSERT INTO mix.mixed_sync VALUES (3, 'kept'); COMMIT");

        await AssertLeakedThenRestoredAsync(pair, "2|doomed;3|kept", "3|kept");

        // A savepoint released before a COMMIT of its own (as EF Core's SaveChanges does in an
        // application's transaction): sent at that COMMIT, nothing to restore afterwards.
        await using var connection = await OpenAsync(pair);
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await transaction.SaveAsync("ef");
            await using (var insert = new NpgsqlCommand("INSERT INTO mix.mixed_sync VALUES (4, 'in a released savepoint')", connection, transaction))
            {
                await insert.ExecuteNonQueryAsync();
            }

            await transaction.ReleaseAsync("ef");
            await transaction.CommitAsync();
        }

        Assert.Equal("3|kept;4|in a released savepoint", await RemoteRowsAsync(pair));
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM pgsync.applied_entry WHERE in_savepoint"));
        Assert.Equal(0, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
    }

    [Fact]
    public async Task A_serializable_writer_failing_at_commit_is_undone()
    {
        await using var pair = await CreatePairAsync();
        // Write skew, with the first writer's read of mix.plain made at commit by a deferred trigger of
        // the application's own, after the flush: the second writer committed its write of mix.plain
        // meanwhile, so the first one fails at COMMIT with its change already on the destination.
        await Local(pair,
            "CREATE TABLE mix.plain (id int PRIMARY KEY); CREATE TABLE mix.touch (id int); " +
            "CREATE FUNCTION mix.look() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM count(*) FROM mix.plain; RETURN NULL; END $$; " +
            "CREATE CONSTRAINT TRIGGER look AFTER INSERT ON mix.touch DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mix.look()");
        await using var first = await OpenAsync(pair);
        await using var second = await OpenAsync(pair);
        await Db.ExecuteAsync(first, "BEGIN ISOLATION LEVEL SERIALIZABLE; INSERT INTO mix.mixed_sync VALUES (1, 'doomed'); INSERT INTO mix.touch VALUES (1)");
        await Db.ExecuteAsync(second, "BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT count(*) FROM mix.mixed_sync; INSERT INTO mix.plain VALUES (1); COMMIT");
        var error = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(first, "COMMIT"));
        Assert.Equal(PostgresErrorCodes.SerializationFailure, error.SqlState);

        await AssertLeakedThenRestoredAsync(pair, "1|doomed", string.Empty);
    }

    [Fact]
    public async Task A_repeatable_read_writer_failing_at_commit_is_undone()
    {
        await using var pair = await CreatePairAsync();
        // A deferred trigger of the application's own that updates a shared row at commit, after the flush.
        await Local(pair,
            "CREATE TABLE mix.counter (id int PRIMARY KEY, n int); INSERT INTO mix.counter VALUES (1, 0); " +
            "CREATE TABLE mix.touch (id int); " +
            "CREATE FUNCTION mix.bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE mix.counter SET n = n + 1 WHERE id = 1; RETURN NULL; END $$; " +
            "CREATE CONSTRAINT TRIGGER bump AFTER INSERT ON mix.touch DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mix.bump()");
        await using var writer = await OpenAsync(pair);
        await Db.ExecuteAsync(writer, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT n FROM mix.counter; INSERT INTO mix.mixed_sync VALUES (1, 'doomed'); INSERT INTO mix.touch VALUES (1)");
        await Local(pair, "UPDATE mix.counter SET n = 100 WHERE id = 1");
        var error = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(writer, "COMMIT"));
        Assert.Equal(PostgresErrorCodes.SerializationFailure, error.SqlState);

        await AssertLeakedThenRestoredAsync(pair, "1|doomed", string.Empty);
    }

    [Fact]
    public async Task A_repeatable_read_writer_whose_old_snapshot_still_shows_a_replayed_entry_does_not_send_it_again()
    {
        await using var pair = await CreatePairAsync();
        await using var other = await pair.Cluster.CreateRoleAsync("writer");
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, $"GRANT USAGE ON SCHEMA mix TO \"{other.Name}\"; GRANT SELECT, INSERT, UPDATE ON mix.mixed_sync TO \"{other.Name}\"");
        await pair.TakeRemoteDownAsync();
        await Local(pair, "INSERT INTO mix.mixed_sync VALUES (1, 'old')");
        Assert.Equal(1, await pair.QueueDepthAsync());

        // Another role's REPEATABLE READ writer takes its snapshot while the entry is queued.
        await using var writer = new NpgsqlConnection(other.ConnectionStringFor(pair.Local.Name));
        await writer.OpenAsync();
        await Db.ExecuteAsync(writer, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM mix.mixed_sync");

        // The entry is replayed, the row changes again (sent at once), and the record is settled.
        await pair.BringRemoteBackAsync();
        Assert.Equal(1, await pair.ReplayAsync());
        await Local(pair, "UPDATE mix.mixed_sync SET note = 'newer' WHERE id = 1");
        Assert.Equal(0, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal("1|newer", await RemoteRowsAsync(pair));

        // The writer's commit still sees the replayed entry as queued: the destination's record says it
        // arrived (kept while a snapshot older than its replay exists), so only the writer's own goes.
        await Db.ExecuteAsync(writer, "INSERT INTO mix.mixed_sync VALUES (2, 'repeatable read'); COMMIT");
        Assert.Equal("1|newer;2|repeatable read", await LocalRowsAsync(pair));
        Assert.Equal("1|newer;2|repeatable read", await RemoteRowsAsync(pair));
        Assert.Equal(0, await pair.QueueDepthAsync());
    }

    [Fact]
    public async Task A_second_destination_failing_in_strict_mode_undoes_what_the_first_one_committed()
    {
        await using var pair = await CreatePairAsync("sync_dst", "strict_dst");
        await Local(pair, "ALTER SERVER strict_dst OPTIONS (SET port '1')");

        var error = await Assert.ThrowsAsync<PostgresException>(() => Local(pair,
            "BEGIN; INSERT INTO app.hostile_sync (id, code, body) VALUES (1, 'a', 'doomed'); INSERT INTO app.hostile_strict (id, code) VALUES (1, 'a'); COMMIT"));
        Assert.Contains("destination server \"strict_dst\" did not accept", error.MessageText, StringComparison.Ordinal);

        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));
        Assert.Equal(1, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied('sync_dst')"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));
        Assert.Equal(0L, await LedgerRowsAsync(pair));
    }

    [Fact]
    public async Task Rollback_prepared_is_undone_and_commit_prepared_delivers()
    {
        await using var pair = await CreatePairAsync();
        await Local(pair, "BEGIN; INSERT INTO mix.mixed_sync VALUES (1, 'prepared, then rolled back'); PREPARE TRANSACTION 'pgsync_rollback'");
        // Prepared: in progress until it is finished, so nothing is settled yet.
        Assert.Equal(0, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal("1|prepared, then rolled back", await RemoteRowsAsync(pair));
        await Local(pair, "ROLLBACK PREPARED 'pgsync_rollback'");
        await AssertLeakedThenRestoredAsync(pair, "1|prepared, then rolled back", string.Empty);

        await Local(pair, "BEGIN; INSERT INTO mix.mixed_sync VALUES (2, 'prepared, then committed'); PREPARE TRANSACTION 'pgsync_commit'");
        await Local(pair, "COMMIT PREPARED 'pgsync_commit'");
        Assert.Equal(0, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal("2|prepared, then committed", await RemoteRowsAsync(pair));
        Assert.Equal("2|prepared, then committed", await LocalRowsAsync(pair));
        Assert.Equal(0L, await LedgerRowsAsync(pair));
    }

    [Fact]
    public async Task The_writers_backend_killed_between_the_destinations_commit_and_its_own_is_undone()
    {
        await using var pair = await CreatePairAsync();
        await CreateSlowCommitAsync(pair);
        var commit = Local(pair, "BEGIN; INSERT INTO mix.mixed_sync VALUES (1, 'doomed'); INSERT INTO mix.slow VALUES (1); COMMIT");
        await WorkerHost.Eventually(async () => await RemoteRowsAsync(pair) == "1|doomed");
        Assert.Equal(1, await Db.ScalarAsync<int>(
            pair.Local.AdminConnectionString, "SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = $1", pair.Local.Name));
        await Assert.ThrowsAnyAsync<Exception>(() => commit);

        await AssertLeakedThenRestoredAsync(pair, "1|doomed", string.Empty);
    }

    [Fact]
    public async Task The_source_cluster_crashing_between_the_destinations_commit_and_its_own_is_undone()
    {
        await using var pair = await CreatePairAsync();
        await Local(pair, "INSERT INTO mix.mixed_sync VALUES (1, 'committed before the crash')");
        // (Settled before the crash, as the worker does within a second; what is not settled by a crash is
        // restored after it whatever its status said, since a transaction id can come back after a crash.)
        Assert.Equal(0, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
        await CreateSlowCommitAsync(pair);
        var commit = Local(pair, "BEGIN; INSERT INTO mix.mixed_sync VALUES (2, 'doomed'); INSERT INTO mix.slow VALUES (1); COMMIT");
        await WorkerHost.Eventually(async () => (await RemoteRowsAsync(pair)).Contains("2|doomed", StringComparison.Ordinal));
        await pair.CrashLocalAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => commit);
        await pair.StartLocalAsync();

        await AssertLeakedThenRestoredAsync(pair, "1|committed before the crash;2|doomed", "1|committed before the crash");
    }

    [Fact]
    public async Task With_the_worker_running_an_aborted_change_disappears_from_the_destination_within_about_a_second()
    {
        await using var pair = await CreatePairAsync();
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, pair, [Dst], h => h.InstallOnStart = false);
        await host.StartAsync();
        await Local(pair, "CREATE TABLE mix.parent (id int PRIMARY KEY); CREATE TABLE mix.child (id int REFERENCES mix.parent DEFERRABLE INITIALLY DEFERRED)");

        var windows = new System.Collections.Generic.List<long>();
        for (var i = 1; i <= 5; i++)
        {
            await Assert.ThrowsAsync<PostgresException>(() => Local(pair, $"BEGIN; INSERT INTO mix.mixed_sync VALUES ({i}, 'doomed'); INSERT INTO mix.child VALUES (99); COMMIT"));
            var failed = Stopwatch.StartNew();
            await WorkerHost.Eventually(async () => await RemoteRowsAsync(pair) == string.Empty, () => string.Join("\n", logs.Messages.TakeLast(10).Select(m => m.Message)), seconds: 20);
            windows.Add(failed.ElapsedMilliseconds);
        }

        await host.StopAsync();
        output.WriteLine($"aborted Sync change visible on the destination after the writer's failed commit: {string.Join(", ", windows)} ms");
        Assert.Contains(logs.Messages, m => m.Message.Contains("aborted after sending them; their rows were restored", StringComparison.Ordinal));
        Assert.Equal(0L, await LedgerRowsAsync(pair));
    }

    /// <summary>A pair on the source cluster; with the default destination, what its mix_copy.mixed_sync is given is logged.</summary>
    private async Task<TestBed> CreatePairAsync(params string[] servers)
    {
        var pair = await TestBed.Create().Node("local", source.Cluster).Pair(servers.Length == 0 ? [Dst] : servers).InstallAsync(PgSyncInstaller.Tables);
        if (servers.Length == 0)
        {
            await pair.LogApplicationsAsync("mix_copy.mixed_sync");
        }

        return pair;
    }

    /// <summary>The destination shows <paramref name="leaked"/> (the aborted change); after resolve_applied, <paramref name="restored"/> (the source's rows) and an empty record.</summary>
    private static async Task AssertLeakedThenRestoredAsync(TestBed pair, string leaked, string restored)
    {
        Assert.Equal(restored, await LocalRowsAsync(pair));
        Assert.Equal(leaked, await RemoteRowsAsync(pair));
        Assert.Equal(1, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal(restored, await RemoteRowsAsync(pair));
        Assert.Equal(0, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal(0L, await LedgerRowsAsync(pair));
        // Each change the destination was given arrived once (the restore's writes apart).
        await pair.AssertEachChangeAppliedOnceAsync();
        Assert.True(await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM public.test_applications WHERE op LIKE 'restore %'") > 0 || leaked == restored);
    }

    /// <summary>A table whose deferred trigger sleeps at commit, after the flush (its event is queued after the Sync table's).</summary>
    private static Task<int> CreateSlowCommitAsync(TestBed pair) => Local(pair,
        "CREATE TABLE mix.slow (id int); " +
        "CREATE FUNCTION mix.slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$; " +
        "CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON mix.slow DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mix.slow()");

    private static Task<string> LocalRowsAsync(TestBed pair) => RowsAsync(pair.Local.ConnectionString, "mix.mixed_sync");

    private static Task<string> RemoteRowsAsync(TestBed pair) => RowsAsync(pair.Remote.ConnectionString, "mix_copy.mixed_sync");

    private static async Task<string> RowsAsync(string connectionString, string table) =>
        await Db.ScalarAsync<string?>(connectionString, $"SELECT string_agg(id || '|' || coalesce(note, ''), ';' ORDER BY id) FROM {table}") ?? string.Empty;

    private static Task<long> LedgerRowsAsync(TestBed pair) =>
        Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM pgsync.applied_entry");

    private static Task<int> Local(TestBed pair, string sql) => Db.ExecuteAsync(pair.Local.ConnectionString, sql);

    private static async Task<NpgsqlConnection> OpenAsync(TestBed pair)
    {
        var connection = new NpgsqlConnection(pair.Local.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
