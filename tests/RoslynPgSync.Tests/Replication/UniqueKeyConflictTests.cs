using System.Linq;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Verification;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// A conflict on another unique key of the model (EF Core's <c>[Index(..., IsUnique = true)]</c>): two
/// nodes give one code to two different ids before either change arrives. Under LastWriterWins the later
/// write keeps the code on every node (the other id's row is deleted where it stood), and each node logs
/// the conflict with the unique key; under KeepLocal each node keeps its own row; the queue never stops.
/// </summary>
public sealed class UniqueKeyConflictTests
{
    private const string Rows = "SELECT coalesce(string_agg(id || ':' || code || ':' || coalesce(info, ''), ',' ORDER BY id), '') FROM mm.lww_unique";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_later_write_keeps_a_unique_code_on_every_node_whichever_replays_first(bool localFirst)
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "unique_peer").Replicate("remote", "local", "unique_peer").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO mm.lww_unique (id, code, info) VALUES (3, 'y', 'base')");
        await nodes.Node("local").ReplayAsync();

        // Crossing, in this order: each node takes codes the other takes too, before either change arrives.
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO mm.lww_unique (id, code, info) VALUES (1, 'x', 'local, earlier')");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "UPDATE mm.lww_unique SET code = 'z', info = 'local update' WHERE id = 3");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "INSERT INTO mm.lww_unique (id, code, info) VALUES (6, 'w', 'remote, earlier')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "INSERT INTO mm.lww_unique (id, code, info) VALUES (2, 'x', 'remote, later')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "INSERT INTO mm.lww_unique (id, code, info) VALUES (4, 'z', 'remote, later')");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO mm.lww_unique (id, code, info) VALUES (5, 'w', 'local, later')");
        foreach (var node in localFirst ? new[] { "local", "remote", "local" } : new[] { "remote", "local", "remote" })
        {
            await nodes.Node(node).ReplayAsync();
        }

        Assert.Equal(0L, await nodes.Node("local").QueueDepthAsync() + await nodes.Node("remote").QueueDepthAsync());
        // The later write keeps each code; the row whose write lost it is gone on both nodes (3 too, whose
        // update lost z: remote still had it as it was, which no node could then converge on).
        const string Expected = "2:x:remote, later,4:z:remote, later,5:w:local, later";
        Assert.Equal(Expected, await Db.ScalarAsync<string>(nodes.Local.ConnectionString, Rows));
        Assert.Equal(Expected, await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, Rows));
        var verifier = new PgSyncVerifier(nodes.LocalSource, new PgSyncOptions { NodeName = "local" }.AddServer("unique_peer", nodes.Remote.ConnectionString));
        var result = Assert.Single(await verifier.VerifyAsync(PgSyncInstaller.Tables.Where(t => t.SourceTable == "lww_unique").ToList()));
        Assert.True(result.IsEqual, result.ToString());

        // Each node logged what it met, naming the unique key.
        var logged = await Db.ScalarAsync<string>(
            nodes.Local.ConnectionString,
            "SELECT string_agg(key || '|' || kind || '|' || resolution || '|' || unique_key, '; ' ORDER BY key) FROM pgsync.conflict_log") + " / " +
            await Db.ScalarAsync<string>(
            nodes.Remote.ConnectionString,
            "SELECT string_agg(key || '|' || kind || '|' || resolution || '|' || unique_key, '; ' ORDER BY key) FROM pgsync.conflict_log");
        Assert.Equal(
            "{\"id\" : 2}|insert_exists|apply_remote|unique (\"code\"); {\"id\" : 4}|insert_exists|apply_remote|unique (\"code\"); {\"id\" : 6}|insert_exists|keep_local|unique (\"code\")" +
            " / {\"id\" : 1}|insert_exists|keep_local|unique (\"code\"); {\"id\" : 3}|update_exists|keep_local|unique (\"code\"); {\"id\" : 5}|insert_exists|apply_remote|unique (\"code\")",
            logged);
        // And the stamps agree: the losers' keys hold their tombstones on both nodes.
        var versions = "pgsync." + RoslynPgSync.Sql.PgSql.QuoteIdentifier(RoslynPgSync.Sql.SqlNames.RowVersions("mm", "lww_unique"));
        var stamps = "SELECT string_agg(id || ':' || pgsync_at || ':' || pgsync_origin || ':' || pgsync_deleted, ',' ORDER BY id) FROM " + versions;
        Assert.Equal(await Db.ScalarAsync<string>(nodes.Local.ConnectionString, stamps), await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, stamps));
    }

    [Fact]
    public async Task A_table_that_does_not_enforce_a_declared_unique_key_is_refused_at_install_naming_it()
    {
        await using var pair = await TestBed.Create().Pair("unique_peer").BuildAsync();
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "CREATE SCHEMA mm; CREATE TABLE mm.lww_unique (id integer PRIMARY KEY, code text NOT NULL, info text)");
        var refused = await Assert.ThrowsAsync<RoslynPgSync.Installation.PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options));
        Assert.Contains("Table mm.lww_unique in the destination server 'unique_peer' has no unique index on (code), which LwwUniqueItem declares", refused.Message, System.StringComparison.Ordinal);

        // A unique index on the column (not a constraint) will do; the install then goes through.
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "CREATE UNIQUE INDEX ON mm.lww_unique (code)");
        await PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options);
    }

    [Fact]
    public async Task KeepLocal_keeps_each_nodes_row_that_holds_the_code_and_goes_on()
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "keep_unique_peer").Replicate("remote", "local", "keep_unique_peer").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO mm.keep_unique (id, code) VALUES (1, 'x')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "INSERT INTO mm.keep_unique (id, code) VALUES (2, 'x')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "INSERT INTO mm.keep_unique (id, code) VALUES (3, 'free')");
        await nodes.Node("local").ReplayAsync();
        await nodes.Node("remote").ReplayAsync();

        const string Codes = "SELECT string_agg(id || ':' || code, ',' ORDER BY id) FROM mm.keep_unique";
        Assert.Equal("1:x,3:free", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, Codes));
        Assert.Equal("2:x,3:free", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, Codes));
        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            Assert.Equal("insert_exists|keep_local", await Db.ScalarAsync<string>(node.ConnectionString, "SELECT string_agg(kind || '|' || resolution, '; ') FROM pgsync.conflict_log"));
        }

        Assert.Equal(0L, await nodes.Node("local").QueueDepthAsync() + await nodes.Node("remote").QueueDepthAsync());
    }

    [Fact]
    public async Task Error_stops_the_queue_at_a_change_that_takes_a_code_another_id_holds()
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "error_unique_peer").Replicate("remote", "local", "error_unique_peer").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO mm.error_unique (id, code) VALUES (1, 'x')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "INSERT INTO mm.error_unique (id, code) VALUES (2, 'x')");
        await nodes.Node("local").ReplayAsync();

        Assert.Equal(1L, await nodes.Node("local").QueueDepthAsync("error_unique_peer"));
        var error = await Db.ScalarAsync<string>(nodes.Local.ConnectionString, "SELECT last_error FROM pgsync.dst_state WHERE dst_server = 'error_unique_peer'");
        Assert.Contains("conflict insert_exists on unique (\"code\") on mm.error_unique, key {\"id\" : 1}", error, System.StringComparison.Ordinal);
        Assert.Equal("2:x", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT string_agg(id || ':' || code, ',') FROM mm.error_unique"));
    }
}
