using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Sql;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Verification;
using Xunit;
using Xunit.Abstractions;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// Issue 17 point 3: writers on every node insert, update and delete the same 1,000 keys concurrently
/// (LastWriterWins) while each node replays its queue, and one node is cut off (its peers cannot reach
/// it, nor it them) for the middle third of the run. Afterwards every node holds the same rows
/// (verifier), and each key holds what the writers' own log names: the write with the greatest stamp
/// (as each writer read it in its own transaction), or nothing when that write was a delete.
/// <c>PGSYNC_CONVERGENCE_SECONDS</c> sets the writing time (30 s unless set).
/// </summary>
public sealed class ConvergenceTests(ITestOutputHelper output)
{
    private const int Keys = 1000;
    private const int WritersPerNode = 2;

    private static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable("PGSYNC_CONVERGENCE_SECONDS"), out var seconds) && seconds > 0 ? seconds : 30;

    [Fact]
    public async Task Two_nodes_writing_the_same_keys_with_one_cut_off_for_a_while_converge_on_the_latest_write()
    {
        await using var nodes = await TestBed.Create()
            .Replicate("local", "remote", "lww_peer").Replicate("remote", "local", "lww_peer")
            .InstallAsync(PgSyncInstaller.Tables);
        var links = new[] { ("local", "lww_peer", "remote"), ("remote", "lww_peer", "local") };
        await RunAsync(nodes, "lww_item", links, cutOff: "remote");
    }

    [Fact]
    public async Task A_three_node_mesh_writing_the_same_keys_with_one_cut_off_for_a_while_converges_on_the_latest_write()
    {
        await using var nodes = await TestBed.Create()
            .Replicate("a", "b", "mesh_1").Replicate("a", "c", "mesh_2")
            .Replicate("b", "a", "mesh_1").Replicate("b", "c", "mesh_2")
            .Replicate("c", "a", "mesh_1").Replicate("c", "b", "mesh_2")
            .InstallAsync(PgSyncInstaller.Tables);
        var links = new[]
        {
            ("a", "mesh_1", "b"), ("a", "mesh_2", "c"), ("b", "mesh_1", "a"), ("b", "mesh_2", "c"), ("c", "mesh_1", "a"), ("c", "mesh_2", "b"),
        };
        await RunAsync(nodes, "lww_mesh", links, cutOff: "c");
    }

    /// <param name="links">(node, server, the node it points at) for every replication link.</param>
    private async Task RunAsync(TestBed nodes, string table, (string From, string Server, string To)[] links, string cutOff)
    {
        var qualified = "mm." + table;
        var versions = "pgsync." + PgSql.QuoteIdentifier(SqlNames.RowVersions("mm", table));
        var names = links.Select(l => l.From).Distinct().ToList();
        var log = new ConcurrentBag<Write>();
        var failures = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var writers = names.SelectMany(n => Enumerable.Range(0, WritersPerNode).Select(w => WriteAsync(nodes.Node(n), qualified, versions, w, log, failures, stop.Token))).ToList();
        var replays = names.Select(n => ReplayAsync(nodes.Node(n).ConnectionString, stop.Token)).ToList();

        // The middle third: the cut node's links, both ways, point at a database that does not exist.
        var cut = links.Where(l => l.From == cutOff || l.To == cutOff).ToList();
        var third = TimeSpan.FromSeconds(Seconds / 3.0);
        await Task.Delay(third);
        var dbnames = new List<string>();
        foreach (var (from, server, _) in cut)
        {
            dbnames.Add(await SetDbnameAsync(nodes.Node(from).ConnectionString, server, "pgsync_cut_off"));
        }

        await Task.Delay(third);
        var heldDuringCut = 0L;
        foreach (var (from, server, _) in cut)
        {
            heldDuringCut += await nodes.Node(from).QueueDepthAsync(server);
        }

        for (var i = 0; i < cut.Count; i++)
        {
            await SetDbnameAsync(nodes.Node(cut[i].From).ConnectionString, cut[i].Server, dbnames[i]);
        }

        await Task.Delay(third);
        await stop.CancelAsync();
        var commits = await Task.WhenAll(writers);
        var replayErrors = (await Task.WhenAll(replays)).Sum();

        // Drain every queue.
        var drain = Stopwatch.StartNew();
        while (true)
        {
            var depth = 0L;
            foreach (var name in names)
            {
                await Db.ScalarAsync<int>(nodes.Node(name).ConnectionString, "SELECT pgsync.deal_sync_err_rec(100000)");
                depth += await nodes.Node(name).QueueDepthAsync();
            }

            if (depth == 0)
            {
                break;
            }

            Assert.True(drain.Elapsed < TimeSpan.FromSeconds(120), $"{depth} entries still queued after {drain.Elapsed}");
        }

        var writes = log.ToList();
        output.WriteLine(
            $"{Seconds} s, {names.Count} nodes: {writes.Count} logged writes ({string.Join(", ", commits)} commits per writer), " +
            $"{failures.Count} writer retries (deadlock or serialization), {replayErrors} failed replay calls, {heldDuringCut} entries held by the cut, drained in {drain.ElapsedMilliseconds} ms");
        Assert.True(heldDuringCut > 0, "the cut held nothing back");
        Assert.All(commits, c => Assert.True(c > 50, string.Join(", ", commits)));

        // What the log says each key holds: its write with the greatest stamp.
        var expected = writes.GroupBy(w => w.Key).ToDictionary(g => g.Key, g => g.OrderByDescending(w => w.At).ThenByDescending(w => w.Origin, StringComparer.Ordinal).First());
        var contested = writes.GroupBy(w => w.Key).Count(g => g.Select(w => w.Origin).Distinct().Count() > 1);
        output.WriteLine($"{expected.Count} keys written, {contested} of them on more than one node; final writes per origin: " +
                         string.Join(", ", expected.Values.GroupBy(w => w.Origin).Select(g => g.Key + " " + g.Count())));
        Assert.True(contested > Keys / 2, $"only {contested} keys were written on more than one node");
        Assert.Equal(names.Count, expected.Values.Select(w => w.Origin).Distinct().Count());
        foreach (var name in names)
        {
            var rows = await RowsAsync(nodes.Node(name).ConnectionString, qualified);
            var wrong = expected.Values
                .Where(w => w.Deleted ? rows.ContainsKey(w.Key) : !rows.TryGetValue(w.Key, out var info) || info != w.Info)
                .Select(w => $"key {w.Key}: expected {(w.Deleted ? "deleted" : w.Info)} by {w.Origin} at {w.At:O}, found {(rows.TryGetValue(w.Key, out var found) ? found : "nothing")}")
                .ToList();
            Assert.True(wrong.Count == 0, $"{name}: {wrong.Count} keys differ from the log, e.g. {string.Join("; ", wrong.Take(5))}");
            Assert.Empty(rows.Keys.Except(expected.Keys));
        }

        var first = names[0];
        var options = new PgSyncOptions { NodeName = first };
        foreach (var (_, server, to) in links.Where(l => l.From == first))
        {
            options.AddServer(server, nodes.Node(to).ConnectionString);
        }

        // Every node recorded the conflicts it met, each of a kind the policy detects.
        var conflicts = 0L;
        foreach (var name in names)
        {
            var kinds = await Db.ScalarAsync<string>(
                nodes.Node(name).ConnectionString,
                "SELECT coalesce(string_agg(kind || '/' || resolution || ' ' || n, ', ' ORDER BY kind, resolution), '') FROM (SELECT kind, resolution, count(*) AS n FROM pgsync.conflict_log WHERE table_name = $1 GROUP BY 1, 2) AS c",
                table);
            var count = await Db.ScalarAsync<long>(nodes.Node(name).ConnectionString, "SELECT count(*) FROM pgsync.conflict_log WHERE table_name = $1", table);
            Assert.Equal(0L, await Db.ScalarAsync<long>(
                nodes.Node(name).ConnectionString,
                "SELECT count(*) FROM pgsync.conflict_log WHERE kind NOT IN ('insert_exists', 'update_missing', 'update_origin_differs', 'delete_missing', 'delete_origin_differs') OR resolution NOT IN ('apply_remote', 'keep_local')"));
            output.WriteLine($"{name}: {count} conflicts recorded ({kinds})");
            conflicts += count;
        }

        output.WriteLine($"{conflicts} conflicts in {Seconds} s: {conflicts / (double)Seconds:F0} per second resolved and recorded");
        Assert.True(conflicts > 0, "no conflict was recorded");

        var verified = await new PgSyncVerifier(nodes.Node(first).Source, options).VerifyAsync(PgSyncInstaller.Tables.Where(t => t.SourceTable == table).ToList());
        Assert.Equal(links.Count(l => l.From == first), verified.Count);
        Assert.All(verified, v => Assert.True(v.IsEqual, v.ToString()));
    }

    /// <summary>Upserts, updates and deletes random keys until stopped, logging each committed write with the stamp it read back.</summary>
    private static async Task<int> WriteAsync(TestNode node, string table, string versions, int writer, ConcurrentBag<Write> log, ConcurrentBag<string> failures, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(node.Name, writer));
        var commits = 0;
        await using var connection = new NpgsqlConnection(node.ConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            var key = random.Next(Keys);
            var dice = random.Next(100);
            var deleted = dice >= 85;
            var info = $"{node.Name} writer {writer} commit {commits} 'q' ü";
            var sql = dice < 55
                ? $"INSERT INTO {table} (id, info) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET info = EXCLUDED.info"
                : deleted ? $"DELETE FROM {table} WHERE id = $1" : $"UPDATE {table} SET info = $2 WHERE id = $1";
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            try
            {
                await using var command = new NpgsqlCommand(sql, connection, transaction) { Parameters = { new() { Value = key } } };
                if (!deleted)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = info });
                }

                var changed = await command.ExecuteNonQueryAsync(CancellationToken.None);
                Write? write = null;
                if (changed > 0)
                {
                    await using var read = new NpgsqlCommand($"SELECT pgsync_at, pgsync_origin FROM {versions} WHERE id = $1", connection, transaction)
                    {
                        Parameters = { new() { Value = key } },
                    };
                    await using var reader = await read.ExecuteReaderAsync(CancellationToken.None);
                    Assert.True(await reader.ReadAsync(CancellationToken.None), $"key {key} has no stamp after a write");
                    write = new Write(key, reader.GetDateTime(0), reader.GetString(1), deleted, deleted ? null : info);
                }

                await transaction.CommitAsync(CancellationToken.None);
                if (write is not null)
                {
                    log.Add(write);
                }

                commits++;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                failures.Add(ex.SqlState);
            }
        }

        return commits;
    }

    /// <summary>Replays the node's queue every 20 ms until stopped, each time in a new session (so that a cut link stays cut); returns the calls that failed.</summary>
    private static async Task<int> ReplayAsync(string connectionString, CancellationToken stop)
    {
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        var errors = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Db.ScalarAsync<int>(unpooled, "SELECT pgsync.deal_sync_err_rec(1000)");
            }
            catch (PostgresException)
            {
                errors++;
            }

            await Task.Delay(20, CancellationToken.None);
        }

        return errors;
    }

    /// <summary>Points the foreign server at another database; returns the one it pointed at.</summary>
    private static async Task<string> SetDbnameAsync(string connectionString, string server, string dbname)
    {
        var old = await Db.ScalarAsync<string>(
            connectionString,
            "SELECT pg_catalog.substr(o, 8) FROM pg_catalog.pg_foreign_server AS s, pg_catalog.unnest(s.srvoptions) AS o WHERE s.srvname = $1 AND o LIKE 'dbname=%'",
            server);
        await Db.ExecuteAsync(connectionString, $"ALTER SERVER {PgSql.QuoteIdentifier(server)} OPTIONS (SET dbname {PgSql.QuoteLiteral(dbname)})");
        return old;
    }

    private static async Task<Dictionary<int, string?>> RowsAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT id, info FROM {table}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<int, string?>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1));
        }

        return rows;
    }

    private sealed record Write(int Key, DateTime At, string Origin, bool Deleted, string? Info);
}
