using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// The two ways a Sync commit reaches its destination: alone and without the destination's lock
/// when nothing else is queued for it, and through the ordered, locked path (backlog first) when
/// something is.
/// </summary>
public sealed class SyncCommitPathTests
{
    private const string Key = "id, code";

    [Fact]
    public async Task Commit_with_nothing_else_queued_does_not_wait_for_the_destination_lock_but_one_with_a_backlog_does()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;

        // A long replay of that destination holds its lock.
        await using var replay = new NpgsqlConnection(pair.Local.AdminConnectionString);
        await replay.OpenAsync();
        await using var held = await replay.BeginTransactionAsync();
        await Db.ExecuteAsync(replay, $"SELECT pg_advisory_xact_lock({RoslynPgSync.Queue.PgSyncQueue.DestinationLockSpace}, hashtext('sync_dst'))");

        await using (var writer = new NpgsqlConnection(local))
        {
            await writer.OpenAsync();
            await Db.ExecuteAsync(writer, "SET lock_timeout = '3s'");
            await Db.ExecuteAsync(writer, "INSERT INTO app.hostile_sync (id, code) VALUES (1, 'fast')");
        }

        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));

        // With an entry left from an outage, the next commit must send it first: it waits for the lock.
        await pair.TakeRemoteDownAsync();
        await Db.ExecuteAsync(local, "UPDATE app.hostile_sync SET body = 'during the outage' WHERE id = 1");
        await pair.BringRemoteBackAsync();
        await using (var writer = new NpgsqlConnection(local))
        {
            await writer.OpenAsync();
            await Db.ExecuteAsync(writer, "SET lock_timeout = '300ms'");
            var error = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(writer, "INSERT INTO app.hostile_sync (id, code) VALUES (2, 'behind the backlog')"));
            Assert.Equal(PostgresErrorCodes.LockNotAvailable, error.SqlState);
        }

        await held.RollbackAsync();
        Assert.Equal(1, await pair.QueueDepthAsync());
    }

    [Fact]
    public async Task Next_commit_sends_the_backlog_before_its_own_change_to_the_same_row()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "INSERT INTO app.hostile_sync (id, code, body) VALUES (1, 'k', 'first')");
        await pair.TakeRemoteDownAsync();
        await Db.ExecuteAsync(local, "UPDATE app.hostile_sync SET body = 'second' WHERE id = 1");
        await Db.ExecuteAsync(local, "UPDATE app.hostile_sync SET body = 'third' WHERE id = 1");
        Assert.Equal(2, await pair.QueueDepthAsync());
        await pair.BringRemoteBackAsync();

        // No replay: the next commit carries the two queued updates, in order, then its own.
        await Db.ExecuteAsync(local, "UPDATE app.hostile_sync SET body = 'fourth' WHERE id = 1");

        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal("fourth", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT body FROM copy.hostile_sync WHERE id = 1"));
        Assert.Equal(
            await TestBed.RowsAsync(local, "app.hostile_sync", Key),
            await TestBed.RowsAsync(pair.Remote.ConnectionString, "copy.hostile_sync", Key));
    }

    [Fact]
    public async Task Another_destinations_large_backlog_is_not_scanned_by_sync_commits_even_with_generic_plans()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst", "async_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;

        // 20,000 queued entries, all for the other destination, and statistics that say so.
        await using (var backlog = new NpgsqlConnection(local))
        {
            await backlog.OpenAsync();
            await Db.ExecuteAsync(backlog, "DO $$ BEGIN FOR i IN 1..20000 LOOP INSERT INTO app.hostile_async (id, code) VALUES (i, 'q'); END LOOP; END $$");
        }

        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "ANALYZE pgsync.sync_err_rec");
        var before = await QueueReadsAsync(pair, "sync_err_rec", minimumInserts: 20_000);

        // plan_cache_mode = force_generic_plan: every statement in the flush and apply functions runs
        // with the plan PostgreSQL would settle on after five calls.
        await using (var writer = new NpgsqlConnection(local))
        {
            await writer.OpenAsync();
            await Db.ExecuteAsync(writer, "SET plan_cache_mode = force_generic_plan");
            for (var i = 1; i <= 5; i++)
            {
                await Db.ExecuteAsync(writer, $"INSERT INTO app.hostile_sync (id, code) VALUES ({i}, 's')");
            }

            await Db.ExecuteAsync(writer, "SELECT pg_stat_force_next_flush()");
        }

        // (Sync entries wait in sync_pending: its five inserts show the writer's statistics arrived.)
        await QueueReadsAsync(pair, "sync_pending", minimumInserts: 5);
        var after = await QueueReadsAsync(pair, "sync_err_rec", minimumInserts: before.Inserts);
        Assert.Equal(5L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));
        Assert.True(after.Reads - before.Reads < 1_000, $"the Sync commits read {after.Reads - before.Reads} queue rows");
    }

    /// <summary>
    /// Rows of pgsync.<paramref name="table"/> read by sequential scans and fetched by index scans
    /// so far, once the statistics show at least <paramref name="minimumInserts"/> inserts into it
    /// (they reach the statistics system when the writing session goes idle).
    /// </summary>
    private static async Task<(long Reads, long Inserts)> QueueReadsAsync(TestBed pair, string table, long minimumInserts)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var connection = new NpgsqlConnection(pair.Local.AdminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0), n_tup_ins FROM pg_stat_user_tables WHERE schemaname = 'pgsync' AND relname = $1",
                connection);
            command.Parameters.AddWithValue(table);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            var (reads, inserts) = (reader.GetInt64(0), reader.GetInt64(1));
            if (inserts >= minimumInserts)
            {
                return (reads, inserts);
            }

            Assert.True(DateTime.UtcNow < deadline, $"statistics show {inserts} inserts into {table}, expected {minimumInserts}");
            await Task.Delay(100);
        }
    }
}
