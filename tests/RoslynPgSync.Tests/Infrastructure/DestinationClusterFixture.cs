using System;
using System.Threading.Tasks;
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
