using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>
/// Per fault-test class: a destination cluster of its own (started by this fixture, never an
/// existing server) that tests stop with <c>-m immediate</c> and start again, while the source stays
/// on the shared cluster.
/// </summary>
public sealed class DestinationClusterFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync() =>
        _cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { ExistingServerConnectionString = null, RemoveStaleClusters = false });

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>
/// A local database on the shared cluster and a remote database on a destination cluster, each with
/// its own non-superuser role, RoslynPgSync installed on the local one for <c>servers</c>.
/// </summary>
public sealed class FaultPair : IAsyncDisposable
{
    private FaultPair(PostgresCluster destination, TestDatabase local, TestDatabase remote, NpgsqlDataSource source, PgSyncOptions options)
    {
        Destination = destination;
        Local = local;
        Remote = remote;
        LocalSource = source;
        Options = options;
    }

    public PostgresCluster Destination { get; }

    public TestDatabase Local { get; }

    public TestDatabase Remote { get; }

    public NpgsqlDataSource LocalSource { get; }

    public PgSyncOptions Options { get; }

    /// <summary>Creates both databases (the destination cluster started if a test left it stopped) and installs with <c>CreateMissingTables</c>.</summary>
    public static async Task<FaultPair> CreateAsync(PostgresCluster destination, params string[] servers)
    {
        if (!destination.IsRunning)
        {
            await destination.RestartAsync();
        }

        var shared = await SharedCluster.GetAsync();
        var local = await shared.CreateDatabaseAsync("local");
        var remote = await destination.CreateDatabaseAsync("remote");
        var options = new PgSyncOptions { NodeName = "local", CreateMissingTables = true };
        foreach (var server in servers)
        {
            options.AddServer(server, remote.ConnectionString);
        }

        var source = NpgsqlDataSource.Create(local.ConnectionString);
        var pair = new FaultPair(destination, local, remote, source, options);
        await PgSyncInstaller.InstallAsync(source, options);
        return pair;
    }

    /// <summary>Runs <c>deal_sync_err_rec(limit)</c> on the local database and returns its count.</summary>
    public Task<int> ReplayAsync(int limit = 1_000_000) =>
        Db.ScalarAsync<int>(Local.ConnectionString, "SELECT pgsync.deal_sync_err_rec($1)", limit);

    public Task<long> QueueDepthAsync(string? server = null) => server is null
        ? Db.ScalarAsync<long>(Local.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec")
        : Db.ScalarAsync<long>(Local.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec WHERE dst_server = $1", server);

    /// <summary>Whether source and target hold the same rows (compared as text, ordered by <paramref name="orderBy"/>).</summary>
    public async Task<bool> EqualAsync(string source, string target, string orderBy) =>
        (await ReplicationPair.RowsAsync(Local.ConnectionString, source, orderBy))
            .SequenceEqual(await ReplicationPair.RowsAsync(Remote.ConnectionString, target, orderBy));

    /// <summary>A crash-like stop of the destination cluster (<c>pg_ctl stop -m immediate</c>).</summary>
    public Task CrashDestinationAsync() => Destination.StopAsync(immediate: true);

    /// <summary>Starts the destination cluster again on the same port; its sessions start fresh.</summary>
    public async Task StartDestinationAsync()
    {
        await Destination.RestartAsync();
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Waits until a session of the local side runs a query matching <paramref name="like"/> on <paramref name="connectionString"/>'s server, and returns its pid.</summary>
    public static async Task<int> WaitForActiveQueryAsync(string adminConnectionString, string role, string like, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var pid = await Db.ScalarAsync<int?>(
                adminConnectionString,
                "SELECT pid FROM pg_stat_activity WHERE usename = $1 AND state = 'active' AND query LIKE $2 AND pid <> pg_backend_pid() LIMIT 1",
                role,
                like);
            if (pid is int found)
            {
                return found;
            }

            await Task.Delay(5, ct);
        }

        throw new TimeoutException($"No session of {role} ran a query like '{like}' within {timeout}.");
    }

    public async ValueTask DisposeAsync()
    {
        await LocalSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (!Destination.IsRunning)
        {
            await Destination.RestartAsync();
        }

        await Local.DisposeAsync();
        await Remote.DisposeAsync();
    }
}
