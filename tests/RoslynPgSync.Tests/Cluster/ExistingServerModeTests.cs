using System;
using System.Threading.Tasks;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Cluster;

/// <summary>
/// With an existing server's superuser connection (what <c>PGSYNC_TEST_ADMIN_CONNECTION</c> sets),
/// nothing is started or stopped, and databases are still created. The shared cluster stands in
/// for the existing server; the option is set on the options object, not the process environment.
/// </summary>
public sealed class ExistingServerModeTests
{
    [Fact]
    public async Task Attaches_creates_databases_and_refuses_to_stop_or_restart()
    {
        var shared = await SharedCluster.GetAsync();
        var options = new PostgresClusterOptions { ExistingServerConnectionString = shared.AdminConnectionString };

        var attached = await PostgresCluster.StartAsync(options);
        try
        {
            Assert.False(attached.IsManaged);
            Assert.True(attached.IsRunning);
            Assert.Equal(shared.Port, attached.Port);
            Assert.Equal(shared.Host, attached.Host);
            Assert.Null(attached.DataDirectory);
            Assert.Null(attached.BinDirectory);
            Assert.Equal(shared.VersionNumber, attached.VersionNumber);
            Assert.Equal(string.Empty, attached.ReadLogTail(10));

            await using (var database = await attached.CreateDatabaseAsync("existing"))
            {
                await Db.ExecuteAsync(database.ConnectionString, "CREATE TABLE t (id int)");
                await Db.ExecuteAsync(database.ConnectionString, "INSERT INTO t VALUES (42)");
                Assert.Equal(42, await Db.ScalarAsync<int>(database.ConnectionString, "SELECT id FROM t"));
            }

            var stop = await Assert.ThrowsAsync<NotSupportedException>(() => attached.StopAsync());
            Assert.Contains(PostgresClusterOptions.ExistingServerVariable, stop.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<NotSupportedException>(() => attached.StopAsync(immediate: true));
            await Assert.ThrowsAsync<NotSupportedException>(() => attached.RestartAsync());
        }
        finally
        {
            await attached.DisposeAsync();
        }

        // Disposing the attached cluster left the server running.
        Assert.Equal(1, await Db.ScalarAsync<int>(shared.AdminConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task Refuses_a_connection_string_that_is_not_a_superuser()
    {
        var shared = await SharedCluster.GetAsync();
        await using var role = await shared.CreateRoleAsync("not_super");
        var options = new PostgresClusterOptions { ExistingServerConnectionString = role.ConnectionStringFor("postgres") };

        var error = await Assert.ThrowsAsync<PostgresClusterException>(() => PostgresCluster.StartAsync(options));

        Assert.Contains("superuser", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(role.Password, error.ToString(), StringComparison.Ordinal);
    }
}
