using System;
using System.Threading.Tasks;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>
/// Per test class: a cluster of its own (<see cref="TestBed.StartOwnClusterAsync"/>) that its tests may
/// crash (<c>-m immediate</c>) and start again, while the other nodes stay on the shared cluster.
/// A <see cref="TestBed"/> node placed on it is started again if an earlier test left it stopped.
/// </summary>
public sealed class OwnClusterFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync() => _cluster = await TestBed.StartOwnClusterAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
