using System;
using System.Threading.Tasks;
using Npgsql;

namespace RoslynPgSync.TestCluster;

/// <summary>One node of a <see cref="TestBed"/>: a fresh database, a data source for it, and the options it is (or would be) installed with.</summary>
public sealed class TestNode
{
    internal TestNode(string name, PostgresCluster cluster, TestDatabase database, NpgsqlDataSource source)
    {
        Name = name;
        Cluster = cluster;
        Database = database;
        Source = source;
        Options = new PgSyncOptions { NodeName = name, CreateMissingTables = true };
    }

    /// <summary>The node's name in the bed (also its <see cref="PgSyncOptions.NodeName"/> unless configured otherwise).</summary>
    public string Name { get; }

    /// <summary>The cluster the database lives on.</summary>
    public PostgresCluster Cluster { get; }

    /// <summary>The node's database and its owner role.</summary>
    public TestDatabase Database { get; }

    /// <summary>Connects as the database's owner.</summary>
    public NpgsqlDataSource Source { get; }

    /// <summary>Node name, <c>CreateMissingTables</c>, and a server for each destination the bed gave it.</summary>
    public PgSyncOptions Options { get; }

    /// <summary>The owner's connection string.</summary>
    public string ConnectionString => Database.ConnectionString;

    /// <summary>Runs <c>pgsync.deal_sync_err_rec(limit)</c> (the seed's replay, over every destination) and returns how many entries it applied.</summary>
    /// <param name="limit">At most this many entries.</param>
    /// <returns>The count.</returns>
    public Task<int> ReplayAsync(int limit = 1_000_000) =>
        Db.ScalarAsync<int>(ConnectionString, "SELECT pgsync.deal_sync_err_rec($1)", limit);

    /// <summary>How many entries the node's queue holds, for every destination or for <paramref name="server"/>.</summary>
    /// <param name="server">A server name; null: all.</param>
    /// <returns>The count.</returns>
    public Task<long> QueueDepthAsync(string? server = null) => server is null
        ? Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec")
        : Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec WHERE dst_server = $1", server);

    /// <summary>Logs each row the node's <paramref name="table"/> (qualified) is given (see <see cref="ApplicationLog"/>).</summary>
    /// <param name="table">The table.</param>
    /// <returns>A task.</returns>
    public Task LogApplicationsAsync(string table) => ApplicationLog.WatchAsync(ConnectionString, table);

    /// <summary>Throws naming the rows the node was given more than once; returns how many rows it was given.</summary>
    /// <returns>The count, restores left out.</returns>
    public Task<long> AssertEachChangeAppliedOnceAsync() => ApplicationLog.AssertEachAppliedOnceAsync(ConnectionString);

    /// <summary>A crash-like stop of the node's cluster (<c>pg_ctl stop -m immediate</c>); only for a cluster of the test's own.</summary>
    /// <returns>A task.</returns>
    public Task CrashAsync() => Cluster.StopAsync(immediate: true);

    /// <summary>Starts the node's cluster again on the same port (crash recovery); pooled sessions start fresh.</summary>
    /// <returns>A task.</returns>
    public async Task StartAsync()
    {
        await Cluster.RestartAsync().ConfigureAwait(false);
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Ends every session of the node's role (dblink's from other nodes and this process's pooled ones) without refusing logins.</summary>
    /// <returns>A task.</returns>
    public async Task EndSessionsAsync()
    {
        await Database.RefuseLoginsAsync().ConfigureAwait(false);
        await Database.AllowLoginsAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
