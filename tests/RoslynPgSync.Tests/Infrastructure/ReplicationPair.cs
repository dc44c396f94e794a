using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.TestCluster;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>
/// A local database on the shared cluster and a remote database (on the shared cluster too, or on
/// a destination cluster of the test's own that it may crash and restart), each with its own
/// non-superuser role, and RoslynPgSync installed on the local one for the given destination
/// servers (all pointing at the remote database). Per test: the tables start empty.
/// </summary>
public sealed class ReplicationPair : IAsyncDisposable
{
    private ReplicationPair(PostgresCluster cluster, PostgresCluster destination, TestDatabase local, TestDatabase remote, NpgsqlDataSource source, PgSyncOptions options)
    {
        Cluster = cluster;
        Destination = destination;
        Local = local;
        Remote = remote;
        LocalSource = source;
        Options = options;
    }

    /// <summary>The (shared) cluster the local database lives on.</summary>
    public PostgresCluster Cluster { get; }

    /// <summary>The cluster the remote database lives on.</summary>
    public PostgresCluster Destination { get; }

    public TestDatabase Local { get; }

    public TestDatabase Remote { get; }

    public NpgsqlDataSource LocalSource { get; }

    public PgSyncOptions Options { get; }

    /// <summary>Creates both databases on the shared cluster and installs with <c>CreateMissingTables</c> for <paramref name="servers"/>.</summary>
    public static async Task<ReplicationPair> CreateAsync(params string[] servers) =>
        await CreateAsync(await SharedCluster.GetAsync(), servers);

    /// <summary>
    /// Creates the remote database on <paramref name="destination"/> (started again if a test left
    /// it stopped), the local one on the shared cluster, and installs with <c>CreateMissingTables</c>.
    /// </summary>
    public static async Task<ReplicationPair> CreateAsync(PostgresCluster destination, params string[] servers) =>
        await CreateOnAsync(await SharedCluster.GetAsync(), destination, servers);

    /// <summary>
    /// The local database on <paramref name="cluster"/> (a cluster of the test's own that it may crash:
    /// started again when a test left it stopped), the remote one on <paramref name="destination"/>.
    /// </summary>
    public static async Task<ReplicationPair> CreateOnAsync(PostgresCluster cluster, PostgresCluster destination, params string[] servers)
    {
        foreach (var node in new[] { cluster, destination })
        {
            if (!node.IsRunning)
            {
                await node.RestartAsync();
            }
        }

        var local = await cluster.CreateDatabaseAsync("local");
        var remote = await destination.CreateDatabaseAsync("remote");
        var options = new PgSyncOptions { NodeName = "local", CreateMissingTables = true };
        foreach (var server in servers)
        {
            options.AddServer(server, remote.ConnectionString);
        }

        var source = NpgsqlDataSource.Create(local.ConnectionString);
        var pair = new ReplicationPair(cluster, destination, local, remote, source, options);
        await PgSyncInstaller.InstallAsync(source, options);
        return pair;
    }

    /// <summary>Runs <c>deal_sync_err_rec(limit)</c> on the local database and returns its count.</summary>
    public Task<int> ReplayAsync(int limit = 1_000_000) =>
        Db.ScalarAsync<int>(Local.ConnectionString, "SELECT pgsync.deal_sync_err_rec($1)", limit);

    public Task<long> QueueDepthAsync(string? server = null) => server is null
        ? Db.ScalarAsync<long>(Local.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec")
        : Db.ScalarAsync<long>(Local.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec WHERE dst_server = $1", server);

    /// <summary>Every row as text, ordered by the key columns: equal lists mean equal tables.</summary>
    public static async Task<List<string>> RowsAsync(string connectionString, string table, string orderBy)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT t::text FROM {table} AS t ORDER BY {orderBy}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>Whether source and target hold the same rows (compared as text, ordered by <paramref name="orderBy"/>).</summary>
    public async Task<bool> EqualAsync(string source, string target, string orderBy) =>
        (await RowsAsync(Local.ConnectionString, source, orderBy)).SequenceEqual(await RowsAsync(Remote.ConnectionString, target, orderBy));

    /// <summary>Logs each row the destination's <paramref name="table"/> is given (see <see cref="ApplicationLog"/>).</summary>
    public Task LogApplicationsAsync(string table) => ApplicationLog.WatchAsync(Remote.ConnectionString, table);

    /// <summary>Fails naming the rows the destination was given more than once; returns how many it was given.</summary>
    public Task<long> AssertEachChangeAppliedOnceAsync() => ApplicationLog.AssertEachAppliedOnceAsync(Remote.ConnectionString);

    /// <summary>A crash-like stop of the destination cluster (<c>pg_ctl stop -m immediate</c>); only for a cluster of the test's own.</summary>
    public Task CrashDestinationAsync() => Destination.StopAsync(immediate: true);

    /// <summary>Starts the destination cluster again on the same port; its sessions start fresh.</summary>
    public async Task StartDestinationAsync()
    {
        await Destination.RestartAsync();
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>The seed's outage on the remote side (see <see cref="TestDatabase.RefuseLoginsAsync"/>).</summary>
    public Task TakeRemoteDownAsync() => Remote.RefuseLoginsAsync();

    public Task BringRemoteBackAsync() => Remote.AllowLoginsAsync();

    /// <summary>Ends every session of the remote role (dblink's and this process's pooled ones) without refusing logins.</summary>
    public async Task EndRemoteSessionsAsync()
    {
        await Remote.RefuseLoginsAsync();
        await Remote.AllowLoginsAsync();
    }

    /// <summary>A crash-like stop of the local cluster (<c>pg_ctl stop -m immediate</c>); only for a cluster of the test's own.</summary>
    public Task CrashLocalAsync() => Cluster.StopAsync(immediate: true);

    /// <summary>Starts the local cluster again (crash recovery); its sessions start fresh.</summary>
    public async Task StartLocalAsync()
    {
        await Cluster.RestartAsync();
        NpgsqlConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        await LocalSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        foreach (var node in new[] { Cluster, Destination })
        {
            if (!node.IsRunning)
            {
                await node.RestartAsync();
            }
        }

        await Local.DisposeAsync();
        await Remote.DisposeAsync();
    }
}
