using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.TestCluster;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>Two databases, each a node that replicates to the other: one assembly installed twice, with each node's server.</summary>
public sealed class MultiMaster : IAsyncDisposable
{
    private MultiMaster(TestDatabase local, TestDatabase remote, NpgsqlDataSource localSource, NpgsqlDataSource remoteSource)
    {
        Local = local;
        Remote = remote;
        LocalSource = localSource;
        RemoteSource = remoteSource;
    }

    public TestDatabase Local { get; }

    public TestDatabase Remote { get; }

    public NpgsqlDataSource LocalSource { get; }

    public NpgsqlDataSource RemoteSource { get; }

    public static async Task<MultiMaster> CreateAsync(string localToRemote, string remoteToLocal)
    {
        var cluster = await SharedCluster.GetAsync();
        var local = await cluster.CreateDatabaseAsync("local");
        var remote = await cluster.CreateDatabaseAsync("remote");
        var localSource = NpgsqlDataSource.Create(local.ConnectionString);
        var remoteSource = NpgsqlDataSource.Create(remote.ConnectionString);
        var nodes = new MultiMaster(local, remote, localSource, remoteSource);
        await PgSyncInstaller.InstallAsync(localSource, new PgSyncOptions { NodeName = "local", CreateMissingTables = true }.AddServer(localToRemote, remote.ConnectionString));
        await PgSyncInstaller.InstallAsync(remoteSource, new PgSyncOptions { NodeName = "remote", CreateMissingTables = true }.AddServer(remoteToLocal, local.ConnectionString));
        return nodes;
    }

    public async ValueTask DisposeAsync()
    {
        await LocalSource.DisposeAsync();
        await RemoteSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await Local.DisposeAsync();
        await Remote.DisposeAsync();
    }
}
