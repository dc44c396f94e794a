using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Copy;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Sql;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Tests.Tool;
using RoslynPgSync.Verification;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// <c>Conflicts = LastWriterWins</c> on a multi-master pair (one type on both nodes, each registering
/// the other as <c>lww_peer</c>): the same key written on both nodes before either change has arrived
/// ends, on both, as the write with the greater stamp, whichever node replays first; deletes leave
/// tombstones that an older write cannot get past; equal write times go to the greater origin; a write
/// made on top of a replicated one wins over it even when the other node's clock runs ahead.
/// </summary>
public sealed class LastWriterWinsTests
{
    private const string Table = "mm.lww_item";

    private static readonly string Versions = "pgsync." + PgSql.QuoteIdentifier(SqlNames.RowVersions("mm", "lww_item"));

    [Fact]
    public async Task The_later_of_two_crossing_writes_wins_on_both_nodes_whichever_replays_first()
    {
        await using var nodes = await PairAsync();
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'base'), (2, 'base')");
        await nodes.Node("local").ReplayAsync();

        // Key 1: local writes first, remote later; key 2 the other way round. Then local replays
        // first: for key 1 its change arrives at a node whose own write is later (kept), for key 2
        // at one whose write is older (replaced).
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {Table} SET info = 'local, earlier' WHERE id = 1");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Table} SET info = 'remote, later' WHERE id = 1");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Table} SET info = 'remote, earlier' WHERE id = 2");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {Table} SET info = 'local, later' WHERE id = 2");
        await nodes.Node("local").ReplayAsync();
        await nodes.Node("remote").ReplayAsync();

        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            Assert.Equal(["1|remote, later", "2|local, later"], await InfoAsync(node.ConnectionString));
        }

        // Each node recorded both conflicts it met: the incoming update had not seen the row it found.
        Assert.Equal(
            ["{\"id\" : 1}|update_origin_differs|apply_remote", "{\"id\" : 2}|update_origin_differs|keep_local"],
            await ConflictsAsync(nodes.Local.ConnectionString));
        Assert.Equal(
            ["{\"id\" : 1}|update_origin_differs|keep_local", "{\"id\" : 2}|update_origin_differs|apply_remote"],
            await ConflictsAsync(nodes.Remote.ConnectionString));
        var remoteOrigin = await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT origin FROM pgsync.node");
        Assert.Equal(2L, await Db.ScalarAsync<long>(
            nodes.Local.ConnectionString,
            "SELECT count(*) FROM pgsync.conflict_log WHERE table_name = 'lww_item' AND remote_origin = $1 AND local_origin <> remote_origin AND local_at IS NOT NULL " +
            "AND local_row LIKE '%local, %' AND remote_row LIKE '%remote, %' AND entries ~ '^[0-9]+-[0-9]+$'",
            remoteOrigin));
        await AssertEqualAsync(nodes);
        // Nothing travelled back: both queues are empty after both replays.
        Assert.Equal(0L, await nodes.Node("local").QueueDepthAsync() + await nodes.Node("remote").QueueDepthAsync());
    }

    [Fact]
    public async Task A_later_delete_wins_and_its_tombstone_keeps_an_older_write_from_bringing_the_row_back()
    {
        await using var nodes = await PairAsync();
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'base'), (2, 'base')");
        await nodes.Node("local").ReplayAsync();

        // Key 1: remote updates, then local deletes (later). Key 2: local deletes, then remote
        // updates (later): the update wins and the row comes back on local.
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Table} SET info = 'older update' WHERE id = 1");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"DELETE FROM {Table} WHERE id IN (1, 2)");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Table} SET info = 'later update' WHERE id = 2");
        await nodes.Node("remote").ReplayAsync();
        await nodes.Node("local").ReplayAsync();

        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            Assert.Equal(["2|later update"], await InfoAsync(node.ConnectionString));
            Assert.True(await Db.ScalarAsync<bool>(node.ConnectionString, $"SELECT pgsync_deleted FROM {Versions} WHERE id = 1"), "key 1 keeps its tombstone");
        }

        // Local met remote's updates of rows it had deleted; remote met local's deletes of rows it had updated.
        Assert.Equal(
            ["{\"id\" : 1}|update_missing|keep_local", "{\"id\" : 2}|update_missing|apply_remote"],
            await ConflictsAsync(nodes.Local.ConnectionString));
        Assert.Equal(
            ["{\"id\" : 1}|delete_origin_differs|apply_remote", "{\"id\" : 2}|delete_origin_differs|keep_local"],
            await ConflictsAsync(nodes.Remote.ConnectionString));

        // A copy of the old update replayed again now (as after a crash that lost the ledger) changes nothing.
        var older = await Db.ScalarAsync<string>(
            nodes.Local.ConnectionString,
            $"SELECT pg_catalog.json_build_object('id', 1, 'info', 'older update', 'pgsync_at', pgsync_at - interval '1 second', 'pgsync_origin', pgsync_origin)::text FROM {Versions} WHERE id = 1");
        var upsert = await Db.ScalarAsync<string>(
            nodes.Local.ConnectionString,
            "SELECT pgsync.entry_sql('u', s.statement, $1) FROM pgsync.entry_statement AS s WHERE s.statement LIKE 'lww_item%'",
            older);
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, upsert);
        Assert.Equal(["2|later update"], await InfoAsync(nodes.Remote.ConnectionString));
        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task A_row_already_on_the_destination_unstamped_is_replaced_by_an_insert_and_logged_as_insert_exists()
    {
        await using var nodes = await PairAsync();
        // Rows written on remote before anything stamped them (as a copy or a load before the install leaves them).
        await Db.ExecuteUncapturedAsync(nodes.Remote.ConnectionString, Table, $"INSERT INTO {Table} (id, info) VALUES (1, 'unstamped'), (2, 'unstamped')");

        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'one row')");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (2, 'two rows'), (3, 'two rows')");
        await nodes.Node("local").ReplayAsync();

        Assert.Equal("", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, "SELECT coalesce(last_error, '') FROM pgsync.dst_state WHERE dst_server = 'lww_peer'"));
        Assert.Equal(["1|one row", "2|two rows", "3|two rows"], await InfoAsync(nodes.Remote.ConnectionString));
        Assert.Equal(
            ["{\"id\" : 1}|insert_exists|apply_remote", "{\"id\" : 2}|insert_exists|apply_remote"],
            await ConflictsAsync(nodes.Remote.ConnectionString));
        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task Writes_each_made_on_top_of_the_other_nodes_last_one_are_no_conflict()
    {
        await using var nodes = await PairAsync();
        var sides = new[] { nodes.Node("local"), nodes.Node("remote") };
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'round 0'), (2, 'round 0')");
        await nodes.Node("local").ReplayAsync();
        for (var round = 1; round <= 6; round++)
        {
            // Each node in turn changes what the other wrote last, once it has arrived: updates, a delete, an insert again.
            var side = sides[round % 2];
            var sql = round == 3 ? $"DELETE FROM {Table} WHERE id = 2" : round == 4 ? $"INSERT INTO {Table} (id, info) VALUES (2, 'again')" : $"UPDATE {Table} SET info = 'round {round}'";
            await Db.ExecuteAsync(side.ConnectionString, sql);
            await side.ReplayAsync();
        }

        Assert.Empty(await ConflictsAsync(nodes.Local.ConnectionString));
        Assert.Empty(await ConflictsAsync(nodes.Remote.ConnectionString));
        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            Assert.Equal(["1|round 6", "2|round 6"], await InfoAsync(node.ConnectionString));
        }

        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task Writes_stamped_at_the_same_time_go_to_the_greater_origin_on_both_nodes()
    {
        await using var nodes = await PairAsync();
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'base')");
        await nodes.Node("local").ReplayAsync();

        // Both nodes' stamps for key 1 set to one instant ahead of every clock: each node's next write
        // is stamped at that instant plus 1 µs, the same on both.
        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            await Db.ExecuteAsync(node.ConnectionString, $"UPDATE {Versions} SET pgsync_at = '2100-01-01 00:00:00+00' WHERE id = 1");
        }

        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {Table} SET info = 'written on local' WHERE id = 1");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Table} SET info = 'written on remote' WHERE id = 1");
        var localStamp = await Db.ScalarAsync<DateTime>(nodes.Local.ConnectionString, $"SELECT pgsync_at FROM {Versions} WHERE id = 1");
        Assert.Equal(localStamp, await Db.ScalarAsync<DateTime>(nodes.Remote.ConnectionString, $"SELECT pgsync_at FROM {Versions} WHERE id = 1"));
        await nodes.Node("local").ReplayAsync();
        await nodes.Node("remote").ReplayAsync();

        var localOrigin = await Db.ScalarAsync<string>(nodes.Local.ConnectionString, "SELECT origin FROM pgsync.node");
        var remoteOrigin = await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT origin FROM pgsync.node");
        var winner = string.CompareOrdinal(localOrigin, remoteOrigin) > 0 ? "written on local" : "written on remote";
        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            Assert.Equal(winner, await Db.ScalarAsync<string>(node.ConnectionString, $"SELECT info FROM {Table} WHERE id = 1"));
        }

        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task A_write_made_on_top_of_a_replicated_one_wins_over_it_even_when_the_other_clock_runs_ahead()
    {
        await using var nodes = await PairAsync();
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'base')");
        // Remote's clock an hour ahead, for this key: its next write is stamped an hour from now.
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Versions} SET pgsync_at = pg_catalog.now() + interval '1 hour' WHERE id = 1");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Table} SET info = 'remote, clock ahead' WHERE id = 1");
        await nodes.Node("remote").ReplayAsync();
        Assert.Equal("remote, clock ahead", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, $"SELECT info FROM {Table} WHERE id = 1"));

        // Local, having seen that write, overwrites it: stamped after it, whatever local's clock says.
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {Table} SET info = 'local, on top' WHERE id = 1");
        Assert.True(await Db.ScalarAsync<bool>(
            nodes.Local.ConnectionString, $"SELECT pgsync_at > pg_catalog.now() + interval '59 minutes' FROM {Versions} WHERE id = 1"));
        await nodes.Node("local").ReplayAsync();

        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            Assert.Equal("local, on top", await Db.ScalarAsync<string>(node.ConnectionString, $"SELECT info FROM {Table} WHERE id = 1"));
        }

        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task Crossing_statements_of_many_rows_resolve_row_by_row()
    {
        await using var nodes = await PairAsync();
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info, blob) SELECT g, 'base', '\\x00ff'::bytea FROM generate_series(1, 100) AS g");
        await nodes.Node("local").ReplayAsync();

        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {Table} SET info = 'bulk local' WHERE id <= 50");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Table} SET info = 'bulk remote' WHERE id BETWEEN 26 AND 75");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"DELETE FROM {Table} WHERE id > 90");
        await nodes.Node("remote").ReplayAsync();
        await nodes.Node("local").ReplayAsync();

        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            var rows = await InfoAsync(node.ConnectionString);
            Assert.Equal(90, rows.Count);
            Assert.All(rows.Take(25), r => Assert.EndsWith("|bulk local", r));
            Assert.All(rows.Skip(25).Take(50), r => Assert.EndsWith("|bulk remote", r));
            Assert.All(rows.Skip(75), r => Assert.EndsWith("|base", r));
        }

        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task A_statement_of_many_rows_goes_in_entries_of_a_quarter_mebibyte_and_the_sessions_own_bound_comes_back()
    {
        await using var nodes = await PairAsync();
        await using (var session = new NpgsqlConnection(nodes.Local.ConnectionString))
        {
            await session.OpenAsync();
            await Db.ExecuteAsync(session, "SET pgsync.entry_bytes = '1000000'");
            await Db.ExecuteAsync(session, $"INSERT INTO {Table} (id, info) SELECT g, repeat('x', 200) FROM generate_series(1, 5000) AS g");
            await using var show = new NpgsqlCommand("SHOW pgsync.entry_bytes", session);
            Assert.Equal("1000000", await show.ExecuteScalarAsync());
        }

        // About 1.1 MB of rows as JSON: five entries or more, each at most a quarter mebibyte of rows.
        Assert.InRange(await nodes.Node("local").QueueDepthAsync(), 5, 20);
        Assert.True(await Db.ScalarAsync<bool>(nodes.Local.ConnectionString, "SELECT max(octet_length(dst_query)) < 262144 + 65536 FROM pgsync.sync_err_rec"));
        await nodes.Node("local").ReplayAsync();
        Assert.Equal(5000L, await Db.ScalarAsync<long>(nodes.Remote.ConnectionString, $"SELECT count(*) FROM {Table} WHERE info = repeat('x', 200)"));
        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task An_update_that_changes_the_key_is_no_conflict_and_truncate_is_refused()
    {
        await using var nodes = await PairAsync();
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'one'), (2, 'two'), (3, 'three')");
        await nodes.Node("local").ReplayAsync();

        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {Table} SET id = 10 WHERE id = 1");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {Table} SET id = id + 100 WHERE id IN (2, 3)");
        await nodes.Node("local").ReplayAsync();

        Assert.Equal(["10|one", "102|two", "103|three"], await InfoAsync(nodes.Remote.ConnectionString));
        Assert.Empty(await ConflictsAsync(nodes.Remote.ConnectionString));

        // TRUNCATE cannot be resolved against the other node's writes: refused, nothing changed, nothing queued.
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(nodes.Local.ConnectionString, $"TRUNCATE {Table}"));
        Assert.Equal(PostgresErrorCodes.FeatureNotSupported, refused.SqlState);
        Assert.Contains("TRUNCATE of \"mm\".\"lww_item\" is refused", refused.MessageText, StringComparison.Ordinal);
        Assert.Equal(3, (await InfoAsync(nodes.Local.ConnectionString)).Count);
        Assert.Equal(0L, await nodes.Node("local").QueueDepthAsync());
        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task A_delete_applied_while_a_local_writer_inserts_the_key_again_is_retried_on_a_new_snapshot_and_wins()
    {
        await using var nodes = await PairAsync();
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'one'), (2, 'two')");
        await nodes.Node("local").ReplayAsync();

        // Local deletes both; key 2's delete is stamped ahead of every clock, so it wins over what remote writes next.
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {Versions} SET pgsync_at = '2100-01-01 00:00:00+00' WHERE id = 2");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"DELETE FROM {Table} WHERE id IN (1, 2)");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"DELETE FROM {Table} WHERE id = 2");

        // Remote: a session holds row 1, so that the apply takes its snapshot and then waits there.
        await using var holder = new NpgsqlConnection(nodes.Remote.ConnectionString);
        await holder.OpenAsync();
        await using var held = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM {Table} WHERE id = 1 FOR UPDATE", holder, held))
        {
            await lockRow.ExecuteNonQueryAsync();
        }

        var replay = nodes.Node("local").ReplayAsync();
        var database = nodes.Remote.Name;
        await Infrastructure.WorkerHost.Eventually(async () => await Db.ScalarAsync<bool>(
            nodes.Remote.AdminConnectionString,
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock')",
            database));

        // Meanwhile a local writer inserts key 2 again and commits: after the apply's snapshot, before its delete.
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (2, 'inserted meanwhile')");
        await held.CommitAsync();
        await replay;

        // The delete's stamp is the greater: key 2 is gone on remote, not left under its tombstone.
        Assert.Empty(await InfoAsync(nodes.Remote.ConnectionString));
        Assert.True(await Db.ScalarAsync<bool>(nodes.Remote.ConnectionString, $"SELECT pgsync_deleted FROM {Versions} WHERE id = 2"));
        await nodes.Node("remote").ReplayAsync();
        Assert.Empty(await InfoAsync(nodes.Local.ConnectionString));
        await AssertEqualAsync(nodes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_local_insert_of_a_new_key_caught_between_its_row_and_its_stamp_by_the_apply_of_the_same_key_commits_and_both_nodes_converge(bool tombstoned)
    {
        await using var nodes = await PairAsync();
        if (tombstoned)
        {
            // The key was there and was deleted: both nodes hold its tombstone, which the apply locks.
            await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'before')");
            await nodes.Node("local").ReplayAsync();
            await Db.ExecuteAsync(nodes.Local.ConnectionString, $"DELETE FROM {Table} WHERE id = 1");
            await nodes.Node("local").ReplayAsync();
            Assert.True(await Db.ScalarAsync<bool>(nodes.Remote.ConnectionString, $"SELECT pgsync_deleted FROM {Versions} WHERE id = 1"));
        }

        // Remote: a writer's row trigger waits on an advisory lock the test holds, after the row is
        // written and before the capture stamps it: the apply of the same new key arrives in between.
        await Db.ExecuteAsync(nodes.Remote.AdminConnectionString, $"""
            CREATE FUNCTION mm.hold_writer() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.info = 'remote, held' THEN PERFORM pg_catalog.pg_advisory_xact_lock(4242); END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER hold_writer AFTER INSERT ON {Table} FOR EACH ROW EXECUTE FUNCTION mm.hold_writer();
            """);
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'local')");

        await using var holder = new NpgsqlConnection(nodes.Remote.AdminConnectionString);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(4242)", holder))
        {
            await take.ExecuteNonQueryAsync();
        }

        var database = nodes.Remote.Name;
        Task<bool> WaitingAsync(string waitEvent) => Db.ScalarAsync<bool>(
            nodes.Remote.AdminConnectionString,
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND wait_event = $2)",
            database,
            waitEvent);
        var writer = Db.ExecuteAsync(nodes.Remote.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'remote, held')");
        await Infrastructure.WorkerHost.Eventually(() => WaitingAsync("advisory"));

        // Local's insert of key 1 reaches remote while remote's writer holds the new row, unstamped.
        var replay = nodes.Node("local").ReplayAsync();
        await Infrastructure.WorkerHost.Eventually(() => WaitingAsync("transactionid"));
        // Past the apply's own deadlock check (deadlock_timeout, 1 s here), so that a cycle the writer
        // closes now is found by the writer's check: before the apply wrote the row first, the writer
        // was then aborted with deadlock_detected.
        var deadlockTimeout = await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT (current_setting('deadlock_timeout')::interval * 1.5)::text");
        await Task.Delay(TimeSpan.Parse(deadlockTimeout, System.Globalization.CultureInfo.InvariantCulture));
        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(4242)", holder))
        {
            await release.ExecuteNonQueryAsync();
        }

        // The writer goes on to stamp its row and commits (no deadlock_detected); the apply, which
        // waited for it, sees a stamp its snapshot did not and tries the batch again on a new one.
        await writer;
        await replay;
        Assert.Equal(0L, await nodes.Node("local").QueueDepthAsync());
        await nodes.Node("remote").ReplayAsync();

        // Remote's write was stamped last: it wins on both nodes, and each node recorded the crossing inserts.
        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            Assert.Equal(["1|remote, held"], await InfoAsync(node.ConnectionString));
        }

        Assert.Equal(["{\"id\" : 1}|insert_exists|keep_local"], await ConflictsAsync(nodes.Remote.ConnectionString));
        Assert.Equal(["{\"id\" : 1}|insert_exists|apply_remote"], await ConflictsAsync(nodes.Local.ConnectionString));
        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task A_row_colliding_on_another_unique_index_stops_the_queue_and_is_recorded_once_with_both_rows()
    {
        // PostgreSQL 18's insert_exists and update_exists on an index other than the key: no policy resolves
        // them; the queue stops at the entry (its error in the status) and the destination's conflict log says
        // which index, which incoming row and which row here.
        await using var nodes = await PairAsync();
        var (local, remote) = (nodes.Node("local"), nodes.Node("remote"));
        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            await Db.ExecuteAsync(node.ConnectionString, $"CREATE UNIQUE INDEX lww_item_info_key ON {Table} (info)");
        }

        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (3, 'three')");
        await remote.ReplayAsync();

        // Before either node replays: the same values under other keys here (local).
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (2, 'taken'), (4, 'also taken')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (5, 'fine')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'taken')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Table} SET info = 'also taken' WHERE id = 3");

        // The entry before goes; the queue stops at the colliding one, however often it is tried; one record.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await remote.ReplayAsync();
        }

        Assert.Equal(["2|taken", "3|three", "4|also taken", "5|fine"], await InfoAsync(nodes.Local.ConnectionString));
        Assert.Equal(2L, await remote.QueueDepthAsync());
        Assert.Contains("lww_item_info_key", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT last_error FROM pgsync.dst_state"), StringComparison.Ordinal);
        const string Logged =
            "SELECT concat_ws('|', key, kind, resolution, index_name, coalesce(remote_row::json ->> 'info', '(none)'), coalesce(local_row::json ->> 'id', '(none)')) " +
            "FROM pgsync.conflict_log WHERE index_name IS NOT NULL ORDER BY id";
        Assert.Equal(["{\"id\" : 1}|insert_exists|error|lww_item_info_key|taken|2"], await ListAsync(nodes.Local.ConnectionString, Logged));
        var remoteOrigin = await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT origin FROM pgsync.node");
        Assert.True(await Db.ScalarAsync<bool>(
            nodes.Local.ConnectionString,
            "SELECT remote_origin = $1 AND remote_at IS NOT NULL AND entries ~ '^([0-9]+)-\\1$' FROM pgsync.conflict_log WHERE index_name IS NOT NULL",
            remoteOrigin));

        // The operator frees the value here: the queue goes on, to the update that collides (its key was here).
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {Table} SET info = 'freed' WHERE id = 2");
        await remote.ReplayAsync();
        Assert.Equal(1L, await remote.QueueDepthAsync());
        Assert.Equal(
            ["{\"id\" : 1}|insert_exists|error|lww_item_info_key|taken|2", "{\"id\" : 3}|update_exists|error|lww_item_info_key|also taken|4"],
            await ListAsync(nodes.Local.ConnectionString, Logged));

        // pgsync conflicts names the index.
        using var cli = await CliRun.ConfigureAsync(nodes, "lww_peer");
        var listed = await CliRun.RunAsync("conflicts", "--assembly", cli.Assembly, "--config", cli.Config, "--table", "mm.lww_item");
        Assert.Contains("mm.lww_item key {\"id\" : 3}: update_exists on index lww_item_info_key, error", listed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_version_member_the_higher_version_wins_over_a_later_write()
    {
        await using var nodes = await TestBed.Create()
            .Replicate("local", "remote", "versioned_peer").Replicate("remote", "local", "versioned_peer")
            .InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO mm.lww_versioned (id, info, version) VALUES (1, 'base', 1), (2, 'base', 1)");
        await nodes.Node("local").ReplayAsync();

        // Key 1: remote raises the version to 5, local later writes version 3: version 5 wins.
        // Key 2: both write version 2: a tie on the version, so the later write wins.
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "UPDATE mm.lww_versioned SET info = 'remote v5', version = 5 WHERE id = 1");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "UPDATE mm.lww_versioned SET info = 'local v3', version = 3 WHERE id = 1");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "UPDATE mm.lww_versioned SET info = 'local v2, earlier', version = 2 WHERE id = 2");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "UPDATE mm.lww_versioned SET info = 'remote v2, later', version = 2 WHERE id = 2");
        await nodes.Node("local").ReplayAsync();
        await nodes.Node("remote").ReplayAsync();

        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            Assert.Equal(
                ["1|remote v5|5", "2|remote v2, later|2"],
                await ListAsync(node.ConnectionString, "SELECT id || '|' || info || '|' || version FROM mm.lww_versioned ORDER BY id"));
        }
    }

    [Fact]
    public async Task A_copy_sends_each_row_with_its_stamp_and_never_undoes_a_newer_write_on_the_destination()
    {
        await using var nodes = await PairAsync();
        // Rows on local from before anything stamped them (written with the capture off); since then local
        // updated key 2, and remote wrote key 3, newer than local's row, not replayed yet.
        await Db.ExecuteUncapturedAsync(nodes.Local.ConnectionString, Table, $"INSERT INTO {Table} (id, info) VALUES (1, 'local, unstamped'), (2, 'local, unstamped'), (3, 'local, unstamped')");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {Table} SET info = 'local, stamped' WHERE id = 2");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (3, 'remote, newer')");

        var copier = new PgSyncCopier(nodes.LocalSource, nodes.Options);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => copier.RestartAsync(PgSyncInstaller.Tables, replace: true, table: Table));
        Assert.StartsWith("A copy of mm.lww_item that replaces the rows of server 'lww_peer' (mm.lww_item) is refused", refused.Message, StringComparison.Ordinal);
        await copier.RestartAsync(PgSyncInstaller.Tables, replace: false, table: Table);
        await copier.RunAsync(PgSyncInstaller.Tables);

        // Remote kept its own newer write of key 3; keys 1 and 2 came with local's stamps: the rows no
        // write had stamped with local's lowest one, recorded on local too.
        Assert.Equal(["1|local, unstamped", "2|local, stamped", "3|remote, newer"], await InfoAsync(nodes.Remote.ConnectionString));
        var localOrigin = await Db.ScalarAsync<string>(nodes.Local.ConnectionString, "SELECT origin FROM pgsync.node");
        var stamps = $"SELECT id || '|' || (pgsync_at = '-infinity') || '|' || (pgsync_origin = '{localOrigin}') FROM {Versions} ORDER BY id";
        Assert.Equal(["1|true|true", "2|false|true", "3|false|false"], await ListAsync(nodes.Remote.ConnectionString, stamps));
        Assert.Equal(["1|true|true", "2|false|true", "3|true|true"], await ListAsync(nodes.Local.ConnectionString, stamps));
        Assert.Equal(
            await ListAsync(nodes.Local.ConnectionString, $"SELECT id || '|' || pgsync_at FROM {Versions} WHERE id = 2"),
            await ListAsync(nodes.Remote.ConnectionString, $"SELECT id || '|' || pgsync_at FROM {Versions} WHERE id = 2"));
        // A copy is no change: nothing is recorded as a conflict.
        Assert.Empty(await ConflictsAsync(nodes.Remote.ConnectionString));

        // Remote's write reaches local, where it meets the copied row of the same key (a real conflict), and wins.
        await nodes.Node("remote").ReplayAsync();
        Assert.Equal(["{\"id\" : 3}|insert_exists|apply_remote"], await ConflictsAsync(nodes.Local.ConnectionString));
        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task A_repair_deletes_by_the_sources_tombstone_restores_drifted_rows_and_keeps_a_newer_write_on_the_destination()
    {
        await using var nodes = await PairAsync();
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"DELETE FROM {Table} WHERE id = 2");
        await nodes.Node("local").ReplayAsync();
        // Remote drifts without its capture (a restore, a hand edit): key 1 changed under the same stamp,
        // key 2 back under its tombstone, key 4 new, unstamped. And remote writes key 3 since, not replayed yet.
        await Db.ExecuteUncapturedAsync(nodes.Remote.ConnectionString, Table, $"UPDATE {Table} SET info = 'drifted' WHERE id = 1; INSERT INTO {Table} (id, info) VALUES (2, 'zombie'), (4, 'only remote')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Table} SET info = 'remote, newer' WHERE id = 3");

        var lww = PgSyncInstaller.Tables.Where(t => t.SourceTable == "lww_item").ToList();
        var fromLocal = new PgSyncVerifier(nodes.LocalSource, nodes.Options);
        var before = Assert.Single(await fromLocal.VerifyAsync(lww));
        Assert.Equal((0, 2, 2), (before.Missing.Count, before.Extra.Count, before.Changed.Count));
        await fromLocal.RepairAsync(lww);

        // Key 1 is local's row again, key 2 gone by local's tombstone; remote's newer write of key 3 stays,
        // and so does key 4, of which local knows nothing (no row, no tombstone).
        Assert.Equal(["1|a", "3|remote, newer", "4|only remote"], await InfoAsync(nodes.Remote.ConnectionString));
        Assert.Empty(await ConflictsAsync(nodes.Remote.ConnectionString));
        await nodes.Node("remote").ReplayAsync();
        Assert.Equal(["1|a", "3|remote, newer"], await InfoAsync(nodes.Local.ConnectionString));

        // Key 4 goes the other way, by remote's repair. Its plan changes nothing (the lowest stamp it would
        // give the unstamped row is rolled back); the repair records it.
        var fromRemote = new PgSyncVerifier(nodes.RemoteSource, nodes.Node("remote").Options);
        var plan = Assert.Single(await fromRemote.PlanRepairAsync(lww));
        Assert.Contains(plan.Statements, sql => sql.Contains("only remote", StringComparison.Ordinal));
        Assert.Equal(0L, await Db.ScalarAsync<long>(nodes.Remote.ConnectionString, $"SELECT count(*) FROM {Versions} WHERE id = 4"));
        await fromRemote.RepairAsync(lww);
        Assert.Equal(1L, await Db.ScalarAsync<long>(nodes.Remote.ConnectionString, $"SELECT count(*) FROM {Versions} WHERE id = 4 AND pgsync_at = '-infinity'"));
        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task An_install_whose_initial_copy_would_empty_a_target_that_detects_conflicts_is_refused_naming_table_and_server()
    {
        await using var bed = await TestBed.Create().Replicate("local", "remote", "lww_peer").Configure("local", o => o.InitialCopy = InitialCopyMode.Replace).BuildAsync();
        var lww = PgSyncInstaller.Tables.Where(t => t.SourceTable == "lww_item").ToList();
        var refused = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstallation.InstallAsync(bed.LocalSource, bed.Options, lww, System.Threading.CancellationToken.None));
        Assert.Contains("mm.lww_item", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'lww_peer'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("WhenTargetEmpty", refused.Message, StringComparison.Ordinal);
        // Refused before it changed anything: no RoslynPgSync schema on either side.
        foreach (var node in new[] { bed.Local, bed.Remote })
        {
            Assert.False(await Db.ScalarAsync<bool>(node.ConnectionString, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pgsync')"));
        }
    }

    [Fact]
    public async Task Nodes_of_a_table_that_detects_conflicts_with_different_RoslynPgSync_schemas_are_refused_naming_both_schemas()
    {
        // A pair: local installs first (schema pgsync), then remote with another schema. Remote's
        // install finds local's capture in pgsync and refuses before it changes anything on remote.
        await using (var pair = await TestBed.Create().Replicate("local", "remote", "lww_peer").Replicate("remote", "local", "lww_peer")
                         .Configure("remote", o => o.Schema = "pgsync_b").BuildAsync())
        {
            await PgSyncInstallation.InstallAsync(pair.Node("local").Source, pair.Node("local").Options, PgSyncInstaller.Tables);
            var refused = await Assert.ThrowsAsync<PgSyncInstallException>(() =>
                PgSyncInstallation.InstallAsync(pair.Node("remote").Source, pair.Node("remote").Options, PgSyncInstaller.Tables));
            Assert.Contains(
                $"Destination server 'lww_peer': \"mm\".\"lww_item\" in database {pair.Local.Name} is replicated by the RoslynPgSync schema \"pgsync\" there, and this node's is \"pgsync_b\"",
                refused.Message,
                StringComparison.Ordinal);
            Assert.Contains("give every node the same PgSyncOptions.Schema", refused.Message, StringComparison.Ordinal);
            Assert.False(await Db.ScalarAsync<bool>(pair.Remote.AdminConnectionString, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pgsync_b')"));
        }

        // Remote (schema pgsync_b) replicates the table to local, whose own install (pgsync) would
        // capture it elsewhere: local finds the row versions remote's install made here in pgsync_b.
        await using var chain = await TestBed.Create().Replicate("remote", "local", "lww_peer").Replicate("local", "third", "lww_peer")
            .Configure("remote", o => o.Schema = "pgsync_b").BuildAsync();
        await PgSyncInstallation.InstallAsync(chain.Node("remote").Source, chain.Node("remote").Options, PgSyncInstaller.Tables);
        var local = await Assert.ThrowsAsync<PgSyncInstallException>(() =>
            PgSyncInstallation.InstallAsync(chain.Node("local").Source, chain.Node("local").Options, PgSyncInstaller.Tables));
        Assert.Contains(
            $"mm.lww_item in the local database {chain.Local.Name} is replicated by the RoslynPgSync schema \"pgsync_b\" there too (a peer's install or another one here), and this node's is \"pgsync\"",
            local.Message,
            StringComparison.Ordinal);
        Assert.False(await Db.ScalarAsync<bool>(chain.Local.AdminConnectionString, "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass('mm.lww_item') AND tgname LIKE 'pgsync_capture_%')"));
    }

    [Fact]
    public async Task A_copy_of_a_table_with_a_version_member_carries_the_versions_and_a_higher_version_on_the_destination_stays()
    {
        await using var nodes = await TestBed.Create()
            .Replicate("local", "remote", "versioned_peer").Replicate("remote", "local", "versioned_peer")
            .InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteUncapturedAsync(nodes.Local.ConnectionString, "mm.lww_versioned", "INSERT INTO mm.lww_versioned (id, info, version) VALUES (1, 'local v4', 4), (2, 'local v1', 1)");
        // Remote writes key 2 at version 2 (higher than local's unstamped version 1), not replayed yet.
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "INSERT INTO mm.lww_versioned (id, info, version) VALUES (2, 'remote v2', 2)");

        var copier = new PgSyncCopier(nodes.LocalSource, nodes.Node("local").Options);
        await copier.RestartAsync(PgSyncInstaller.Tables, replace: false, table: "mm.lww_versioned");
        await copier.RunAsync(PgSyncInstaller.Tables);
        await nodes.Node("remote").ReplayAsync();

        var versions = "pgsync." + PgSql.QuoteIdentifier(SqlNames.RowVersions("mm", "lww_versioned"));
        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            Assert.Equal(
                ["1|local v4|4|4", "2|remote v2|2|2"],
                await ListAsync(node.ConnectionString, $"SELECT t.id || '|' || t.info || '|' || t.version || '|' || v.pgsync_version FROM mm.lww_versioned AS t JOIN {versions} AS v USING (id) ORDER BY t.id"));
        }
    }

    private static Task<List<string>> ConflictsAsync(string connectionString) =>
        ListAsync(connectionString, "SELECT key || '|' || kind || '|' || resolution FROM pgsync.conflict_log ORDER BY key, id");

    private static Task<List<string>> InfoAsync(string connectionString) =>
        ListAsync(connectionString, $"SELECT id || '|' || coalesce(info, '(null)') FROM {Table} ORDER BY id");

    private static async Task<List<string>> ListAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    [Fact]
    public async Task Changes_from_a_node_that_does_not_stamp_the_table_are_refused_and_stop_its_queue_with_the_reason()
    {
        // The pair resolves mm.lww_item by LastWriterWins; a third node feeds the same table on "remote" with no
        // policy (ApplyRemote): its rows would overwrite whatever the stamps say, unrecorded. Each of its
        // TRUNCATE, insert and delete is refused there, before anything of it commits, and its queue stops at
        // the entry with the reason; the pair's own stamped changes still go.
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "lww_peer").Replicate("remote", "local", "lww_peer")
            .Replicate("feed", "remote", "unstamped_feed").InstallAsync(PgSyncInstaller.Tables);
        var (remote, feed) = (nodes.Node("remote"), nodes.Node("feed"));
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'by the pair'), (2, 'by the pair')");
        await nodes.Node("local").ReplayAsync();
        var before = await InfoAsync(nodes.Remote.ConnectionString);
        Assert.Equal(["1|by the pair", "2|by the pair"], before);
        var stamps = $"SELECT string_agg(id || ':' || pgsync_origin || ':' || pgsync_at, ',' ORDER BY id) FROM {Versions}";
        var stampsBefore = await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, stamps);

        async Task RefusedAsync(string expected)
        {
            for (var attempt = 0; attempt < 2; attempt++)
            {
                await feed.ReplayAsync();
            }

            Assert.Equal(1L, await feed.QueueDepthAsync());
            Assert.Contains(expected, await Db.ScalarAsync<string>(feed.Database.ConnectionString, "SELECT last_error FROM pgsync.dst_state WHERE dst_server = 'unstamped_feed'"), StringComparison.Ordinal);
            Assert.Equal(before, await InfoAsync(nodes.Remote.ConnectionString));
            Assert.Equal(stampsBefore, await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, stamps));
            await Db.ExecuteAsync(feed.Database.ConnectionString, "SELECT pgsync.skip_entry(min(id)) FROM pgsync.sync_err_rec");
            Assert.Equal(0L, await feed.QueueDepthAsync());
        }

        await Db.ExecuteAsync(feed.Database.ConnectionString, "TRUNCATE mm.lww_feed");
        await RefusedAsync("TRUNCATE of \"mm\".\"lww_item\" is refused: it declares a conflict policy");
        await Db.ExecuteAsync(feed.Database.ConnectionString, "INSERT INTO mm.lww_feed (id, info) VALUES (1, 'unstamped'), (3, 'unstamped')");
        await RefusedAsync("a replicated change to \"mm\".\"lww_item\" came without a stamp");
        await Db.ExecuteAsync(feed.Database.ConnectionString, "UPDATE mm.lww_feed SET info = 'unstamped, one row' WHERE id = 1");
        await RefusedAsync("a replicated change to \"mm\".\"lww_item\" came without a stamp");
        await Db.ExecuteAsync(feed.Database.ConnectionString, "DELETE FROM mm.lww_feed WHERE id = 1");
        await RefusedAsync("a replicated change to \"mm\".\"lww_item\" came without a stamp");

        // The pair goes on, stamped, both ways.
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Table} SET info = 'by remote' WHERE id = 2");
        await remote.ReplayAsync();
        Assert.Equal(["1|by the pair", "2|by remote"], await InfoAsync(nodes.Local.ConnectionString));
        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task A_numeric_key_written_again_at_another_scale_is_applied_and_crossing_inserts_at_two_scales_converge()
    {
        // 1.0 and 1.00 are one key to the primary key but two texts to JSON: the apply looks every key up as
        // the run's row names it, never as the stored row spells it (which once failed the run as stale on
        // every attempt and stopped the queue).
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "decimal_peer").Replicate("remote", "local", "decimal_peer").InstallAsync(PgSyncInstaller.Tables);
        var (local, remote) = (nodes.Node("local"), nodes.Node("remote"));
        // (As text: the upsert sets the key columns too, so a key arrives in the form the winning write gave it.)
        const string Info = "SELECT string_agg(id::text || '|' || info, ',' ORDER BY id) FROM mm.lww_decimal";
        const string Error = "SELECT coalesce(max(last_error), '') FROM pgsync.dst_state WHERE dst_server = 'decimal_peer'";
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO mm.lww_decimal (id, info) VALUES (1.0, 'base')");
        await local.ReplayAsync();
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "UPDATE mm.lww_decimal SET id = 1.00, info = 'changed' WHERE id = 1");
        await local.ReplayAsync();
        Assert.Equal(0L, await local.QueueDepthAsync());
        Assert.Equal("", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, Error));
        Assert.Equal("changed", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, "SELECT info FROM mm.lww_decimal WHERE id = 1"));
        Assert.Equal("1.00|changed", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, Info));

        // Crossing inserts of key 2, at two scales: the later write wins on both nodes.
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO mm.lww_decimal (id, info) VALUES (2.0, 'local')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, "INSERT INTO mm.lww_decimal (id, info) VALUES (2.00, 'remote, later')");
        for (var round = 0; round < 2; round++)
        {
            await local.ReplayAsync();
            await remote.ReplayAsync();
        }

        Assert.Equal((0L, 0L), (await local.QueueDepthAsync(), await remote.QueueDepthAsync()));
        Assert.Equal(("", ""), (await Db.ScalarAsync<string>(nodes.Local.ConnectionString, Error), await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, Error)));
        Assert.Equal("remote, later", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, "SELECT info FROM mm.lww_decimal WHERE id = 2"));
        Assert.Equal("1.00|changed,2.00|remote, later", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, Info));
        Assert.Equal(await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, Info), await Db.ScalarAsync<string>(nodes.Local.ConnectionString, Info));
    }

    [Fact]
    public async Task An_insert_that_meets_the_tombstone_of_a_delete_it_did_not_see_is_a_conflict_recorded_on_both_nodes()
    {
        // Local inserts key 1; meanwhile remote inserts and deletes it. Each node meets the other's write:
        // local remote's insert over its own row, remote local's insert over a tombstone it never saw.
        await using var nodes = await PairAsync();
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'local')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'remote')");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"DELETE FROM {Table} WHERE id = 1");
        await nodes.Node("local").ReplayAsync();
        await nodes.Node("remote").ReplayAsync();

        // The delete is the latest write: gone on both.
        Assert.Empty(await InfoAsync(nodes.Local.ConnectionString));
        Assert.Empty(await InfoAsync(nodes.Remote.ConnectionString));
        Assert.Equal(["{\"id\" : 1}|insert_exists|keep_local"], await ConflictsAsync(nodes.Remote.ConnectionString));
        Assert.Contains("{\"id\" : 1}|insert_exists|apply_remote", await ConflictsAsync(nodes.Local.ConnectionString));
        await AssertEqualAsync(nodes);
    }

    [Fact]
    public async Task A_node_made_from_a_copy_of_its_peer_keeps_the_peers_origin_and_is_refused_until_it_has_its_own()
    {
        // A copy (a dump restored, CREATE DATABASE ... TEMPLATE, a base backup) carries the origin along, which the
        // install made once: the two nodes' writes would be stamped alike, and two at one stamp never ordered.
        await using var nodes = await PairAsync();
        var (local, remote) = (nodes.Node("local"), nodes.Node("remote"));
        const string Origin = "SELECT origin FROM pgsync.node";
        var localOrigin = await Db.ScalarAsync<string>(nodes.Local.ConnectionString, Origin);
        await Db.ExecuteAsync(nodes.Remote.AdminConnectionString, $"UPDATE pgsync.node SET origin = '{localOrigin}'");

        // Both nodes' installs refuse it, naming both databases and the fix, and change nothing.
        foreach (var (node, other) in new[] { (local, "destination server 'lww_peer'"), (remote, "destination server 'lww_peer'") })
        {
            var refused = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstallation.InstallAsync(node.Source, node.Options, PgSyncInstaller.Tables));
            Assert.StartsWith("The local database", refused.Message, StringComparison.Ordinal);
            Assert.Contains(other, refused.Message, StringComparison.Ordinal);
            Assert.Contains("one RoslynPgSync origin (\"pgsync\".\"node\")", refused.Message, StringComparison.Ordinal);
            Assert.Contains("UPDATE \"pgsync\".\"node\" SET origin = pg_catalog.regexp_replace(origin, '[^/]*$', pg_catalog.gen_random_uuid()::text); then install again", refused.Message, StringComparison.Ordinal);
        }

        // The fix the message gives: an origin of its own (its name kept), then the install goes through.
        await Db.ExecuteAsync(nodes.Remote.AdminConnectionString, "DELETE FROM pgsync.sync_err_rec");
        await Db.ExecuteAsync(nodes.Remote.AdminConnectionString, "UPDATE pgsync.node SET origin = pg_catalog.regexp_replace(origin, '[^/]*$', pg_catalog.gen_random_uuid()::text)");
        var remoteOrigin = await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, Origin);
        Assert.NotEqual(localOrigin, remoteOrigin);
        Assert.Equal(localOrigin.Split('/')[0], remoteOrigin.Split('/')[0]);
        await PgSyncInstallation.InstallAsync(local.Source, local.Options, PgSyncInstaller.Tables);
        await PgSyncInstallation.InstallAsync(remote.Source, remote.Options, PgSyncInstaller.Tables);

        // Now two writes at one stamp (both nodes' stamps ahead of their clocks) are ordered by origin, alike on both.
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {Table} (id, info) VALUES (1, 'base')");
        await local.ReplayAsync();
        foreach (var node in new[] { nodes.Local, nodes.Remote })
        {
            await Db.ExecuteAsync(node.ConnectionString, $"UPDATE {Versions} SET pgsync_at = '2100-01-01 00:00:00+00' WHERE id = 1");
        }

        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {Table} SET info = 'written on local' WHERE id = 1");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {Table} SET info = 'written on remote' WHERE id = 1");
        await local.ReplayAsync();
        await remote.ReplayAsync();
        Assert.Equal(await InfoAsync(nodes.Local.ConnectionString), await InfoAsync(nodes.Remote.ConnectionString));
        await AssertEqualAsync(nodes);
    }

    private static Task<TestBed> PairAsync() =>
        TestBed.Create().Replicate("local", "remote", "lww_peer").Replicate("remote", "local", "lww_peer").InstallAsync(PgSyncInstaller.Tables);

    private static async Task AssertEqualAsync(TestBed nodes)
    {
        var verifier = new PgSyncVerifier(nodes.LocalSource, new PgSyncOptions { NodeName = "local" }.AddServer("lww_peer", nodes.Remote.ConnectionString));
        var result = Assert.Single(await verifier.VerifyAsync(PgSyncInstaller.Tables.Where(t => t.SourceTable == "lww_item").ToList()));
        Assert.True(result.IsEqual, result.ToString());
    }
}
