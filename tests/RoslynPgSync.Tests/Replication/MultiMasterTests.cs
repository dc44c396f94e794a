using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// The seed's multi-master set-up from one assembly: installed on each node with that node's server,
/// changes flow both ways and never come back (pgsync.origin on replication sessions).
/// </summary>
public sealed class MultiMasterTests
{
    [Fact]
    public async Task Changes_on_either_node_reach_the_other_and_never_loop_back()
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "dst").Replicate("remote", "local", "back").InstallAsync(PgSyncInstaller.Tables);

        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO local.loc_test (pk1, pk2, info) VALUES (1, 'a', 'from local')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "INSERT INTO remote.rmt_test (pk1, pk2, info) VALUES (2, 'b', 'from remote')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "UPDATE remote.rmt_test SET info = 'edited on remote' WHERE pk1 = 1");

        const string Rows = "SELECT string_agg(pk1 || pk2 || ':' || info, ',' ORDER BY pk1) FROM {0}";
        Assert.Equal("1a:edited on remote,2b:from remote", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, Rows.Replace("{0}", "local.loc_test", System.StringComparison.Ordinal)));
        Assert.Equal("1a:edited on remote,2b:from remote", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, Rows.Replace("{0}", "remote.rmt_test", System.StringComparison.Ordinal)));
        // Nothing was queued to send back what arrived by replication.
        Assert.Equal(0L, await Db.ScalarAsync<long>(nodes.Local.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(nodes.Remote.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec"));
    }
}
