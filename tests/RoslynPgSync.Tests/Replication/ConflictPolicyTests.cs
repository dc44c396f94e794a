using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// <c>Conflicts = KeepLocal</c> and <c>Conflicts = Error</c> on a multi-master pair: a change that
/// conflicts (it had not seen the row the destination holds) is dropped and recorded under KeepLocal,
/// and stops the destination's queue at its entry, the conflict named in the error, under Error;
/// changes that conflict with nothing go through under both.
/// </summary>
public sealed class ConflictPolicyTests
{
    [Fact]
    public async Task KeepLocal_keeps_each_nodes_row_where_changes_crossed_and_applies_the_rest()
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "keep_peer").Replicate("remote", "local", "keep_peer").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO mm.keep_item (id, info) VALUES (1, 'base'), (2, 'base')");
        await nodes.Node("local").ReplayAsync();

        await Db.ExecuteAsync(nodes.Local.ConnectionString, "UPDATE mm.keep_item SET info = 'local' WHERE id = 1");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "UPDATE mm.keep_item SET info = 'remote' WHERE id = 1");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "UPDATE mm.keep_item SET info = 'remote, on top of base' WHERE id = 2");
        await nodes.Node("local").ReplayAsync();
        await nodes.Node("remote").ReplayAsync();

        Assert.Equal("local", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, "SELECT info FROM mm.keep_item WHERE id = 1"));
        Assert.Equal("remote", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT info FROM mm.keep_item WHERE id = 1"));
        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            Assert.Equal("remote, on top of base", await Db.ScalarAsync<string>(node.ConnectionString, "SELECT info FROM mm.keep_item WHERE id = 2"));
            Assert.Equal(
                "{\"id\" : 1}|update_origin_differs|keep_local",
                await Db.ScalarAsync<string>(node.ConnectionString, "SELECT string_agg(key || '|' || kind || '|' || resolution, '; ') FROM pgsync.conflict_log"));
        }

        Assert.Equal(0L, await nodes.Node("local").QueueDepthAsync() + await nodes.Node("remote").QueueDepthAsync());

        // A key change conflicts with nothing: the old key goes, the new one comes, under KeepLocal too.
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "UPDATE mm.keep_item SET id = 20 WHERE id = 2");
        await nodes.Node("local").ReplayAsync();
        Assert.Equal("remote, on top of base", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT info FROM mm.keep_item WHERE id = 20"));
        Assert.False(await Db.ScalarAsync<bool>(nodes.Remote.ConnectionString, "SELECT EXISTS (SELECT 1 FROM mm.keep_item WHERE id = 2)"));
        Assert.Equal(1L, await Db.ScalarAsync<long>(nodes.Remote.ConnectionString, "SELECT count(*) FROM pgsync.conflict_log"));
    }

    [Fact]
    public async Task Error_stops_the_queue_at_the_conflicting_entry_naming_it_until_an_operator_skips_it()
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "error_peer").Replicate("remote", "local", "error_peer").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO mm.strict_item (id, info) VALUES (1, 'base'), (2, 'base')");
        await nodes.Node("local").ReplayAsync();

        // Local: a change that conflicts with nothing, then one that crosses remote's.
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "UPDATE mm.strict_item SET info = 'fine' WHERE id = 2");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "UPDATE mm.strict_item SET info = 'local' WHERE id = 1");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "UPDATE mm.strict_item SET info = 'remote' WHERE id = 1");
        await nodes.Node("local").ReplayAsync();

        // The entry before the conflict went; the conflicting one stays at the head, its error recorded.
        Assert.Equal("fine", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT info FROM mm.strict_item WHERE id = 2"));
        Assert.Equal("remote", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT info FROM mm.strict_item WHERE id = 1"));
        Assert.Equal(1L, await nodes.Node("local").QueueDepthAsync("error_peer"));
        var error = await Db.ScalarAsync<string>(nodes.Local.ConnectionString, "SELECT last_error FROM pgsync.dst_state WHERE dst_server = 'error_peer'");
        Assert.Contains("conflict update_origin_differs on mm.strict_item, key {\"id\" : 1}", error, System.StringComparison.Ordinal);
        Assert.Contains("Conflicts = Error stops this queue here", error, System.StringComparison.Ordinal);
        var entry = await Db.ScalarAsync<long>(nodes.Local.ConnectionString, "SELECT last_error_entry FROM pgsync.dst_state WHERE dst_server = 'error_peer'");
        Assert.Equal(entry, await Db.ScalarAsync<long>(nodes.Local.ConnectionString, "SELECT min(id) FROM pgsync.sync_err_rec"));

        // Replaying again changes nothing: the queue stays stopped there.
        await nodes.Node("local").ReplayAsync();
        Assert.Equal(1L, await nodes.Node("local").QueueDepthAsync("error_peer"));
        Assert.Equal("remote", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT info FROM mm.strict_item WHERE id = 1"));

        // The operator skips it; what comes after goes.
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "SELECT pgsync.skip_entry($1)", entry);
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "UPDATE mm.strict_item SET info = 'after' WHERE id = 2");
        await nodes.Node("local").ReplayAsync();
        Assert.Equal(0L, await nodes.Node("local").QueueDepthAsync("error_peer"));
        Assert.Equal("after", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT info FROM mm.strict_item WHERE id = 2"));
    }

    [Fact]
    public async Task An_insert_that_meets_the_tombstone_of_a_delete_it_did_not_see_is_dropped_and_recorded_under_KeepLocal_and_stops_the_queue_under_Error()
    {
        // Local inserts key 1; meanwhile remote inserts and deletes it. Local's insert reaches a node that
        // holds a tombstone the insert never saw: a conflict (once dropped with no word under both).
        foreach (var (server, table) in new[] { ("keep_peer", "mm.keep_item"), ("error_peer", "mm.strict_item") })
        {
            await using var nodes = await TestBed.Create().Replicate("local", "remote", server).Replicate("remote", "local", server).InstallAsync(PgSyncInstaller.Tables);
            await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {table} (id, info) VALUES (1, 'local')");
            await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"INSERT INTO {table} (id, info) VALUES (1, 'remote')");
            await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"DELETE FROM {table} WHERE id = 1");
            await nodes.Node("local").ReplayAsync();

            Assert.False(await Db.ScalarAsync<bool>(nodes.Remote.ConnectionString, $"SELECT EXISTS (SELECT 1 FROM {table} WHERE id = 1)"));
            if (server == "keep_peer")
            {
                Assert.Equal(0L, await nodes.Node("local").QueueDepthAsync(server));
                Assert.Equal("insert_exists|keep_local", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT string_agg(kind || '|' || resolution, ',') FROM pgsync.conflict_log"));
            }
            else
            {
                Assert.Equal(1L, await nodes.Node("local").QueueDepthAsync(server));
                var error = await Db.ScalarAsync<string>(nodes.Local.ConnectionString, $"SELECT coalesce(max(last_error), '') FROM pgsync.dst_state WHERE dst_server = '{server}'");
                Assert.Contains("conflict insert_exists", error, System.StringComparison.Ordinal);
                Assert.Contains("Conflicts = Error stops this queue here", error, System.StringComparison.Ordinal);
            }
        }
    }
}

