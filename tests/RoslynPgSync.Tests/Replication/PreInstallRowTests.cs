using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// A KeepLocal (or Error) pair whose two nodes already held the same row before the install (the
/// initial copy is skipped: the target has rows). Local then updates that row; nothing is written on
/// remote meanwhile. The update replaced no stamp on local, and remote holds none: no conflict (by the
/// documented rule, "the destination's stamp for the key is not the one the change replaced"), so remote
/// must take it. (Found in review: KeepLocal logged insert_exists and kept 'same on both', Error stopped
/// the queue.)
/// </summary>
public sealed class PreInstallRowTests
{
    [Theory]
    [InlineData("mm.keep_item", "keep_peer")]
    [InlineData("mm.strict_item", "error_peer")]
    public async Task An_update_of_a_row_both_nodes_held_before_the_install_reaches_the_other_node(string table, string server)
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", server).Replicate("remote", "local", server).BuildAsync();
        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            await Db.ExecuteAsync(node.ConnectionString, $"CREATE SCHEMA IF NOT EXISTS mm; CREATE TABLE {table} (id integer PRIMARY KEY, info text); INSERT INTO {table} VALUES (1, 'same on both'), (2, 'same on both')");
        }

        foreach (var name in new[] { "local", "remote" })
        {
            await PgSyncInstallation.InstallAsync(nodes.Node(name).Source, nodes.Node(name).Options, PgSyncInstaller.Tables);
        }

        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {table} SET info = 'changed on local' WHERE id = 1");
        await nodes.Node("local").ReplayAsync();

        var state = $"local={await Db.ScalarAsync<string>(nodes.Local.ConnectionString, $"SELECT info FROM {table} WHERE id = 1")}, " +
                    $"remote={await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, $"SELECT info FROM {table} WHERE id = 1")}; " +
                    $"remote's conflict log: {await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT coalesce(string_agg(key || '|' || kind || '|' || resolution, '; '), '') FROM pgsync.conflict_log")}; " +
                    $"local's queue: {await nodes.Node("local").QueueDepthAsync()}, error: {await Db.ScalarAsync<string>(nodes.Local.ConnectionString, "SELECT coalesce(max(last_error), '') FROM pgsync.dst_state")}";
        Assert.True(state.StartsWith("local=changed on local, remote=changed on local;", System.StringComparison.Ordinal), state);
    }
}
