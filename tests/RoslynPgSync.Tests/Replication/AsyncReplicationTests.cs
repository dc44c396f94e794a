using System.Threading.Tasks;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Replication;

/// <summary>Async mode: each statement becomes one queue entry, applied in order by deal_sync_err_rec.</summary>
public sealed class AsyncReplicationTests
{
    private const string Source = "app.hostile_async";
    private const string Target = "copy.hostile_async";
    private const string Key = "id, code";

    [Fact]
    public async Task Insert_update_delete_truncate_are_queued_per_statement_and_replayed_in_order()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;

        await Db.ExecuteAsync(local, $"INSERT INTO {Source} (id, code, body) SELECT g, 'c' || g, 'row ' || g FROM generate_series(1, 500) g");
        await Db.ExecuteAsync(local, $"UPDATE {Source} SET body = upper(body) WHERE id <= 100");
        await Db.ExecuteAsync(local, $"DELETE FROM {Source} WHERE id > 450");

        Assert.Equal(3, await pair.QueueDepthAsync());
        Assert.Empty(await TestBed.RowsAsync(pair.Remote.ConnectionString, Target, Key));

        Assert.Equal(3, await pair.ReplayAsync());
        Assert.Equal(0, await pair.QueueDepthAsync());
        var expected = await TestBed.RowsAsync(local, Source, Key);
        Assert.Equal(450, expected.Count);
        Assert.Equal(expected, await TestBed.RowsAsync(pair.Remote.ConnectionString, Target, Key));

        await Db.ExecuteAsync(local, $"TRUNCATE {Source}");
        Assert.Equal(1, await pair.ReplayAsync());
        Assert.Empty(await TestBed.RowsAsync(pair.Remote.ConnectionString, Target, Key));
    }

    [Fact]
    public async Task Replay_limit_counts_entries_and_applies_the_oldest_first()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        // Ten transactions of one entry each (a batch takes whole transactions: see WholeTransactionTests).
        await Db.ExecuteAsync(local, $"DO $$ BEGIN FOR i IN 1..10 LOOP INSERT INTO {Source} (id, code) VALUES (i, 'k'); COMMIT; END LOOP; END $$");

        Assert.Equal(10, await pair.QueueDepthAsync());
        Assert.Equal(4, await pair.ReplayAsync(4));

        Assert.Equal(new[] { 1L, 2L, 3L, 4L }, await Db.ScalarAsync<long[]>(pair.Remote.ConnectionString, $"SELECT array_agg(id ORDER BY id)::bigint[] FROM {Target}"));
        Assert.Equal(6, await pair.ReplayAsync());
        Assert.Equal(10L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, $"SELECT count(*) FROM {Target}"));
    }

    [Fact]
    public async Task Rolled_back_transaction_leaves_nothing_locally_or_remotely()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        await using (var connection = new Npgsql.NpgsqlConnection(pair.Local.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var insert = new Npgsql.NpgsqlCommand($"INSERT INTO {Source} (id, code) VALUES (1, 'rolled back')", connection, transaction))
            {
                await insert.ExecuteNonQueryAsync();
            }

            await transaction.RollbackAsync();
        }

        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(0, await pair.ReplayAsync());
        Assert.Empty(await TestBed.RowsAsync(pair.Remote.ConnectionString, Target, Key));
    }

    [Fact]
    public async Task Key_change_and_overlapping_shift_end_with_the_same_rows_on_both_sides()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        // A deferrable key lets one statement move every key onto its neighbour's, as some schemas allow.
        await Db.ExecuteAsync(local, $"ALTER TABLE {Source} DROP CONSTRAINT hostile_async_pkey, ADD PRIMARY KEY (id, code) DEFERRABLE");
        await Db.ExecuteAsync(local, $"INSERT INTO {Source} (id, code, body) SELECT g, 'x', 'v' || g FROM generate_series(1, 50) g");
        // Every key moves by one: new keys overlap old ones, so deletes must come before upserts.
        await Db.ExecuteAsync(local, $"UPDATE {Source} SET id = id + 1");
        await Db.ExecuteAsync(local, $"UPDATE {Source} SET code = 'y' WHERE id % 2 = 0");

        await pair.ReplayAsync();

        Assert.Equal(await TestBed.RowsAsync(local, Source, Key), await TestBed.RowsAsync(pair.Remote.ConnectionString, Target, Key));
    }

    [Fact]
    public async Task Applying_an_entry_twice_leaves_the_same_state()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, $"INSERT INTO {Source} (id, code, body) SELECT g, 'k', 'v' FROM generate_series(1, 20) g");
        await Db.ExecuteAsync(local, $"UPDATE {Source} SET id = id + 100, body = 'moved' WHERE id <= 5");
        await Db.ExecuteAsync(local, $"DELETE FROM {Source} WHERE id BETWEEN 6 AND 8");
        var entries = await Db.ScalarAsync<string[]>(local, "SELECT array_agg(pgsync.entry_sql(op, statement, dst_query) ORDER BY id) FROM pgsync.sync_err_rec");

        await pair.ReplayAsync();
        var once = await TestBed.RowsAsync(pair.Remote.ConnectionString, Target, Key);
        foreach (var entry in entries)
        {
            // As if the destination had applied the batch and the local delete had been lost.
            await Db.ExecuteAsync(pair.Remote.ConnectionString, entry);
        }

        Assert.Equal(once, await TestBed.RowsAsync(pair.Remote.ConnectionString, Target, Key));
        Assert.Equal(await TestBed.RowsAsync(local, Source, Key), once);
    }
}
