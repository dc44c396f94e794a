using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// KeepLocal pair; both nodes delete the same key at about the same time (they agree: the row is gone on
/// both). Long after both deletes have been exchanged, local inserts the key again; nothing crosses that
/// insert, so remote must take it. (Found in review: each node kept its own tombstone, so every later
/// write of the key met a stamp it had not replaced; remote logged insert_exists and never got the row.)
/// </summary>
public sealed class DoubleDeleteTests
{
    [Fact]
    public async Task A_key_deleted_on_both_nodes_and_inserted_again_later_on_one_reaches_the_other()
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "keep_peer").Replicate("remote", "local", "keep_peer").InstallAsync(PgSyncInstaller.Tables);
        var (local, remote) = (nodes.Node("local"), nodes.Node("remote"));
        await Db.ExecuteAsync(local.ConnectionString, "INSERT INTO mm.keep_item (id, info) VALUES (1, 'old')");
        await local.ReplayAsync();

        // The same cleanup on both nodes.
        await Db.ExecuteAsync(local.ConnectionString, "DELETE FROM mm.keep_item WHERE id = 1");
        await Db.ExecuteAsync(remote.ConnectionString, "DELETE FROM mm.keep_item WHERE id = 1");
        await local.ReplayAsync();
        await remote.ReplayAsync();
        Assert.Equal(0L, await local.QueueDepthAsync() + await remote.QueueDepthAsync());

        // Later: the key is used again on local.
        await Db.ExecuteAsync(local.ConnectionString, "INSERT INTO mm.keep_item (id, info) VALUES (1, 'new, later')");
        await local.ReplayAsync();
        var state = $"local={await Db.ScalarAsync<string>(local.ConnectionString, "SELECT coalesce(max(info), '<none>') FROM mm.keep_item WHERE id = 1")}, " +
                    $"remote={await Db.ScalarAsync<string>(remote.ConnectionString, "SELECT coalesce(max(info), '<none>') FROM mm.keep_item WHERE id = 1")}; " +
                    $"remote's conflict log: {await Db.ScalarAsync<string>(remote.ConnectionString, "SELECT coalesce(string_agg(key || '|' || kind || '|' || resolution, '; ' ORDER BY logged_at), '') FROM pgsync.conflict_log")}";
        Assert.True(state.StartsWith("local=new, later, remote=new, later;", System.StringComparison.Ordinal), state);
    }
}
