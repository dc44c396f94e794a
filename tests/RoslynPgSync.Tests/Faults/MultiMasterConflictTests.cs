using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Verification;
using Xunit;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// Two nodes replicating to each other through queues (the seed's multi-master, Async): writers on
/// both nodes with disjoint key ranges converge and nothing loops back; the same key written on both
/// nodes before either change arrived diverges, and the verifier names that key (conflicts are
/// avoided by disjoint key ranges, as the article advises, not resolved).
/// </summary>
public sealed class MultiMasterConflictTests
{
    private const string LocalTable = "local.loc_test_async";
    private const string RemoteTable = "remote.rmt_test_async";

    [Fact]
    public async Task Concurrent_writers_on_both_nodes_with_disjoint_keys_converge_without_loops()
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "dst_async").Replicate("remote", "local", "back_async").InstallAsync(PgSyncInstaller.Tables);
        await WatchBothAsync(nodes);
        using var stop = new CancellationTokenSource();
        var work = new[]
        {
            WriteAsync(nodes.Local.ConnectionString, LocalTable, 0, stop.Token),
            WriteAsync(nodes.Local.ConnectionString, LocalTable, 1, stop.Token),
            WriteAsync(nodes.Remote.ConnectionString, RemoteTable, 2, stop.Token),
            WriteAsync(nodes.Remote.ConnectionString, RemoteTable, 3, stop.Token),
            ReplayAsync(nodes.Local.ConnectionString, stop.Token),
            ReplayAsync(nodes.Remote.ConnectionString, stop.Token),
        };
        await Task.Delay(3000);
        await stop.CancelAsync();
        var counts = await Task.WhenAll(work);

        // Drain what is left, then once more: an echo would show up as new queue entries.
        for (var i = 0; i < 2; i++)
        {
            await Db.ScalarAsync<int>(nodes.Local.ConnectionString, "SELECT pgsync.deal_sync_err_rec(1000000)");
            await Db.ScalarAsync<int>(nodes.Remote.ConnectionString, "SELECT pgsync.deal_sync_err_rec(1000000)");
        }

        Assert.True(counts.Take(4).All(c => c > 20), string.Join(", ", counts));
        Assert.Equal(0L, await Db.ScalarAsync<long>(nodes.Local.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(nodes.Remote.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec"));
        var local = await TestBed.RowsAsync(nodes.Local.ConnectionString, LocalTable, "pk1, pk2");
        Assert.NotEmpty(local);
        Assert.Equal(local, await TestBed.RowsAsync(nodes.Remote.ConnectionString, RemoteTable, "pk1, pk2"));
        var verified = Assert.Single(await Verifier(nodes).VerifyAsync(PgSyncInstaller.Tables));
        Assert.True(verified.IsEqual, verified.ToString());
        // Every row image once on each node: written there, or applied there once, never sent back.
        Assert.True(await ApplicationLog.AssertEachAppliedOnceAsync(nodes.Local.ConnectionString) > 0);
        Assert.True(await ApplicationLog.AssertEachAppliedOnceAsync(nodes.Remote.ConnectionString) > 0);
    }

    [Fact]
    public async Task The_same_key_written_on_both_nodes_diverges_and_the_verifier_names_it()
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "dst_async").Replicate("remote", "local", "back_async").InstallAsync(PgSyncInstaller.Tables);
        await WatchBothAsync(nodes);
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {LocalTable} (pk1, pk2, info) VALUES (1, 'same', 'base'), (2, 'other', 'base')");
        await Db.ScalarAsync<int>(nodes.Local.ConnectionString, "SELECT pgsync.deal_sync_err_rec(1000)");

        // Both nodes change key (1,same) before either change has been replayed.
        await Db.ExecuteAsync(nodes.Local.ConnectionString, $"UPDATE {LocalTable} SET info = 'written on local' WHERE pk1 = 1");
        await Db.ExecuteAsync(nodes.Remote.ConnectionString, $"UPDATE {RemoteTable} SET info = 'written on remote' WHERE pk1 = 1");
        await Db.ScalarAsync<int>(nodes.Local.ConnectionString, "SELECT pgsync.deal_sync_err_rec(1000)");
        await Db.ScalarAsync<int>(nodes.Remote.ConnectionString, "SELECT pgsync.deal_sync_err_rec(1000)");

        var result = Assert.Single(await Verifier(nodes).VerifyAsync(PgSyncInstaller.Tables));

        Assert.False(result.IsEqual);
        Assert.Equal(["(1,same)"], result.Changed);
        Assert.Empty(result.Missing);
        Assert.Empty(result.Extra);
        // Each node holds the other's write: the changes crossed, and neither came back.
        Assert.Equal("written on remote", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, $"SELECT info FROM {LocalTable} WHERE pk1 = 1"));
        Assert.Equal("written on local", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, $"SELECT info FROM {RemoteTable} WHERE pk1 = 1"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(nodes.Local.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(nodes.Remote.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec"));
        // Each node: the two inserts, its own update and the other's, each once.
        Assert.Equal(4, await ApplicationLog.AssertEachAppliedOnceAsync(nodes.Local.ConnectionString));
        Assert.Equal(4, await ApplicationLog.AssertEachAppliedOnceAsync(nodes.Remote.ConnectionString));
    }

    private static async Task WatchBothAsync(TestBed nodes)
    {
        await ApplicationLog.WatchAsync(nodes.Local.ConnectionString, LocalTable);
        await ApplicationLog.WatchAsync(nodes.Remote.ConnectionString, RemoteTable);
    }

    private static PgSyncVerifier Verifier(TestBed nodes) =>
        new(nodes.LocalSource, new PgSyncOptions { NodeName = "local" }.AddServer("dst_async", nodes.Remote.ConnectionString));

    /// <summary>Upserts and deletes in its own key range (pk1 from range * 1000) until stopped; returns commits.</summary>
    private static async Task<int> WriteAsync(string connectionString, string table, int range, CancellationToken stop)
    {
        var random = new Random(range);
        var commits = 0;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            var key = (range * 1000) + random.Next(200);
            var sql = random.Next(10) == 0
                ? $"DELETE FROM {table} WHERE pk1 = $1 AND pk2 = 'k'"
                : $"INSERT INTO {table} (pk1, pk2, info, mod_time) VALUES ($1, 'k', $2, now()) ON CONFLICT (pk1, pk2) DO UPDATE SET info = EXCLUDED.info, mod_time = EXCLUDED.mod_time";
            await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = key } } };
            if (sql.Contains("$2", StringComparison.Ordinal))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = $"range {range} commit {commits} 'q' ü" });
            }

            await command.ExecuteNonQueryAsync(CancellationToken.None);
            commits++;
        }

        return commits;
    }

    /// <summary>Replays the node's queue every 50 ms until stopped, as a worker would.</summary>
    private static async Task<int> ReplayAsync(string connectionString, CancellationToken stop)
    {
        var applied = 0;
        while (!stop.IsCancellationRequested)
        {
            applied += await Db.ScalarAsync<int>(connectionString, "SELECT pgsync.deal_sync_err_rec(1000)");
            await Task.Delay(50, CancellationToken.None);
        }

        return applied;
    }
}
