using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// Cascade (<c>[Replicate(..., Forward = true)]</c>): a node forwards what it applies from another node
/// to its forwarding destinations, each change carrying the nodes it has been through, and never sends
/// a change to one of them. A line A → B → C brings every change to C once; a ring A → B → C → A brings
/// each node's changes to the two others once and stops; a role that is not the replication's cannot
/// use the path to keep its writes from a node.
/// </summary>
public sealed class ForwardingTests
{
    private const string Rows = "SELECT coalesce(string_agg(row_to_json(t)::text, E'\\n' ORDER BY id), '') FROM fw.chain_item AS t";

    [Fact]
    public async Task A_line_of_forwarding_nodes_brings_every_change_to_its_end_once_values_intact()
    {
        await using var nodes = await TestBed.Create().Replicate("a", "b", "chain_next").Replicate("b", "c", "chain_next").InstallAsync(PgSyncInstaller.Tables);
        var (a, b, c) = (nodes.Node("a"), nodes.Node("b"), nodes.Node("c"));
        foreach (var node in new[] { a, b, c })
        {
            await node.LogApplicationsAsync("fw.chain_item");
        }

        // Single-row and many-row statements, a key change, a delete, values of every awkward kind.
        await Db.ExecuteAsync(a.ConnectionString,
            "INSERT INTO fw.chain_item (id, info, blob, tags) VALUES (1, $1, '\\x00ff27'::bytea, ARRAY['a''b', NULL, 'c\\d'])", "it's \\ \"quoted\" ü 😀\nline");
        await Db.ExecuteAsync(a.ConnectionString, "INSERT INTO fw.chain_item (id, info) SELECT g, repeat('x', g) FROM generate_series(2, 300) AS g");
        await Db.ExecuteAsync(a.ConnectionString, "INSERT INTO fw.chain_item (id, info, blob) VALUES (301, NULL, NULL)");
        await Db.ExecuteAsync(a.ConnectionString, "UPDATE fw.chain_item SET info = info || ' updated' WHERE id <= 150");
        await Db.ExecuteAsync(a.ConnectionString, "UPDATE fw.chain_item SET id = 1000 WHERE id = 2");
        await Db.ExecuteAsync(a.ConnectionString, "DELETE FROM fw.chain_item WHERE id BETWEEN 200 AND 250");
        await a.ReplayAsync();

        // B applied A's changes and queued them for C as A's: their path names A's identity, and nothing else.
        var identityA = await Db.ScalarAsync<string>(a.ConnectionString, "SELECT identity FROM pgsync.node_identity");
        Assert.True(await b.QueueDepthAsync("chain_next") > 0);
        Assert.Equal(identityA, await Db.ScalarAsync<string>(b.ConnectionString, "SELECT string_agg(DISTINCT coalesce(path, '(own write)'), ', ') FROM pgsync.sync_err_rec"));
        await b.ReplayAsync();

        var expected = await Db.ScalarAsync<string>(a.ConnectionString, Rows);
        Assert.Equal(250, expected.Split('\n').Length);
        Assert.Equal(expected, await Db.ScalarAsync<string>(b.ConnectionString, Rows));
        Assert.Equal(expected, await Db.ScalarAsync<string>(c.ConnectionString, Rows));

        // B's own writes go on too, and a TRUNCATE on A reaches the end of the line.
        await Db.ExecuteAsync(b.ConnectionString, "UPDATE fw.chain_item SET info = 'by b' WHERE id = 1");
        await b.ReplayAsync();
        Assert.Equal("by b", await Db.ScalarAsync<string>(c.ConnectionString, "SELECT info FROM fw.chain_item WHERE id = 1"));
        await Db.ExecuteAsync(a.ConnectionString, "TRUNCATE fw.chain_item");
        await a.ReplayAsync();
        await b.ReplayAsync();
        Assert.Equal(0L, await Db.ScalarAsync<long>(c.ConnectionString, "SELECT count(*) FROM fw.chain_item"));

        foreach (var node in new[] { a, b, c })
        {
            await node.AssertEachChangeAppliedOnceAsync();
        }

        Assert.Equal(0L, await a.QueueDepthAsync() + await b.QueueDepthAsync());
    }

    [Fact]
    public async Task A_ring_of_forwarding_nodes_brings_each_nodes_changes_to_the_others_once_and_never_back()
    {
        await using var nodes = await TestBed.Create()
            .Replicate("a", "b", "chain_next").Replicate("b", "c", "chain_next").Replicate("c", "d", "chain_next").Replicate("d", "a", "chain_next")
            .InstallAsync(PgSyncInstaller.Tables);
        var ring = new[] { nodes.Node("a"), nodes.Node("b"), nodes.Node("c"), nodes.Node("d") };
        foreach (var node in ring)
        {
            await node.LogApplicationsAsync("fw.chain_item");
        }

        for (var i = 0; i < ring.Length; i++)
        {
            await Db.ExecuteAsync(ring[i].ConnectionString, $"INSERT INTO fw.chain_item (id, info) SELECT g, 'by {ring[i].Name}' FROM generate_series({(i * 100) + 1}, {(i * 100) + 50}) AS g");
            await Db.ExecuteAsync(ring[i].ConnectionString, $"UPDATE fw.chain_item SET info = 'one by {ring[i].Name}' WHERE id = {(i * 100) + 1}");
            await Db.ExecuteAsync(ring[i].ConnectionString, $"DELETE FROM fw.chain_item WHERE id = {(i * 100) + 2}");
        }

        // Each change takes three hops; the queues must then be empty for good (no change goes round again).
        // C replays in batches of at most 300 bytes: each source transaction goes in several messages
        // (send_entries), and the one in which C applied B's batch holds B's writes and A's, both for D,
        // which each message must tell apart.
        var rounds = await DrainAsync(ring, batchBytesOf: "c", batchBytes: 300);
        Assert.InRange(rounds, 2, 4);
        var expected = await Db.ScalarAsync<string>(ring[0].ConnectionString, Rows);
        Assert.Equal(4 * 49, expected.Split('\n').Length);
        foreach (var node in ring)
        {
            Assert.Equal(expected, await Db.ScalarAsync<string>(node.ConnectionString, Rows));
            await node.AssertEachChangeAppliedOnceAsync();
        }

        // Each node wrote 50 + 1 images and deleted 1 of its own, and was given the other three nodes' (each once).
        foreach (var node in ring)
        {
            Assert.Equal(4 * 52L, await Db.ScalarAsync<long>(node.ConnectionString, "SELECT count(*) FROM public.test_applications"));
        }
    }

    [Fact]
    public async Task A_ring_resolving_by_LastWriterWins_forwards_the_origins_stamps_and_converges()
    {
        await using var nodes = await RingAsync("ring_next");
        var ring = new[] { nodes.Node("a"), nodes.Node("b"), nodes.Node("c") };
        await Db.ExecuteAsync(ring[0].ConnectionString, "INSERT INTO fw.ring_lww (id, info) SELECT g, 'base' FROM generate_series(1, 20) AS g");
        await DrainAsync(ring);

        // Crossing writes of the same keys on every node before any replay: the latest write wins everywhere.
        foreach (var node in ring)
        {
            await Db.ExecuteAsync(node.ConnectionString, $"UPDATE fw.ring_lww SET info = 'by {node.Name}' WHERE id <= 10");
        }

        await Db.ExecuteAsync(ring[1].ConnectionString, "DELETE FROM fw.ring_lww WHERE id = 20");
        await DrainAsync(ring);
        const string Info = "SELECT string_agg(id || ':' || info, ',' ORDER BY id) FROM fw.ring_lww";
        var expected = await Db.ScalarAsync<string>(ring[0].ConnectionString, Info);
        Assert.Contains("1:by c", expected, System.StringComparison.Ordinal);
        Assert.DoesNotContain("20:", expected, System.StringComparison.Ordinal);
        const string Stamps = "SELECT string_agg(id || ':' || pgsync_origin || ':' || pgsync_at || ':' || pgsync_deleted, ',' ORDER BY id) FROM pgsync.";
        var versions = RoslynPgSync.Sql.PgSql.QuoteIdentifier(PgSyncInstaller.Tables.Single(t => t.SourceTable == "ring_lww").RowVersions);
        var stamps = await Db.ScalarAsync<string>(ring[0].ConnectionString, Stamps + versions);
        foreach (var node in ring)
        {
            Assert.Equal(expected, await Db.ScalarAsync<string>(node.ConnectionString, Info));
            // The stamps travelled unchanged: every node holds the writing node's stamp for each key.
            Assert.Equal(stamps, await Db.ScalarAsync<string>(node.ConnectionString, Stamps + versions));
        }

        var originC = await Db.ScalarAsync<string>(ring[2].ConnectionString, "SELECT origin FROM pgsync.node");
        Assert.Contains("1:" + originC + ":", stamps, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_does_not_know_its_destinations_identity_learns_it_in_the_workers_upkeep()
    {
        // As after an install from the script, or a destination whose schema was made again: no peers known.
        await using var nodes = await RingAsync("chain_next");
        var ring = new[] { nodes.Node("a"), nodes.Node("b"), nodes.Node("c") };
        foreach (var node in ring)
        {
            await Db.ExecuteAsync(node.ConnectionString, "DELETE FROM pgsync.peer");
            await node.LogApplicationsAsync("fw.chain_item");
        }

        // The worker's upkeep of each destination (every 10 s) learns them again.
        foreach (var node in ring)
        {
            Assert.True(await Db.ScalarAsync<bool>(node.ConnectionString, "SELECT pgsync.vacuum_applied('chain_next')"));
        }

        Assert.Equal(
            await Db.ScalarAsync<string>(ring[1].ConnectionString, "SELECT identity FROM pgsync.node_identity"),
            await Db.ScalarAsync<string>(ring[0].ConnectionString, "SELECT identity FROM pgsync.peer WHERE dst_server = 'chain_next'"));
        await Db.ExecuteAsync(ring[0].ConnectionString, "INSERT INTO fw.chain_item (id, info) VALUES (1, 'round once')");
        await DrainAsync(ring);
        foreach (var node in ring)
        {
            Assert.Equal("round once", await Db.ScalarAsync<string>(node.ConnectionString, "SELECT info FROM fw.chain_item WHERE id = 1"));
            await node.AssertEachChangeAppliedOnceAsync();
        }
    }

    [Fact]
    public async Task A_destination_whose_identity_was_made_again_is_not_sent_back_its_own_change_before_the_sender_learns_it()
    {
        // A ring a → b → c → a whose nodes know each other. c is given a new identity (as a copy is at its
        // next install); b still knows the old one. c's write goes round to b, and c writes the key again.
        // Sent on to c by the old identity, the first write would be applied there again, over the second.
        await using var nodes = await RingAsync("chain_next");
        var (a, b, c) = (nodes.Node("a"), nodes.Node("b"), nodes.Node("c"));
        await Db.ExecuteAsync(a.ConnectionString, "INSERT INTO fw.chain_item (id, info) VALUES (1, 'a')");
        await DrainAsync([a, b, c]);
        foreach (var node in new[] { a, b, c })
        {
            await node.LogApplicationsAsync("fw.chain_item");
        }

        var old = await Db.ScalarAsync<string>(c.ConnectionString, "SELECT identity FROM pgsync.node_identity");
        Assert.Equal(old, await Db.ScalarAsync<string>(b.ConnectionString, "SELECT identity FROM pgsync.peer WHERE dst_server = 'chain_next'"));
        await Db.ExecuteAsync(c.ConnectionString, "UPDATE pgsync.node_identity SET identity = gen_random_uuid()::text");
        await Db.ExecuteAsync(c.ConnectionString, "UPDATE fw.chain_item SET info = 'c, first' WHERE id = 1");
        await c.ReplayAsync();
        await a.ReplayAsync();
        Assert.Equal(1L, await b.QueueDepthAsync("chain_next"));
        await Db.ExecuteAsync(c.ConnectionString, "UPDATE fw.chain_item SET info = 'c, second' WHERE id = 1");

        // b's batch asks c first whether it is the node b filtered the paths by: it is not, so b learns
        // its identity and leaves the change that has been through c unsent.
        await b.ReplayAsync();
        Assert.Equal(0L, await b.QueueDepthAsync("chain_next"));
        Assert.Equal("c, second", await Db.ScalarAsync<string>(c.ConnectionString, "SELECT info FROM fw.chain_item WHERE id = 1"));
        Assert.Equal(
            await Db.ScalarAsync<string>(c.ConnectionString, "SELECT identity FROM pgsync.node_identity"),
            await Db.ScalarAsync<string>(b.ConnectionString, "SELECT identity FROM pgsync.peer WHERE dst_server = 'chain_next'"));
        Assert.Equal(string.Empty, await Db.ScalarAsync<string>(b.ConnectionString, "SELECT coalesce(max(last_error), '') FROM pgsync.dst_state WHERE dst_server = 'chain_next'"));

        // What comes after goes round as before.
        await DrainAsync([a, b, c]);
        foreach (var node in new[] { a, b, c })
        {
            Assert.Equal("c, second", await Db.ScalarAsync<string>(node.ConnectionString, "SELECT info FROM fw.chain_item WHERE id = 1"));
            await node.AssertEachChangeAppliedOnceAsync();
        }
    }

    [Fact]
    public async Task A_ring_whose_nodes_know_no_identities_stops_each_change_where_it_started()
    {
        // Installed from the script and replayed without the hosted worker: no node knows the others'
        // identities when it captures, so the capture's check against its destinations cannot stop anything.
        // The apply learns a destination's identity before it sends a forwarded change there, and sends none
        // back to a node it has been through; the node's own identity on the path stops it too.
        await using var nodes = await RingAsync("chain_next");
        var ring = new[] { nodes.Node("a"), nodes.Node("b"), nodes.Node("c") };
        foreach (var node in ring)
        {
            await Db.ExecuteAsync(node.ConnectionString, "DELETE FROM pgsync.peer");
            await node.LogApplicationsAsync("fw.chain_item");
        }

        await Db.ExecuteAsync(ring[0].ConnectionString, "INSERT INTO fw.chain_item (id, info) SELECT g, 'by a' FROM generate_series(1, 5) AS g");
        await Db.ExecuteAsync(ring[2].ConnectionString, "INSERT INTO fw.chain_item (id, info) VALUES (100, 'by c')");

        // Without the checks every change goes round for ever (DrainAsync fails after 10 rounds).
        Assert.InRange(await DrainAsync(ring), 2, 4);
        var expected = await Db.ScalarAsync<string>(ring[0].ConnectionString, Rows);
        Assert.Equal(6, expected.Split('\n').Length);
        foreach (var node in ring)
        {
            Assert.Equal(expected, await Db.ScalarAsync<string>(node.ConnectionString, Rows));
            await node.AssertEachChangeAppliedOnceAsync();

            // Each of the 6 rows written here, or applied once from the others: none came back to its writer.
            Assert.Equal(6L, await Db.ScalarAsync<long>(node.ConnectionString, "SELECT count(*) FROM public.test_applications"));

            // And every node has learned the identity of the one it sends to.
            Assert.Equal(1L, await Db.ScalarAsync<long>(node.ConnectionString, "SELECT count(*) FROM pgsync.peer"));
        }
    }

    [Fact]
    public async Task A_replication_session_that_names_no_path_or_one_through_this_node_is_applied_but_not_forwarded()
    {
        // The session of an operator (or of a sender that does not say where a change has been) sets the
        // origin only: what it writes stays on this node, as on a table that does not forward, and goes to no
        // forwarding destination (the one it came from among them).
        await using var nodes = await TestBed.Create().Replicate("a", "b", "chain_next").Replicate("b", "c", "chain_next").InstallAsync(PgSyncInstaller.Tables);
        var (b, c) = (nodes.Node("b"), nodes.Node("c"));
        await using (var session = new NpgsqlConnection(b.ConnectionString))
        {
            await session.OpenAsync();
            await Db.ExecuteAsync(session, "SET pgsync.origin = 'operator'");
            await Db.ExecuteAsync(session, "INSERT INTO fw.chain_item (id, info) VALUES (1, 'kept here')");
            await Db.ExecuteAsync(session, "INSERT INTO fw.chain_item (id, info) SELECT g, 'many' FROM generate_series(2, 5) AS g");
        }

        // Nor is a change whose path says it has been through this node already (a ring whose nodes could
        // not learn each other's identities): it would go round again.
        await using (var session = new NpgsqlConnection(b.ConnectionString))
        {
            await session.OpenAsync();
            var identity = await Db.ScalarAsync<string>(b.ConnectionString, "SELECT identity FROM pgsync.node_identity");
            await Db.ExecuteAsync(session, $"SET pgsync.origin = 'x'; SET pgsync.path = 'x,{identity},y'");
            await Db.ExecuteAsync(session, "INSERT INTO fw.chain_item (id, info) VALUES (7, 'been here')");
        }

        Assert.Equal(0L, await b.QueueDepthAsync());
        Assert.Equal(6L, await Db.ScalarAsync<long>(b.ConnectionString, "SELECT count(*) FROM fw.chain_item"));

        // The same node's own writes still go.
        await Db.ExecuteAsync(b.ConnectionString, "INSERT INTO fw.chain_item (id, info) VALUES (6, 'by b')");
        await b.ReplayAsync();
        Assert.Equal("by b", await Db.ScalarAsync<string>(c.ConnectionString, "SELECT string_agg(info, ',') FROM fw.chain_item"));
    }

    [Fact]
    public async Task A_database_copied_with_its_identity_is_given_its_own_and_a_physical_copy_is_refused()
    {
        await using var nodes = await TestBed.Create().Replicate("a", "b", "chain_next").Replicate("b", "c", "chain_next").InstallAsync(PgSyncInstaller.Tables);
        var (a, b, c) = (nodes.Node("a"), nodes.Node("b"), nodes.Node("c"));
        const string Identity = "SELECT identity FROM pgsync.node_identity";
        var identityA = await Db.ScalarAsync<string>(a.ConnectionString, Identity);
        var identityB = await Db.ScalarAsync<string>(b.ConnectionString, Identity);

        // B as a logical copy of A would be (A's dump restored, CREATE DATABASE ... TEMPLATE): A's identity, made elsewhere.
        // Sharing it, B would take every change from A as one it had been through, and forward none to C.
        await Db.ExecuteAsync(b.Database.AdminConnectionString, $"UPDATE pgsync.node_identity SET identity = '{identityA}', made_in = '1/1'");
        await PgSyncInstallation.InstallAsync(a.Source, a.Options, PgSyncInstaller.Tables);
        var madeAgain = await Db.ScalarAsync<string>(b.ConnectionString, Identity);
        Assert.NotEqual(identityA, madeAgain);
        Assert.NotEqual(identityB, madeAgain);
        Assert.Equal(madeAgain, await Db.ScalarAsync<string>(a.ConnectionString, "SELECT identity FROM pgsync.peer WHERE dst_server = 'chain_next'"));
        await Db.ExecuteAsync(a.ConnectionString, "INSERT INTO fw.chain_item (id, info) VALUES (1, 'through the copy')");
        await a.ReplayAsync();
        await b.ReplayAsync();
        Assert.Equal("through the copy", await Db.ScalarAsync<string>(c.ConnectionString, "SELECT info FROM fw.chain_item WHERE id = 1"));

        // A physical copy (a base backup, a promoted standby) cannot be told apart so: the install refuses it, says
        // how to give it an identity of its own, and changes nothing here.
        await Db.ExecuteAsync(b.Database.AdminConnectionString, $"UPDATE pgsync.node_identity SET identity = '{identityA}'");
        var refused = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstallation.InstallAsync(a.Source, a.Options, PgSyncInstaller.Tables));
        Assert.Contains("The local database", refused.Message, System.StringComparison.Ordinal);
        Assert.Contains("destination server 'chain_next'", refused.Message, System.StringComparison.Ordinal);
        Assert.Contains("in it, run DELETE FROM \"pgsync\".\"node_identity\"; then install again", refused.Message, System.StringComparison.Ordinal);
        Assert.Equal(madeAgain, await Db.ScalarAsync<string>(a.ConnectionString, "SELECT identity FROM pgsync.peer WHERE dst_server = 'chain_next'"));

        await Db.ExecuteAsync(b.Database.AdminConnectionString, "DELETE FROM pgsync.node_identity");
        await PgSyncInstallation.InstallAsync(a.Source, a.Options, PgSyncInstaller.Tables);
        Assert.NotEqual(identityA, await Db.ScalarAsync<string>(b.ConnectionString, Identity));
    }

    [Fact]
    public async Task A_role_that_is_not_the_replications_cannot_keep_its_writes_from_a_node_with_the_path_setting()
    {
        await using var nodes = await TestBed.Create().Replicate("a", "b", "chain_next").Replicate("b", "c", "chain_next").InstallAsync(PgSyncInstaller.Tables);
        var (b, c) = (nodes.Node("b"), nodes.Node("c"));
        await using var hostile = await b.Cluster.CreateRoleAsync("hostile");
        await Db.ExecuteAsync(b.Database.AdminConnectionString, $"GRANT USAGE ON SCHEMA fw TO \"{hostile.Name}\"; GRANT SELECT, INSERT, UPDATE ON fw.chain_item TO \"{hostile.Name}\"");
        var identityC = await Db.ScalarAsync<string>(c.ConnectionString, "SELECT identity FROM pgsync.node_identity");

        await using (var session = new NpgsqlConnection(hostile.ConnectionStringFor(b.Database.Name)))
        {
            await session.OpenAsync();
            // As a replication session would say it: applied from elsewhere, and C has it already.
            await Db.ExecuteAsync(session, $"SET pgsync.origin = 'a'; SET pgsync.path = '{identityC}'");
            await Db.ExecuteAsync(session, "INSERT INTO fw.chain_item (id, info) VALUES (1, 'by the other role')");
            await Db.ExecuteAsync(session, "INSERT INTO fw.chain_item (id, info) SELECT g, 'many' FROM generate_series(2, 5) AS g");
        }

        Assert.Equal(0L, await Db.ScalarAsync<long>(b.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec WHERE path IS NOT NULL"));
        await b.ReplayAsync();
        Assert.Equal(5L, await Db.ScalarAsync<long>(c.ConnectionString, "SELECT count(*) FROM fw.chain_item"));
    }

    [Fact]
    public async Task A_copied_row_forwarded_on_goes_as_a_copy_and_is_no_conflict_on_the_next_node()
    {
        // A line a → b → c of the LastWriterWins table: b already holds the rows, unstamped (a restored
        // dump), c holds none; a copies its own unstamped rows to b, which forwards what it applied to c.
        await using var nodes = await TestBed.Create().Replicate("a", "b", "ring_next").Replicate("b", "c", "ring_next").InstallAsync(PgSyncInstaller.Tables);
        var (a, b, c) = (nodes.Node("a"), nodes.Node("b"), nodes.Node("c"));
        foreach (var (node, info) in new[] { (a, "a"), (b, "b") })
        {
            await Db.ExecuteUncapturedAsync(node.ConnectionString, "fw.ring_lww", $"INSERT INTO fw.ring_lww (id, info) VALUES (1, '{info}, unstamped'), (2, '{info}, unstamped')");
        }

        var copier = new RoslynPgSync.Copy.PgSyncCopier(a.Source, a.Options);
        await copier.RestartAsync(PgSyncInstaller.Tables, replace: false, table: "fw.ring_lww");
        await copier.RunAsync(PgSyncInstaller.Tables);
        const string Rows = "SELECT string_agg(id || '|' || info, ', ' ORDER BY id) FROM fw.ring_lww";
        Assert.Equal("1|a, unstamped, 2|a, unstamped", await Db.ScalarAsync<string>(b.ConnectionString, Rows));
        await b.ReplayAsync();
        Assert.Equal("1|a, unstamped, 2|a, unstamped", await Db.ScalarAsync<string>(c.ConnectionString, Rows));

        // b updated its rows with a's copy and forwarded them as a copy: c, which held neither key, took
        // them as such (as an update it would have recorded two update_missing conflicts), with a's stamps.
        foreach (var node in new[] { b, c })
        {
            Assert.Equal(0L, await Db.ScalarAsync<long>(node.ConnectionString, "SELECT count(*) FROM pgsync.conflict_log"));
        }

        var origin = await Db.ScalarAsync<string>(a.ConnectionString, "SELECT origin FROM pgsync.node");
        var versions = "pgsync." + RoslynPgSync.Sql.PgSql.QuoteIdentifier(RoslynPgSync.Sql.SqlNames.RowVersions("fw", "ring_lww"));
        Assert.Equal(2L, await Db.ScalarAsync<long>(c.ConnectionString, $"SELECT count(*) FROM {versions} WHERE pgsync_at = '-infinity' AND pgsync_origin = $1 AND NOT pgsync_deleted", origin));
    }

    [Fact]
    public async Task A_write_forwarded_behind_a_copy_of_its_key_is_still_a_conflict_where_it_crossed_another()
    {
        // A ring a → b → c → a. Every node holds a's row of key 1; c writes it (not replayed yet), and b's
        // drifts under a's stamp (a hand edit). a copies its row to b again, which takes it (the same
        // stamp) and forwards the copy to c; a then writes the key on top of its copy, and b forwards that
        // too: b's queue to c holds the copy and the write, both from a, applied as one run. At c the write
        // crossed c's own: a conflict, which the run's first row (the copy, no change) once hid, dropping
        // the write with no word under KeepLocal and letting the queue go on under Error.
        foreach (var (server, table) in new[] { ("keep_ring_next", "fw.ring_keep"), ("error_ring_next", "fw.ring_error") })
        {
            await using var nodes = await RingAsync(server);
            var (a, b, c) = (nodes.Node("a"), nodes.Node("b"), nodes.Node("c"));
            await Db.ExecuteAsync(a.ConnectionString, $"INSERT INTO {table} (id, info) VALUES (1, 'a')");
            await DrainAsync([a, b, c]);
            await Db.ExecuteAsync(c.ConnectionString, $"UPDATE {table} SET info = 'c' WHERE id = 1");
            await Db.ExecuteUncapturedAsync(b.ConnectionString, table, $"UPDATE {table} SET info = 'b, drifted' WHERE id = 1");

            var copier = new RoslynPgSync.Copy.PgSyncCopier(a.Source, a.Options);
            await copier.RestartAsync(PgSyncInstaller.Tables, replace: false, table: table);
            await copier.RunAsync(PgSyncInstaller.Tables);
            await Db.ExecuteAsync(a.ConnectionString, $"UPDATE {table} SET info = 'a, on top of its copy' WHERE id = 1");
            await a.ReplayAsync();
            Assert.Equal("a, on top of its copy", await Db.ScalarAsync<string>(b.ConnectionString, $"SELECT info FROM {table} WHERE id = 1"));
            Assert.Equal(2L, await b.QueueDepthAsync(server));
            await b.ReplayAsync();

            Assert.Equal("c", await Db.ScalarAsync<string>(c.ConnectionString, $"SELECT info FROM {table} WHERE id = 1"));
            if (server == "keep_ring_next")
            {
                Assert.Equal(0L, await b.QueueDepthAsync(server));
                Assert.Equal(
                    "{\"id\" : 1}|update_origin_differs|keep_local",
                    await Db.ScalarAsync<string>(c.ConnectionString, "SELECT string_agg(key || '|' || kind || '|' || resolution, '; ') FROM pgsync.conflict_log"));
            }
            else
            {
                Assert.NotEqual(0L, await b.QueueDepthAsync(server));
                var error = await Db.ScalarAsync<string>(b.ConnectionString, $"SELECT coalesce(max(last_error), '') FROM pgsync.dst_state WHERE dst_server = '{server}'");
                Assert.Contains("conflict update_origin_differs on fw.ring_error, key {\"id\" : 1}", error, System.StringComparison.Ordinal);
            }
        }
    }

    private static Task<TestBed> RingAsync(string server) =>
        TestBed.Create().Replicate("a", "b", server).Replicate("b", "c", server).Replicate("c", "a", server).InstallAsync(PgSyncInstaller.Tables);

    /// <summary>Replays every node in turn until no queue holds anything; returns the rounds that moved something.</summary>
    /// <param name="ring">The nodes.</param>
    /// <param name="batchBytesOf">The node whose replay runs with <paramref name="batchBytes"/>; null: none.</param>
    /// <param name="batchBytes">That replay's <c>pgsync.batch_bytes</c>.</param>
    private static async Task<int> DrainAsync(IReadOnlyList<TestNode> ring, string? batchBytesOf = null, int batchBytes = 0)
    {
        var rounds = 0;
        for (var round = 0; round < 10; round++)
        {
            var moved = 0;
            foreach (var node in ring)
            {
                moved += node.Name != batchBytesOf
                    ? await node.ReplayAsync()
                    : await Db.ScalarAsync<int>(
                        node.ConnectionString,
                        "SELECT pgsync.deal_sync_err_rec(1000000) FROM (SELECT pg_catalog.set_config('pgsync.batch_bytes', $1, false)) AS s",
                        batchBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (moved == 0)
            {
                return rounds;
            }

            rounds++;
        }

        var depth = new List<long>();
        foreach (var node in ring)
        {
            depth.Add(await node.QueueDepthAsync());
        }

        Assert.Fail("the ring never drained: queues " + string.Join(", ", depth));
        return rounds;
    }
}
