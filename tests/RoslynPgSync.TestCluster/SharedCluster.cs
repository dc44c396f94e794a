using System;
using System.Threading;
using System.Threading.Tasks;
using RoslynPgSync.TestCluster;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// The one PostgreSQL cluster of the test run, started on first use and shared by every test
/// class. Test classes get isolation from fresh databases and roles (see <see cref="TestBed"/>),
/// not from clusters of their own.
/// </summary>
/// <remarks>
/// It is stopped after the last test by the test assembly's framework (<c>ClusterTestFramework</c>); should that not run,
/// the cluster's process-exit handler and its watchdog stop it. With
/// <c>PGSYNC_TEST_ADMIN_CONNECTION</c> set, the existing server is used and nothing is stopped.
/// </remarks>
public static class SharedCluster
{
    private static readonly Lazy<Task<PostgresCluster>> Cluster =
        new(() => PostgresCluster.StartAsync(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared cluster; the first caller starts it, the others wait for the same start.</summary>
    public static Task<PostgresCluster> GetAsync() => Cluster.Value;

    /// <summary>Stops and deletes the shared cluster if it was started; for the end of the test run only.</summary>
    public static async Task StopAsync()
    {
        if (!Cluster.IsValueCreated)
        {
            return;
        }

        try
        {
            var cluster = await Cluster.Value;
            await cluster.DisposeAsync();
        }
        catch (PostgresClusterException)
        {
            // It never started; the tests that needed it have failed and said why.
        }
    }
}
