using System;
using System.IO;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Cluster;

/// <summary>A cluster of its own: settings, the OS user, stop/restart for outage tests, dispose.</summary>
public sealed class ClusterLifecycleTests
{
    [Fact]
    public async Task Starts_stops_restarts_on_the_same_port_and_dispose_leaves_nothing_behind()
    {
        using var temp = new PrivateTempRoot();
        var options = new PostgresClusterOptions { ExistingServerConnectionString = null, TempRoot = temp.Path };
        options.Settings["max_prepared_transactions"] = "7";

        var cluster = await PostgresCluster.StartAsync(options);
        var root = cluster.ClusterDirectory!;
        var dataDirectory = cluster.DataDirectory!;
        int postmasterPid;
        try
        {
            Assert.True(cluster.IsManaged);
            Assert.True(cluster.IsRunning);
            Assert.StartsWith(Path.Combine(temp.Path, "roslynpgsync-pg-"), root, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(cluster.BinDirectory!, "initdb")));
            Assert.True(cluster.VersionNumber >= 130000, cluster.Version);
            Assert.StartsWith((cluster.VersionNumber / 10000).ToString(System.Globalization.CultureInfo.InvariantCulture), cluster.Version, StringComparison.Ordinal);
            Assert.Equal("7", await Db.ScalarAsync<string>(cluster.AdminConnectionString, "SHOW max_prepared_transactions"));
            Assert.Equal("off", await Db.ScalarAsync<string>(cluster.AdminConnectionString, "SHOW fsync"));
            Assert.Equal("200", await Db.ScalarAsync<string>(cluster.AdminConnectionString, "SHOW max_connections"));
            Assert.Equal(root, await Db.ScalarAsync<string>(cluster.AdminConnectionString, "SHOW unix_socket_directories"));
            Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString).Password!, cluster.ReadLogTail(200), StringComparison.Ordinal);

            postmasterPid = Postmaster.ReadPid(dataDirectory)!.Value;
            var expectedUser = Environment.UserName == "root" ? "postgres" : Environment.UserName;
            Assert.Equal(expectedUser, Postmaster.OsUserOf(postmasterPid));

            // Outage: a crash-like stop refuses connections; a restart brings back the same port and data.
            var port = cluster.Port;
            await Db.ExecuteAsync(cluster.AdminConnectionString, "CREATE TABLE survives (id int); INSERT INTO survives VALUES (1)");
            await cluster.StopAsync(immediate: true);
            Assert.False(cluster.IsRunning);
            Assert.True(await Postmaster.WaitUntilAsync(() => !Postmaster.IsAlive(postmasterPid), TimeSpan.FromSeconds(5)), "postmaster gone");
            var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(
                () => Db.ScalarAsync<int>(cluster.AdminConnectionString + ";Pooling=false", "SELECT 1"));
            Assert.IsNotType<PostgresException>(refused);

            await cluster.RestartAsync();
            Assert.True(cluster.IsRunning);
            Assert.Equal(port, cluster.Port);
            Assert.Equal(1, await Db.ScalarAsync<int>(cluster.AdminConnectionString, "SELECT count(*)::int FROM survives"));

            // Restart of a running server, fast stop, restart again.
            await cluster.RestartAsync();
            await cluster.StopAsync();
            await cluster.RestartAsync();
            Assert.Equal(1, await Db.ScalarAsync<int>(cluster.AdminConnectionString, "SELECT count(*)::int FROM survives"));
            postmasterPid = Postmaster.ReadPid(dataDirectory)!.Value;
            Assert.Contains("database system is ready to accept connections", cluster.ReadLogTail(100), StringComparison.Ordinal);
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        Assert.False(Directory.Exists(root));
        Assert.True(await Postmaster.WaitUntilAsync(() => !Postmaster.IsAlive(postmasterPid), TimeSpan.FromSeconds(5)), "postmaster gone");
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
        await cluster.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task A_server_that_cannot_start_reports_its_log_and_leaves_no_folder()
    {
        using var temp = new PrivateTempRoot();
        var options = new PostgresClusterOptions { ExistingServerConnectionString = null, TempRoot = temp.Path, RemoveStaleClusters = false };
        options.Settings["shared_buffers"] = "not-a-size";

        var error = await Assert.ThrowsAsync<PostgresClusterException>(() => PostgresCluster.StartAsync(options));

        Assert.Contains("shared_buffers", error.Message, StringComparison.Ordinal);
        Assert.Contains("Server log", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public async Task Missing_binaries_name_what_was_looked_for_and_how_to_install()
    {
        var options = new PostgresClusterOptions { ExistingServerConnectionString = null, BinDirectory = "/nonexistent/pg/bin" };

        var configured = await Assert.ThrowsAsync<PostgresClusterException>(() => PostgresCluster.StartAsync(options));
        var searched = Assert.Throws<PostgresClusterException>(() => PostgresBinaries.Locate(null, "/nonexistent-root"));

        Assert.Contains("/nonexistent/pg/bin", configured.Message, StringComparison.Ordinal);
        Assert.Contains(PostgresClusterOptions.BinDirectoryVariable, configured.Message, StringComparison.Ordinal);
        Assert.Contains("postgresql postgresql-contrib", configured.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent-root/<version>/bin/initdb", searched.Message, StringComparison.Ordinal);
        Assert.Contains("postgresql postgresql-contrib", searched.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Newest_installed_version_is_chosen_and_root_runs_through_runuser()
    {
        var binaries = PostgresBinaries.Locate(null);
        var command = binaries.Command("pg_ctl", "--version");

        Assert.True(File.Exists(Path.Combine(binaries.BinDirectory, "initdb")));
        if (Environment.UserName == "root")
        {
            Assert.Equal("runuser", command.FileName);
            Assert.Equal(["-u", "postgres", "--", Path.Combine(binaries.BinDirectory, "pg_ctl"), "--version"], command.Arguments);
        }
        else
        {
            Assert.Equal(Path.Combine(binaries.BinDirectory, "pg_ctl"), command.FileName);
        }
    }
}
