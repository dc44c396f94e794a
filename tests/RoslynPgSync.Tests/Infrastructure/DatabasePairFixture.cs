using System.Threading.Tasks;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>
/// Per test class: two fresh databases on the shared cluster, each owned by its own
/// non-superuser role, with dblink installed — the local side and the remote side of a
/// replication. Use with <c>IClassFixture&lt;DatabasePairFixture&gt;</c>.
/// </summary>
public sealed class DatabasePairFixture : IAsyncLifetime
{
    private TestDatabase? _local;
    private TestDatabase? _remote;

    /// <summary>The shared cluster both databases live on.</summary>
    public PostgresCluster Cluster { get; private set; } = null!;

    /// <summary>The database a test treats as local (where triggers fire).</summary>
    public TestDatabase Local => _local ?? throw new System.InvalidOperationException("The fixture is not initialized.");

    /// <summary>The database a test treats as remote (reached through dblink).</summary>
    public TestDatabase Remote => _remote ?? throw new System.InvalidOperationException("The fixture is not initialized.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Cluster = await SharedCluster.GetAsync();
        _local = await Cluster.CreateDatabaseAsync("local");
        _remote = await Cluster.CreateDatabaseAsync("remote");
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_local is not null)
        {
            await _local.DisposeAsync();
        }

        if (_remote is not null)
        {
            await _remote.DisposeAsync();
        }
    }
}
