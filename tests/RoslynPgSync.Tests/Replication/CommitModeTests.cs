using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Replication;

/// <summary>Sync and Strict: changes are sent when the writer commits, in one remote transaction.</summary>
public sealed class CommitModeTests
{
    private const string Key = "id, code";

    [Fact]
    public async Task Sync_changes_arrive_at_commit_without_replay_and_leave_the_queue_empty()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;

        await Db.ExecuteAsync(local, "INSERT INTO app.hostile_sync (id, code, body) SELECT g, 'k', 'v' FROM generate_series(1, 100) g");
        await Db.ExecuteAsync(local, "UPDATE app.hostile_sync SET body = 'w' WHERE id > 50");
        await Db.ExecuteAsync(local, "DELETE FROM app.hostile_sync WHERE id <= 10");

        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(
            await TestBed.RowsAsync(local, "app.hostile_sync", Key),
            await TestBed.RowsAsync(pair.Remote.ConnectionString, "copy.hostile_sync", Key));
    }

    [Fact]
    public async Task Sync_transaction_of_several_statements_is_applied_whole_at_commit_and_not_before()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        await using var connection = new NpgsqlConnection(pair.Local.ConnectionString);
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Db.ExecuteAsync(connection, "INSERT INTO app.hostile_sync (id, code) VALUES (1, 'a'), (2, 'b')");
            await Db.ExecuteAsync(connection, "UPDATE app.hostile_sync SET body = 'changed' WHERE id = 1");

            Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));
            await transaction.CommitAsync();
        }

        Assert.Equal(
            "1|a|changed;2|b|",
            await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT string_agg(concat_ws('|', id, code, coalesce(body, '')), ';' ORDER BY id) FROM copy.hostile_sync"));
    }

    [Fact]
    public async Task Sync_rollback_sends_nothing()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        await using var connection = new NpgsqlConnection(pair.Local.ConnectionString);
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Db.ExecuteAsync(connection, "INSERT INTO app.hostile_sync (id, code) VALUES (1, 'a')");
            await transaction.RollbackAsync();
        }

        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));
    }

    [Fact]
    public async Task Sync_with_destination_down_commits_locally_keeps_the_queue_and_replays_later()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await pair.TakeRemoteDownAsync();

        await Db.ExecuteAsync(local, "INSERT INTO app.hostile_sync (id, code) SELECT g, 'k' FROM generate_series(1, 30) g");
        await Db.ExecuteAsync(local, "DELETE FROM app.hostile_sync WHERE id > 20");

        Assert.Equal(20L, await Db.ScalarAsync<long>(local, "SELECT count(*) FROM app.hostile_sync"));
        Assert.Equal(2, await pair.QueueDepthAsync());
        var error = await Db.ScalarAsync<string>(local, "SELECT last_error FROM pgsync.status WHERE dst_server = 'sync_dst'");
        Assert.Contains("not permitted to log in", error, StringComparison.Ordinal);

        await pair.BringRemoteBackAsync();
        Assert.Equal(2, await pair.ReplayAsync());
        Assert.Equal(
            await TestBed.RowsAsync(local, "app.hostile_sync", Key),
            await TestBed.RowsAsync(pair.Remote.ConnectionString, "copy.hostile_sync", Key));
    }

    [Fact]
    public async Task Strict_with_destination_down_fails_the_local_transaction_naming_the_server()
    {
        await using var pair = await TestBed.Create().Pair("strict_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "INSERT INTO app.hostile_strict (id, code) VALUES (1, 'before')");
        await pair.TakeRemoteDownAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(local, "INSERT INTO app.hostile_strict (id, code) VALUES (2, 'during')"));

        Assert.Contains("\"strict_dst\"", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(1L, await Db.ScalarAsync<long>(local, "SELECT count(*) FROM app.hostile_strict"));
        Assert.Equal(0, await pair.QueueDepthAsync());

        await pair.BringRemoteBackAsync();
        await Db.ExecuteAsync(local, "INSERT INTO app.hostile_strict (id, code) VALUES (3, 'after')");
        Assert.Equal(
            await TestBed.RowsAsync(local, "app.hostile_strict", Key),
            await TestBed.RowsAsync(pair.Remote.ConnectionString, "copy.hostile_strict", Key));
    }

    [Fact]
    public async Task Broken_dblink_connection_after_destination_sessions_end_is_reopened()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        await using var connection = new NpgsqlConnection(pair.Local.ConnectionString);
        await connection.OpenAsync();
        await Db.ExecuteAsync(connection, "INSERT INTO app.hostile_sync (id, code) VALUES (1, 'a')");

        // The same local session keeps its named dblink connection; kill the remote end of it.
        await pair.EndRemoteSessionsAsync();
        await Db.ExecuteAsync(connection, "INSERT INTO app.hostile_sync (id, code) VALUES (2, 'b')");

        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(2L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));
    }
}
