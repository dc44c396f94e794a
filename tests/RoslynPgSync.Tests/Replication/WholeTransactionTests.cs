using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// A batch never splits a source transaction: when the entry limit or the byte bound ends inside one,
/// the batch goes on to its end (and to the end of every transaction on the way), and sends it in one
/// remote transaction, in several messages when it is larger than the bound. A statement of many rows
/// is queued as entries of bounded size (pgsync.entry_bytes) of its one transaction.
/// </summary>
public sealed class WholeTransactionTests(ITestOutputHelper output)
{
    private const string Apply = "SELECT pgsync.apply_pending('txn_dst', '', $1, false, NULL)";

    [Fact]
    public async Task A_deferred_foreign_key_from_a_child_written_before_its_parent_in_one_transaction_holds_whatever_the_limit()
    {
        await using var pair = await TestBed.Create().Pair("txn_dst").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Remote.ConnectionString,
            "ALTER TABLE txn_copy.child ADD CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES txn_copy.parent (id) DEFERRABLE INITIALLY DEFERRED");
        await using (var writer = await OpenAsync(pair.Local.ConnectionString))
        {
            await using var transaction = await writer.BeginTransactionAsync();
            await Db.ExecuteAsync(writer, "INSERT INTO txn.child (id, parent_id) VALUES (1, 1)");
            await Db.ExecuteAsync(writer, "INSERT INTO txn.parent (id, name) VALUES (1, 'p')");
            await transaction.CommitAsync();
        }

        Assert.Equal(2, await pair.QueueDepthAsync());
        // A limit of one entry would end the batch between the child and its parent: the child alone fails
        // the destination's commit. The batch takes the transaction whole instead.
        Assert.Equal(2, await ApplyAsync(pair.Local.ConnectionString, 1));
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Null(await Db.ScalarAsync<string?>(pair.Local.ConnectionString, "SELECT max(last_error) FROM pgsync.dst_state"));
        Assert.True(await pair.EqualAsync("txn.child", "txn_copy.child", "id"));
        Assert.True(await pair.EqualAsync("txn.parent", "txn_copy.parent", "id"));
    }

    [Fact]
    public async Task The_closure_finds_each_transactions_last_entry_by_its_index_after_statistics_taken_during_one_large_transaction()
    {
        // The queue analysed while one transaction's 5,000 entries filled it (as autovacuum may, during a
        // burst), then those applied and single-row transactions queued behind. Taken by such statistics
        // for most of the queue, each transaction's entries were looked for by walking the primary key
        // back from the newest entry (a bench drain of 100,000 entries: 52 s instead of 5).
        await using var pair = await TestBed.Create().Pair("txn_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "DO $$ BEGIN FOR g IN 1..5000 LOOP INSERT INTO txn.parent (id, name) VALUES (g, 'p'); END LOOP; END $$");
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "ANALYZE pgsync.sync_err_rec");
        Assert.Equal(5000, await ApplyAsync(local, 1000));
        await Db.ExecuteAsync(local, "DO $$ BEGIN FOR g IN 5001..5100 LOOP INSERT INTO txn.parent (id, name) VALUES (g, 'p'); COMMIT; END LOOP; END $$");
        var first = await Db.ScalarAsync<long>(local, "SELECT min(id) FROM pgsync.sync_err_rec");
        var last = await Db.ScalarAsync<long>(local, "SELECT max(id) FROM pgsync.sync_err_rec");

        // The closure's query as apply_pending runs it (160_apply_pending.sql), for a batch of them.
        var plan = await Db.ScalarAsync<string>(local, string.Create(CultureInfo.InvariantCulture, $"""
            EXPLAIN (FORMAT JSON) SELECT pg_catalog.max(m.id)
              FROM (SELECT DISTINCT e.xact_id FROM pgsync.sync_err_rec AS e
                     WHERE e.dst_server = 'txn_dst' AND e.channel = '' AND e.id <= {last} AND e.id > {first - 1}) AS x
             CROSS JOIN LATERAL (SELECT c.id FROM pgsync.sync_err_rec AS c
                                  WHERE c.xact_id = x.xact_id
                                    AND c.dst_server IS NOT DISTINCT FROM 'txn_dst' AND c.channel IS NOT DISTINCT FROM ''
                                    AND (c.xact_id IS DISTINCT FROM '1'::xid8 OR c.mode <> 'a')
                                  ORDER BY c.id DESC LIMIT 1) AS m
             WHERE m.id > {last}
            """));
        output.WriteLine(plan);
        var scans = new System.Collections.Generic.List<(string Index, string? Condition)>();
        void Walk(System.Text.Json.JsonElement node)
        {
            if (node.TryGetProperty("Index Name", out var index))
            {
                scans.Add((index.GetString()!, node.TryGetProperty("Index Cond", out var condition) ? condition.GetString() : null));
            }

            if (node.TryGetProperty("Plans", out var children))
            {
                foreach (var child in children.EnumerateArray())
                {
                    Walk(child);
                }
            }
        }

        Walk(System.Text.Json.JsonDocument.Parse(plan).RootElement[0].GetProperty("Plan"));
        // Each transaction's last entry by one probe of (xact_id, id); no index walked without a condition.
        Assert.Contains(scans, s => s.Index == "sync_err_rec_xact" && s.Condition is not null && s.Condition.Contains("xact_id", StringComparison.Ordinal));
        Assert.DoesNotContain(scans, s => s.Condition is null);
        Assert.Equal(100, await ApplyAsync(local, 1000));
        Assert.True(await pair.EqualAsync("txn.parent", "txn_copy.parent", "id"));
    }

    [Fact]
    public async Task Interleaved_transactions_go_whole_with_the_entries_between_them_in_order()
    {
        await using var pair = await TestBed.Create().Pair("txn_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await using var first = await OpenAsync(local);
        await using var second = await OpenAsync(local);

        // Queue order: T1's insert, T2's insert of row 2 (committed), T1's update of row 2, T3.
        await using (var transaction = await first.BeginTransactionAsync())
        {
            await Db.ExecuteAsync(first, "INSERT INTO txn.parent (id, name) VALUES (1, 't1')");
            await Db.ExecuteAsync(second, "INSERT INTO txn.parent (id, name) VALUES (2, 't2')");
            await Db.ExecuteAsync(first, "UPDATE txn.parent SET name = 't1 after t2' WHERE id = 2");
            await transaction.CommitAsync();
        }

        await Db.ExecuteAsync(second, "INSERT INTO txn.parent (id, name) VALUES (3, 't3')");
        Assert.Equal(4, await pair.QueueDepthAsync());

        // Limit 1: T1 whole, and T2's entry between its two (older than T1's update of the same row).
        Assert.Equal(3, await ApplyAsync(local, 1));
        Assert.Equal(
            "1 t1|2 t1 after t2",
            await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT string_agg(id || ' ' || name, '|' ORDER BY id) FROM txn_copy.parent"));
        Assert.Equal(1, await pair.QueueDepthAsync());
        Assert.Equal(1, await ApplyAsync(local, 1));
        Assert.True(await pair.EqualAsync("txn.parent", "txn_copy.parent", "id"));
    }

    [Fact]
    public async Task A_transaction_larger_than_the_byte_bound_goes_whole_in_one_remote_transaction_or_not_at_all()
    {
        await using var pair = await TestBed.Create().Pair("txn_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "ALTER TABLE txn_copy.bulk ADD CONSTRAINT not_twenty CHECK (id <> 20)");
        // Two transactions of ten statements of 1 MB each; the second's last row is one the destination refuses.
        await Db.ExecuteAsync(local, "DO $$ BEGIN FOR i IN 1..10 LOOP INSERT INTO txn.bulk (id, info, body) VALUES (i, 'first', repeat(md5(i::text), 31250)); END LOOP; END $$");
        await Db.ExecuteAsync(local, "DO $$ BEGIN FOR i IN 11..20 LOOP INSERT INTO txn.bulk (id, info, body) VALUES (i, 'second', repeat(md5(i::text), 31250)); END LOOP; END $$");
        var refused = await Db.ScalarAsync<long>(local, "SELECT max(id) FROM pgsync.sync_err_rec");

        await using var replay = await OpenAsync(local);
        await Db.ExecuteAsync(replay, "SELECT pg_catalog.set_config('pgsync.batch_bytes', '2500000', false)");
        // Ten entries of 1 MB under a bound of 2.5 MB: one call, one remote transaction (one xmin), several messages.
        Assert.Equal(10, await ScalarAsync(replay, Apply, 1000));
        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(DISTINCT xmin::text) FROM txn_copy.bulk"));
        Assert.Equal(10L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM txn_copy.bulk WHERE info = 'first'"));

        // The second transaction's first nine entries are good, its tenth is refused: none of it goes.
        Assert.Equal(0, await ScalarAsync(replay, Apply, 1000));
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM txn_copy.bulk WHERE info = 'second'"));
        Assert.Equal(10, await pair.QueueDepthAsync());
        Assert.Equal(refused, await Db.ScalarAsync<long>(local, "SELECT last_error_entry FROM pgsync.dst_state WHERE dst_server = 'txn_dst'"));
        Assert.Contains("not_twenty", await Db.ScalarAsync<string>(local, "SELECT last_error FROM pgsync.dst_state WHERE dst_server = 'txn_dst'"), StringComparison.Ordinal);

        await Db.ExecuteAsync(pair.Remote.ConnectionString, "ALTER TABLE txn_copy.bulk DROP CONSTRAINT not_twenty");
        Assert.Equal(10, await ScalarAsync(replay, Apply, 1));
        Assert.True(await pair.EqualAsync("txn.bulk", "txn_copy.bulk", "id"));
    }

    [Fact]
    public async Task A_statement_of_many_rows_is_queued_as_bounded_entries_of_its_transaction_and_applied_whole_in_order()
    {
        await using var pair = await TestBed.Create().Pair("txn_dst", "txn_sync").InstallAsync(PgSyncInstaller.Tables);
        await using var writer = await OpenAsync(pair.Local.ConnectionString);
        await Db.ExecuteAsync(writer, "SELECT pg_catalog.set_config('pgsync.entry_bytes', '100000', false), pg_catalog.set_config('pgsync.batch_bytes', '300000', false)");

        await Db.ExecuteAsync(writer, "INSERT INTO txn.bulk (id, info) SELECT g, md5(g::text) FROM generate_series(1, 20000) AS g");
        var inserted = await pair.QueueDepthAsync();
        Assert.InRange(inserted, 10, 40);
        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Local.ConnectionString, "SELECT count(DISTINCT xact_id::text) FROM pgsync.sync_err_rec"));
        // A key change: the old keys' deletes, then the new rows, each in bounded entries.
        await Db.ExecuteAsync(writer, "UPDATE txn.bulk SET id = id + 100000, info = 'moved' WHERE id % 2 = 0");
        await Db.ExecuteAsync(writer, "DELETE FROM txn.bulk WHERE id % 3 = 0");
        var perStatement = await Db.ScalarAsync<long[]>(pair.Local.ConnectionString,
            "SELECT array_agg(n ORDER BY first) FROM (SELECT count(*) AS n, min(id) AS first FROM pgsync.sync_err_rec GROUP BY xact_id) AS x");
        Assert.Equal(3, perStatement.Length);
        Assert.Equal(inserted, perStatement[0]);
        Assert.True(perStatement[1] > 1, "the key change of 10,000 rows is more than one entry");

        // Each call with a limit of one applies one statement's transaction, whole, and only it.
        var applied = new long[3];
        applied[0] = await ApplyAsync(pair.Local.ConnectionString, 1);
        Assert.Equal(20000L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM txn_copy.bulk"));
        applied[1] = await ApplyAsync(pair.Local.ConnectionString, 1);
        applied[2] = await ApplyAsync(pair.Local.ConnectionString, 1);
        Assert.Equal(perStatement, applied);
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.True(await pair.EqualAsync("txn.bulk", "txn_copy.bulk", "id"));

        // Sync: the commit's own entries, many, go in one remote transaction of several messages.
        await Db.ExecuteAsync(writer, "INSERT INTO txn.bulk_sync (id, info) SELECT g, md5(g::text) FROM generate_series(1, 20000) AS g");
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(20000L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM txn_copy.bulk_sync"));
        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(DISTINCT xmin::text) FROM txn_copy.bulk_sync"));
        Assert.True(await pair.EqualAsync("txn.bulk_sync", "txn_copy.bulk_sync", "id"));
    }

    /// <summary>
    /// A statement far past what one text can hold, at the default bounds: 200,000 rows by default (the short
    /// form every run includes); <c>PGSYNC_LARGE_STATEMENT_ROWS=5000000</c> for the long form.
    /// </summary>
    [Fact]
    public async Task A_very_large_statement_replicates_at_the_default_bounds()
    {
        var rows = int.TryParse(Environment.GetEnvironmentVariable("PGSYNC_LARGE_STATEMENT_ROWS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) ? r : 200_000;
        await using var pair = await TestBed.Create().Pair("txn_dst").InstallAsync(PgSyncInstaller.Tables);
        // (The long form's statements take minutes.)
        var local = new NpgsqlConnectionStringBuilder(pair.Local.ConnectionString) { CommandTimeout = 0 }.ConnectionString;

        var clock = Stopwatch.StartNew();
        await Db.ExecuteAsync(local, $"INSERT INTO txn.bulk (id, info, body) SELECT g, md5(g::text), repeat(md5(g::text), 2) FROM generate_series(1, {rows}) AS g");
        var captured = clock.Elapsed;
        var entries = await pair.QueueDepthAsync();
        var bytes = await Db.ScalarAsync<long>(local, "SELECT sum(octet_length(dst_query)) FROM pgsync.sync_err_rec");
        Assert.True(entries > 1, $"{rows} rows ({bytes} bytes of SQL) in one entry");
        Assert.True(await Db.ScalarAsync<long>(local, "SELECT max(octet_length(dst_query))::bigint FROM pgsync.sync_err_rec") < 9_000_000);

        clock.Restart();
        Assert.Equal((int)entries, await Db.ScalarAsync<int>(local, "SELECT pgsync.deal_sync_err_rec(1)"));
        var appliedIn = clock.Elapsed;
        output.WriteLine($"{rows:N0} rows: captured in {captured.TotalSeconds:F1} s as {entries} entries ({bytes / 1048576.0:F0} MiB), applied in {appliedIn.TotalSeconds:F1} s");
        Assert.Equal((long)rows, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM txn_copy.bulk"));
        Assert.Equal(
            await Db.ScalarAsync<long>(local, "SELECT sum(hashtext(t::text)) FROM txn.bulk AS t"),
            await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT sum(hashtext(t::text)) FROM txn_copy.bulk AS t"));
    }

    [Fact]
    public async Task A_row_too_large_to_travel_as_SQL_text_fails_its_statement_with_a_clear_error_and_changes_nothing()
    {
        await using var pair = await TestBed.Create().Pair("txn_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "INSERT INTO txn.bulk (id, info) VALUES (1, 'small')");

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            Db.ExecuteAsync(local, "INSERT INTO txn.bulk (id, info, body) VALUES (2, 'huge', repeat('x', 270000000))"));
        output.WriteLine(error.MessageText);
        Assert.Equal("54000", error.SqlState);
        Assert.Contains("too large to replicate", error.MessageText, StringComparison.Ordinal);
        Assert.Contains("txn.bulk", error.MessageText, StringComparison.Ordinal);
        Assert.Contains("txn_dst", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(1L, await Db.ScalarAsync<long>(local, "SELECT count(*) FROM txn.bulk"));
        Assert.Equal(1, await pair.QueueDepthAsync());
        Assert.Equal(1, await pair.ReplayAsync());
        Assert.True(await pair.EqualAsync("txn.bulk", "txn_copy.bulk", "id"));
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<int> ApplyAsync(string connectionString, int limit)
    {
        await using var connection = await OpenAsync(connectionString);
        return await ScalarAsync(connection, Apply, limit);
    }

    private static async Task<int> ScalarAsync(NpgsqlConnection connection, string sql, int limit)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
