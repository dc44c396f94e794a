using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// The one set-up of the tests and the benchmarks: named nodes (fresh databases with their own
/// non-superuser roles, on the shared cluster or on clusters of the caller's own), the destination
/// servers each replicates to, and RoslynPgSync installed where asked. Build one with
/// <see cref="Create"/>; dispose it to drop every database and role it made.
/// </summary>
/// <remarks>
/// Most tests use two nodes, "local" (where the triggers fire) and "remote" (reached through dblink);
/// the members named after them are shorthands for <c>Node("local")</c> and <c>Node("remote")</c>.
/// </remarks>
public sealed class TestBed : IAsyncDisposable
{
    private readonly List<TestNode> _nodes;

    internal TestBed(List<TestNode> nodes) => _nodes = nodes;

    /// <summary>The nodes, in the order the builder first named them.</summary>
    public IReadOnlyList<TestNode> Nodes => _nodes;

    /// <summary>The "local" node's database.</summary>
    public TestDatabase Local => Node("local").Database;

    /// <summary>The "remote" node's database.</summary>
    public TestDatabase Remote => Node("remote").Database;

    /// <summary>The "local" node's data source.</summary>
    public NpgsqlDataSource LocalSource => Node("local").Source;

    /// <summary>The "remote" node's data source.</summary>
    public NpgsqlDataSource RemoteSource => Node("remote").Source;

    /// <summary>The "local" node's options (its servers point at "remote").</summary>
    public PgSyncOptions Options => Node("local").Options;

    /// <summary>The cluster of the "local" node.</summary>
    public PostgresCluster Cluster => Node("local").Cluster;

    /// <summary>The cluster of the "remote" node.</summary>
    public PostgresCluster Destination => Node("remote").Cluster;

    /// <summary>Starts describing a bed.</summary>
    /// <returns>A builder.</returns>
    public static TestBedBuilder Create() => new();

    /// <summary>
    /// Starts a cluster of the caller's own (never an existing server; prepared transactions enabled),
    /// for tests that crash and restart a node's server. Dispose it when done.
    /// </summary>
    /// <param name="ct">Cancels the start.</param>
    /// <returns>The running cluster.</returns>
    public static Task<PostgresCluster> StartOwnClusterAsync(CancellationToken ct = default)
    {
        var options = new PostgresClusterOptions { ExistingServerConnectionString = null, RemoveStaleClusters = false };
        options.Settings["max_prepared_transactions"] = "10";
        return PostgresCluster.StartAsync(options, ct);
    }

    /// <summary>The node named <paramref name="name"/>.</summary>
    /// <param name="name">The node's name.</param>
    /// <returns>The node.</returns>
    public TestNode Node(string name) =>
        _nodes.Find(n => n.Name == name)
        ?? throw new InvalidOperationException($"The test bed has no node {name}; it has {string.Join(", ", _nodes.Select(n => n.Name))}.");

    /// <summary>Replays the "local" node's queue (see <see cref="TestNode.ReplayAsync"/>).</summary>
    /// <param name="limit">At most this many entries.</param>
    /// <returns>How many entries were applied.</returns>
    public Task<int> ReplayAsync(int limit = 1_000_000) => Node("local").ReplayAsync(limit);

    /// <summary>The "local" node's queue depth (see <see cref="TestNode.QueueDepthAsync"/>).</summary>
    /// <param name="server">A server name; null: all.</param>
    /// <returns>The count.</returns>
    public Task<long> QueueDepthAsync(string? server = null) => Node("local").QueueDepthAsync(server);

    /// <summary>Every row as text, ordered by the key columns: equal lists mean equal tables.</summary>
    /// <param name="connectionString">The database.</param>
    /// <param name="table">The qualified, quoted table.</param>
    /// <param name="orderBy">The ORDER BY list.</param>
    /// <returns>The rows.</returns>
    public static async Task<List<string>> RowsAsync(string connectionString, string table, string orderBy)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT t::text FROM {table} AS t ORDER BY {orderBy}", connection);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        var rows = new List<string>();
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>Whether "local"'s <paramref name="source"/> and "remote"'s <paramref name="target"/> hold the same rows.</summary>
    /// <param name="source">The source table.</param>
    /// <param name="target">The target table.</param>
    /// <param name="orderBy">The ORDER BY list.</param>
    /// <returns>True when equal.</returns>
    public async Task<bool> EqualAsync(string source, string target, string orderBy) =>
        (await RowsAsync(Local.ConnectionString, source, orderBy).ConfigureAwait(false))
        .SequenceEqual(await RowsAsync(Remote.ConnectionString, target, orderBy).ConfigureAwait(false));

    /// <summary>Logs each row "remote"'s <paramref name="table"/> is given.</summary>
    /// <param name="table">The table.</param>
    /// <returns>A task.</returns>
    public Task LogApplicationsAsync(string table) => Node("remote").LogApplicationsAsync(table);

    /// <summary>Throws naming the rows "remote" was given more than once; returns how many it was given.</summary>
    /// <returns>The count.</returns>
    public Task<long> AssertEachChangeAppliedOnceAsync() => Node("remote").AssertEachChangeAppliedOnceAsync();

    /// <summary>Crashes the "remote" node's cluster (a cluster of the test's own).</summary>
    /// <returns>A task.</returns>
    public Task CrashDestinationAsync() => Node("remote").CrashAsync();

    /// <summary>Starts the "remote" node's cluster again.</summary>
    /// <returns>A task.</returns>
    public Task StartDestinationAsync() => Node("remote").StartAsync();

    /// <summary>Crashes the "local" node's cluster (a cluster of the test's own).</summary>
    /// <returns>A task.</returns>
    public Task CrashLocalAsync() => Node("local").CrashAsync();

    /// <summary>Starts the "local" node's cluster again.</summary>
    /// <returns>A task.</returns>
    public Task StartLocalAsync() => Node("local").StartAsync();

    /// <summary>The seed's outage on the remote side (see <see cref="TestDatabase.RefuseLoginsAsync"/>).</summary>
    /// <returns>A task.</returns>
    public Task TakeRemoteDownAsync() => Remote.RefuseLoginsAsync();

    /// <summary>Ends the outage of <see cref="TakeRemoteDownAsync"/>.</summary>
    /// <returns>A task.</returns>
    public Task BringRemoteBackAsync() => Remote.AllowLoginsAsync();

    /// <summary>Ends every session of the remote role without refusing logins.</summary>
    /// <returns>A task.</returns>
    public Task EndRemoteSessionsAsync() => Node("remote").EndSessionsAsync();

    /// <summary>Disposes the data sources, starts again any cluster a test left stopped, and drops every database and role.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.Source.DisposeAsync().ConfigureAwait(false);
        }

        NpgsqlConnection.ClearAllPools();
        foreach (var cluster in _nodes.Select(n => n.Cluster).Distinct())
        {
            if (!cluster.IsRunning)
            {
                await cluster.RestartAsync().ConfigureAwait(false);
            }
        }

        foreach (var node in _nodes)
        {
            await node.Database.DisposeAsync().ConfigureAwait(false);
        }
    }
}
