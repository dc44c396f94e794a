using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// One source statement that truncates several tables (<c>TRUNCATE a, b</c>, or <c>TRUNCATE a CASCADE</c>)
/// fires each table's capture on its own, and each queues its own <c>TRUNCATE ONLY</c>. A destination that
/// links the tables by a foreign key refuses to truncate the referenced one unless the referencing one is
/// truncated in the same statement, whatever the rows and deferral: sent one by one, the stream stopped
/// for good at the first of them (review finding). The apply sends such a run of one transaction as one
/// statement, in every path that sends entries: the batch's first message (batch_sql), the messages after
/// it (send_entries), the entry-by-entry search for a refused entry, and a Sync commit's own entries.
/// </summary>
public sealed class MultiTableTruncateTests
{
    private const string LinkTxn =
        "ALTER TABLE txn_copy.child ADD CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES txn_copy.parent (id) DEFERRABLE INITIALLY DEFERRED";

    private static Task<string?> LastErrorAsync(TestBed pair) =>
        Db.ScalarAsync<string?>(pair.Local.ConnectionString, "SELECT string_agg(last_error, '; ') FROM pgsync.dst_state");

    private static Task<long> RemoteRowsAsync(TestBed pair, string parent, string child) =>
        Db.ScalarAsync<long>(pair.Remote.ConnectionString, $"SELECT (SELECT count(*) FROM {parent}) + (SELECT count(*) FROM {child})");

    private static async Task<TestBed> LinkedPairAsync()
    {
        var pair = await TestBed.Create().Pair("txn_dst").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Remote.ConnectionString, LinkTxn);
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO txn.parent (id, name) VALUES (1, 'p'), (2, 'q'); INSERT INTO txn.child (id, parent_id) VALUES (1, 1), (2, 2)");
        await pair.ReplayAsync();
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(4L, await RemoteRowsAsync(pair, "txn_copy.parent", "txn_copy.child"));
        return pair;
    }

    [Theory]
    [InlineData("TRUNCATE txn.parent, txn.child")]
    [InlineData("TRUNCATE txn.child, txn.parent")]
    [InlineData("TRUNCATE txn.parent CASCADE")]
    public async Task Tables_truncated_by_one_statement_reach_a_destination_whose_foreign_key_links_them(string truncate)
    {
        await using var pair = await LinkedPairAsync();
        if (truncate.Contains("CASCADE", System.StringComparison.Ordinal))
        {
            // CASCADE needs the link on the source too.
            await Db.ExecuteAsync(pair.Local.AdminConnectionString, "ALTER TABLE txn.child ADD CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES txn.parent (id)");
        }

        await Db.ExecuteAsync(pair.Local.ConnectionString, truncate);
        Assert.Equal(2, await pair.QueueDepthAsync());
        await pair.ReplayAsync();

        Assert.Null(await LastErrorAsync(pair));
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(0L, await RemoteRowsAsync(pair, "txn_copy.parent", "txn_copy.child"));
    }

    [Fact]
    public async Task A_truncate_run_split_by_the_byte_bound_still_goes_as_one_statement()
    {
        // A bound of one byte ends the first message after the first entry: the second TRUNCATE goes in
        // the messages after it (send_entries), and joins the first one's statement.
        await using var pair = await LinkedPairAsync();
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "TRUNCATE txn.parent, txn.child");
        await using (var connection = new NpgsqlConnection(local))
        {
            await connection.OpenAsync();
            await Db.ExecuteAsync(connection, "BEGIN; SET LOCAL pgsync.batch_bytes = '1'");
            await using var apply = new NpgsqlCommand("SELECT pgsync.apply_pending('txn_dst', '', 1000, false, NULL)", connection);
            Assert.Equal(2, (int)(await apply.ExecuteScalarAsync())!);
            await Db.ExecuteAsync(connection, "COMMIT");
        }

        Assert.Null(await LastErrorAsync(pair));
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(0L, await RemoteRowsAsync(pair, "txn_copy.parent", "txn_copy.child"));
    }

    [Fact]
    public async Task The_search_for_a_refused_entry_passes_a_truncate_run_and_stops_at_the_entry_refused()
    {
        // A later entry the destination refuses fails the batch; the entry-by-entry search must send the
        // two TRUNCATEs as one as well, or it takes the first of them for the refused entry and applies
        // nothing.
        await using var pair = await LinkedPairAsync();
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "ALTER TABLE txn_copy.parent ADD CONSTRAINT parent_not_bad CHECK (name <> 'bad')");
        await Db.ExecuteAsync(local, "TRUNCATE txn.parent, txn.child");
        await Db.ExecuteAsync(local, "INSERT INTO txn.parent (id, name) VALUES (3, 'bad')");
        var refused = await Db.ScalarAsync<long>(local, "SELECT max(id) FROM pgsync.sync_err_rec");
        await pair.ReplayAsync();

        Assert.Equal(1, await pair.QueueDepthAsync());
        Assert.Equal(refused, await Db.ScalarAsync<long>(local, "SELECT last_error_entry FROM pgsync.dst_state WHERE dst_server = 'txn_dst'"));
        Assert.Contains("parent_not_bad", await LastErrorAsync(pair), System.StringComparison.Ordinal);
        Assert.Equal(0L, await RemoteRowsAsync(pair, "txn_copy.parent", "txn_copy.child"));
    }

    [Fact]
    public async Task A_sync_commit_that_truncates_linked_tables_sends_them_as_one_statement()
    {
        await using var pair = await TestBed.Create().Pair("txn_sync").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(pair.Remote.ConnectionString,
            "ALTER TABLE txn_copy.sync_child ADD CONSTRAINT sync_child_parent FOREIGN KEY (parent_id) REFERENCES txn_copy.sync_parent (id) DEFERRABLE INITIALLY DEFERRED");
        await Db.ExecuteAsync(local, "INSERT INTO txn.sync_parent (id, name) VALUES (1, 'p'); INSERT INTO txn.sync_child (id, parent_id) VALUES (1, 1)");
        Assert.Equal(2L, await RemoteRowsAsync(pair, "txn_copy.sync_parent", "txn_copy.sync_child"));

        await Db.ExecuteAsync(local, "TRUNCATE txn.sync_child, txn.sync_parent");

        // Sent at the commit, not queued.
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Null(await LastErrorAsync(pair));
        Assert.Equal(0L, await RemoteRowsAsync(pair, "txn_copy.sync_parent", "txn_copy.sync_child"));
    }

    [Fact]
    public async Task An_aborted_sync_truncate_of_linked_tables_is_restored_as_one_truncate()
    {
        // The TRUNCATE reached the destination at the flush, then the commit failed (a deferred constraint):
        // each table's restore starts with its own TRUNCATE ONLY, which the destination refused for the
        // referenced table, so the restore failed at every call and the destination stayed empty (second
        // review). resolve_applied now sends the restores' TRUNCATEs first, as one.
        await using var pair = await TestBed.Create().Pair("txn_sync").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(pair.Remote.ConnectionString,
            "ALTER TABLE txn_copy.sync_child ADD CONSTRAINT sync_child_parent FOREIGN KEY (parent_id) REFERENCES txn_copy.sync_parent (id) DEFERRABLE INITIALLY DEFERRED");
        await Db.ExecuteAsync(local, "INSERT INTO txn.sync_parent (id, name) VALUES (1, 'p'); INSERT INTO txn.sync_child (id, parent_id) VALUES (1, 1)");
        var error = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(local,
            "BEGIN; CREATE TEMP TABLE doom (id int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED); " +
            "TRUNCATE txn.sync_child, txn.sync_parent; INSERT INTO doom VALUES (1), (1); COMMIT"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal(0L, await RemoteRowsAsync(pair, "txn_copy.sync_parent", "txn_copy.sync_child")); // (sent at the flush)

        Assert.Equal(1, await Db.ScalarAsync<int>(local, "SELECT pgsync.resolve_applied('txn_sync')"));

        Assert.Equal(2L, await RemoteRowsAsync(pair, "txn_copy.sync_parent", "txn_copy.sync_child"));
        Assert.True(await pair.EqualAsync("txn.sync_parent", "txn_copy.sync_parent", "id"));
        Assert.True(await pair.EqualAsync("txn.sync_child", "txn_copy.sync_child", "id"));
        Assert.Equal(0, await Db.ScalarAsync<int>(local, "SELECT pgsync.resolve_applied('txn_sync')"));
    }

    [Fact]
    public async Task Truncates_of_two_transactions_stay_two_statements()
    {
        // Only one transaction's run is joined: the two TRUNCATEs below are separate statements on the
        // source, with a write between them that the destination must see in between.
        await using var pair = await TestBed.Create().Pair("txn_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "INSERT INTO txn.parent (id, name) VALUES (1, 'p')");
        await Db.ExecuteAsync(local, "TRUNCATE txn.parent");
        await Db.ExecuteAsync(local, "INSERT INTO txn.child (id, parent_id) VALUES (7, 7)");
        await Db.ExecuteAsync(local, "TRUNCATE txn.child");
        await Db.ExecuteAsync(local, "INSERT INTO txn.parent (id, name) VALUES (2, 'after')");
        var sql = await Db.ScalarAsync<string>(local,
            "SELECT pgsync.batch_sql('txn_dst', NULL, (SELECT array_agg(id ORDER BY id) FROM pgsync.sync_err_rec))");
        Assert.DoesNotContain("TRUNCATE ONLY \"txn_copy\".\"parent\", ", sql, System.StringComparison.Ordinal);
        await pair.ReplayAsync();
        Assert.True(await pair.EqualAsync("txn.parent", "txn_copy.parent", "id"));
        Assert.True(await pair.EqualAsync("txn.child", "txn_copy.child", "id"));
    }
}
