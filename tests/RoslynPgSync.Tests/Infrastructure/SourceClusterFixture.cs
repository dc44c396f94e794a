using System;
using System.Threading.Tasks;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>
/// Per test class: a source cluster of its own (started by this fixture, never an existing server),
/// with prepared transactions enabled, that tests may crash (<c>-m immediate</c>) and start again.
/// </summary>
public sealed class SourceClusterFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var options = new PostgresClusterOptions { ExistingServerConnectionString = null, RemoveStaleClusters = false };
        options.Settings["max_prepared_transactions"] = "10";
        _cluster = await PostgresCluster.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
