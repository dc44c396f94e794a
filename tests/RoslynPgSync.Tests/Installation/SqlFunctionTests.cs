using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Installation;

/// <summary>
/// The installed functions called directly, one behaviour each (the end-to-end suites drive them
/// through triggers and the worker): apply_pending and deal_sync_err_rec on an empty queue, with the
/// destination unreachable, with a rejected entry in the middle of a batch, strict, and on the Sync
/// path of the calling transaction; enqueue; skip_entry; resolve_applied; the status view; and the
/// small helpers remote_timeout and option_changes.
/// </summary>
public sealed class SqlFunctionTests
{
    private const string Async = "async_dst";

    [Fact]
    public async Task Apply_and_replay_on_an_empty_queue_apply_nothing_and_record_nothing()
    {
        await using var pair = await TestBed.Create().Pair(Async).InstallAsync(PgSyncInstaller.Tables);

        Assert.Equal(0, await Local<int>(pair, "SELECT pgsync.apply_pending('async_dst', '', 100, false, NULL)"));
        Assert.Equal(0, await Local<int>(pair, "SELECT pgsync.deal_sync_err_rec(100)"));
        Assert.Equal(0, await Local<int>(pair, "SELECT pgsync.resolve_applied('async_dst')"));
        Assert.Equal(0L, await Local<long>(pair, "SELECT count(*) FROM pgsync.dst_state WHERE last_error IS NOT NULL"));
    }

    [Fact]
    public async Task Apply_to_an_unreachable_destination_keeps_the_entries_and_records_the_error_and_strict_raises_it()
    {
        await using var pair = await TestBed.Create().Pair(Async).InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (1, 'a', 'x'), (2, 'b', 'y')");
        await pair.TakeRemoteDownAsync();
        try
        {
            Assert.Equal(0, await Local<int>(pair, "SELECT pgsync.apply_pending('async_dst', '', 100, false, NULL)"));
            Assert.Equal(1, await pair.QueueDepthAsync());
            Assert.NotNull(await Local<string>(pair, "SELECT last_error FROM pgsync.dst_state WHERE dst_server = 'async_dst'"));

            var strict = await Assert.ThrowsAsync<PostgresException>(() => Local<int>(pair, "SELECT pgsync.apply_pending('async_dst', '', 100, true, NULL)"));
            Assert.Contains("async_dst", strict.MessageText + strict.Detail, StringComparison.Ordinal);
            Assert.Equal(1, await pair.QueueDepthAsync());
        }
        finally
        {
            await pair.BringRemoteBackAsync();
        }

        Assert.Equal(1, await Local<int>(pair, "SELECT pgsync.apply_pending('async_dst', '', 100, false, NULL)"));
        Assert.Null(await Local<string>(pair, "SELECT last_error FROM pgsync.dst_state WHERE dst_server = 'async_dst'"));
        Assert.Equal(2L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_async"));
    }

    [Fact]
    public async Task Vacuum_applied_vacuums_the_destinations_record_of_applied_entries_and_says_false_when_it_is_down()
    {
        await using var pair = await TestBed.Create().Pair(Async).InstallAsync(PgSyncInstaller.Tables);
        for (var i = 0; i < 20; i++)
        {
            await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO app.hostile_async (id, code, body) VALUES ({i}, 'v', 'x')");
        }

        await pair.ReplayAsync();
        const string Vacuums = "SELECT COALESCE((SELECT vacuum_count FROM pg_stat_user_tables WHERE schemaname = 'pgsync' AND relname = 'applied_entry'), 0)";
        var before = await Db.ScalarAsync<long>(pair.Remote.ConnectionString, Vacuums);

        Assert.True(await Local<bool>(pair, "SELECT pgsync.vacuum_applied('async_dst')"));

        // (The destination's statistics arrive a moment after its vacuum ends.)
        await WorkerHost.Eventually(async () => await Db.ScalarAsync<long>(pair.Remote.ConnectionString, Vacuums) > before, seconds: 15);
        await pair.TakeRemoteDownAsync();
        try
        {
            Assert.False(await Local<bool>(pair, "SELECT pgsync.vacuum_applied('async_dst')"));
        }
        finally
        {
            await pair.BringRemoteBackAsync();
        }

        Assert.True(await Local<bool>(pair, "SELECT pgsync.vacuum_applied('async_dst')"));
    }

    [Fact]
    public async Task Apply_with_a_rejected_entry_mid_batch_applies_those_before_it_and_stops_there_with_its_error_and_table()
    {
        await using var pair = await TestBed.Create().Pair(Async).InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "ALTER TABLE copy.hostile_async ADD CONSTRAINT no_bad CHECK (body <> 'bad')");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (1, 'a', 'good')");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (2, 'a', 'bad')");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (3, 'a', 'good too')");
        var rejected = await Local<long>(pair, "SELECT id FROM pgsync.sync_err_rec ORDER BY id OFFSET 1 LIMIT 1");

        Assert.Equal(1, await Local<int>(pair, "SELECT pgsync.apply_pending('async_dst', '', 100, false, NULL)"));

        Assert.Equal(rejected, await Local<long>(pair, "SELECT min(id) FROM pgsync.sync_err_rec"));
        Assert.Equal(2, await pair.QueueDepthAsync());
        Assert.Equal(rejected, await Local<long>(pair, "SELECT last_error_entry FROM pgsync.status WHERE dst_server = 'async_dst'"));
        Assert.Equal("app.hostile_async", await Local<string>(pair, "SELECT last_error_table FROM pgsync.status WHERE dst_server = 'async_dst'"));
        Assert.Contains("no_bad", await Local<string>(pair, "SELECT last_error FROM pgsync.status WHERE dst_server = 'async_dst'"), StringComparison.Ordinal);
        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_async"));

        // skip_entry moves exactly that entry aside, with its error; the rest goes.
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"SELECT pgsync.skip_entry({rejected})");
        Assert.Contains("no_bad", await Local<string>(pair, $"SELECT error FROM pgsync.skipped_entry WHERE id = {rejected}"), StringComparison.Ordinal);
        Assert.Null(await Local<string>(pair, "SELECT last_error FROM pgsync.status WHERE dst_server = 'async_dst'"));
        Assert.Equal(1, await Local<int>(pair, "SELECT pgsync.deal_sync_err_rec(100)"));
        Assert.Equal(2L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_async"));
        var again = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(pair.Local.ConnectionString, $"SELECT pgsync.skip_entry({rejected})"));
        Assert.Contains($"queue entry {rejected} does not exist", again.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_on_the_sync_path_sends_the_calling_transactions_own_entries_and_the_commit_has_nothing_left()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        await using var connection = new NpgsqlConnection(pair.Local.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await Db.ExecuteAsync(connection, "INSERT INTO app.hostile_sync (id, code, body) VALUES (1, 'a', 'sent before the commit')");
        Assert.Equal(1L, await Scalar<long>(connection, "SELECT count(*) FROM pgsync.sync_pending WHERE xact_id = pg_current_xact_id()"));

        Assert.Equal(1, await Scalar<int>(connection, "SELECT pgsync.apply_pending('sync_dst', '', 2147483647, false, pg_current_xact_id())"));

        Assert.Equal(0L, await Scalar<long>(connection, "SELECT count(*) FROM pgsync.sync_pending"));
        Assert.Equal("sent before the commit", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT body FROM copy.hostile_sync WHERE id = 1"));
        await transaction.CommitAsync();
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM pgsync.applied_entry"));
    }

    [Fact]
    public async Task Enqueue_puts_async_entries_in_the_queue_and_sync_ones_under_the_transaction_and_no_writer_may_call_it()
    {
        await using var pair = await TestBed.Create().Pair(Async).InstallAsync(PgSyncInstaller.Tables);
        await using var connection = new NpgsqlConnection(pair.Local.ConnectionString);
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Db.ExecuteAsync(connection, "SELECT pgsync.enqueue('app', 'hostile_async', 'async_dst', 'a', 0, 'SELECT 1', NULL)");
            await Db.ExecuteAsync(connection, "SELECT pgsync.enqueue('app', 'hostile_async', 'nowhere', 's', 0, 'SELECT 2', '[]')");
            Assert.Equal("async_dst a 0 SELECT 1", await Scalar<string>(connection, "SELECT dst_server || ' ' || mode::text || ' ' || row_count || ' ' || dst_query FROM pgsync.sync_err_rec"));
            Assert.Equal("nowhere s []", await Scalar<string>(connection, "SELECT dst_server || ' ' || mode::text || ' ' || keys FROM pgsync.sync_pending WHERE xact_id = pg_current_xact_id()"));
            await transaction.RollbackAsync();
        }

        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "CREATE ROLE enqueue_writer LOGIN PASSWORD 'w'; GRANT USAGE ON SCHEMA pgsync TO enqueue_writer");
        try
        {
            var writer = new NpgsqlConnectionStringBuilder(pair.Local.ConnectionString) { Username = "enqueue_writer", Password = "w" }.ConnectionString;
            var denied = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(writer, "SELECT pgsync.enqueue('app', 'x', 'async_dst', 'a', 0, 'DROP TABLE t', NULL)"));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
        }
        finally
        {
            await Db.ExecuteAsync(pair.Local.AdminConnectionString, "REVOKE USAGE ON SCHEMA pgsync FROM enqueue_writer; DROP ROLE enqueue_writer");
        }
    }

    [Fact]
    public async Task Enqueue_rows_which_captures_built_before_compact_entries_call_still_queues_sql_that_replicates()
    {
        await using var pair = await TestBed.Create().Pair(Async).InstallAsync(PgSyncInstaller.Tables);
        // A capture function of the previous build hands enqueue_rows a cursor and the remote statement's text around the rows.
        await Db.ExecuteAsync(pair.Local.ConnectionString, """
            DO $$
            DECLARE
                c refcursor := 'old_capture';
            BEGIN
                OPEN c FOR SELECT 1, '{"id": 7, "code": "o''ld", "body": "a\\b"}'::text, NULL::text
                           UNION ALL SELECT 1, '{"id": 8, "code": "x", "body": null}', NULL;
                PERFORM pgsync.enqueue_rows('app', 'hostile_async', 'async_dst', '', 'a',
                    'DELETE FROM copy.hostile_async AS t USING pg_catalog.json_populate_recordset(NULL::copy.hostile_async, ', ') AS d WHERE t.id = d.id',
                    'INSERT INTO copy.hostile_async (id, code, body) SELECT d.id, d.code, d.body FROM pg_catalog.json_populate_recordset(NULL::copy.hostile_async, ', ') AS d',
                    c);
            END
            $$
            """);
        Assert.Equal("2 INSERT", await Local<string>(pair, "SELECT row_count || ' ' || split_part(dst_query, ' ', 1) FROM pgsync.sync_err_rec WHERE op IS NULL"));

        Assert.Equal(1, await pair.ReplayAsync());
        Assert.Equal("7 o'ld a\\b|8 x ", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT string_agg(id || ' ' || code || ' ' || coalesce(body, ''), '|' ORDER BY id) FROM copy.hostile_async"));
    }

    [Fact]
    public async Task Status_shows_depth_age_and_the_last_success_per_destination()
    {
        await using var pair = await TestBed.Create().Pair(Async).InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code) VALUES (1, 'a')");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code) VALUES (2, 'a')");

        Assert.Equal("2 true false", await Local<string>(pair, "SELECT depth || ' ' || (oldest_entry_age >= interval '0') || ' ' || (last_success IS NOT NULL) FROM pgsync.status WHERE dst_server = 'async_dst'"));
        await pair.ReplayAsync();
        Assert.Equal("0 true", await Local<string>(pair, "SELECT depth || ' ' || (last_success IS NOT NULL AND oldest_entry_age IS NULL) FROM pgsync.status WHERE dst_server = 'async_dst'"));
    }

    [Theory]
    [InlineData("5s", "00:00:05")]
    [InlineData(" 250 ms ", "00:00:00.25")]
    [InlineData("2 minutes", "00:02:00")]
    [InlineData("soon", null)]
    [InlineData("-1s", null)]
    [InlineData("", null)]
    public async Task Remote_timeout_reads_a_duration_and_ignores_anything_else(string setting, string? expected)
    {
        await using var pair = await TestBed.Create().Pair(Async).InstallAsync(PgSyncInstaller.Tables);
        await using var connection = new NpgsqlConnection(pair.Local.ConnectionString);
        await connection.OpenAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('pgsync.remote_timeout', $1, false)", connection) { Parameters = { new() { Value = setting } } })
        {
            await set.ExecuteScalarAsync();
        }

        var value = await Scalar<object?>(connection, "SELECT pgsync.remote_timeout()");

        Assert.Equal(expected is null ? null : TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value as TimeSpan?);
    }

    [Fact]
    public async Task Option_changes_sets_adds_and_drops_only_what_it_manages()
    {
        await using var pair = await TestBed.Create().Pair(Async).InstallAsync(PgSyncInstaller.Tables);

        Assert.Equal(
            "SET port '5433', ADD sslmode 'require', DROP connect_timeout",
            await Local<string>(pair, "SELECT pgsync.option_changes(ARRAY['host=h', 'port=5432', 'connect_timeout=5', 'dba_option=x'], ARRAY['host=h', 'port=5433', 'sslmode=require'], ARRAY['host', 'port', 'sslmode', 'connect_timeout'])"));
        Assert.Null(await Local<string>(pair, "SELECT pgsync.option_changes(ARRAY['host=h'], ARRAY['host=h'], ARRAY['host'])"));
    }

    private static Task<T> Local<T>(TestBed pair, string sql) => Db.ScalarAsync<T>(pair.Local.ConnectionString, sql);

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? default! : (T)value!;
    }
}
