using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Cluster;

/// <summary>
/// Clusters of killed test runs never block the next run: the next start removes them, and a
/// watchdog removes them as soon as their owner dies.
/// </summary>
public sealed class StaleClusterCleanupTests
{
    [Fact]
    public async Task Start_stops_and_removes_clusters_whose_owner_is_dead_and_keeps_live_ones()
    {
        using var temp = new PrivateTempRoot();
        var options = new PostgresClusterOptions { ExistingServerConnectionString = null, TempRoot = temp.Path };

        // A real running cluster whose owner we pretend is dead.
        var orphan = await PostgresCluster.StartAsync(options);
        var orphanRoot = orphan.ClusterDirectory!;
        var orphanPostmaster = Postmaster.ReadPid(orphan.DataDirectory!)!.Value;
        new OwnerFile(Postmaster.DeadPid(), null, orphan.BinDirectory).Write(Path.Combine(orphanRoot, "owner.pid"));

        // A leftover folder without a server, and one whose pid was reused by a live process.
        var deadOwner = FakeClusterFolder(temp.Path, new OwnerFile(Postmaster.DeadPid(), 12345, null));
        var reusedPid = FakeClusterFolder(temp.Path, new OwnerFile(Environment.ProcessId, 1, null));
        // A live owner's folder (this process, right start time) must survive.
        var live = FakeClusterFolder(temp.Path, OwnerFile.ForCurrentProcess("/nowhere"));

        var next = await PostgresCluster.StartAsync(options);
        try
        {
            Assert.False(Directory.Exists(orphanRoot), "the orphaned cluster's folder should be gone");
            Assert.True(
                await Postmaster.WaitUntilAsync(() => !Postmaster.IsAlive(orphanPostmaster), TimeSpan.FromSeconds(5)),
                "the orphaned postmaster should be stopped");
            Assert.False(Directory.Exists(deadOwner));
            Assert.False(Directory.Exists(reusedPid));
            Assert.True(Directory.Exists(live));
            Assert.Equal(1, await Db.ScalarAsync<int>(next.AdminConnectionString, "SELECT 1"));
        }
        finally
        {
            await next.DisposeAsync();
            await orphan.DisposeAsync(); // tolerates that its server and folder are already gone
            Directory.Delete(live, recursive: true);
        }

        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public async Task Watchdog_stops_the_server_and_removes_the_folder_when_the_owner_dies()
    {
        using var temp = new PrivateTempRoot();
        var options = new PostgresClusterOptions { ExistingServerConnectionString = null, TempRoot = temp.Path, RemoveStaleClusters = false };
        var cluster = await PostgresCluster.StartAsync(options);
        var root = cluster.ClusterDirectory!;
        var postmasterPid = Postmaster.ReadPid(cluster.DataDirectory!)!.Value;
        using var owner = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            // The real watchdog watches this test host; a second one watches a stand-in owner we can kill.
            using var watchdog = Watchdog.Start(root, cluster.Server!.ImmediateStopCommand, owner.Id);
            await Task.Delay(300);
            Assert.True(Postmaster.IsAlive(watchdog.Pid), "the watchdog should wait while its owner lives");
            Assert.True(Directory.Exists(root));

            owner.Kill();
            await owner.WaitForExitAsync();

            Assert.True(await Postmaster.WaitUntilAsync(() => !Directory.Exists(root), TimeSpan.FromSeconds(15)), "folder removed");
            Assert.True(await Postmaster.WaitUntilAsync(() => !Postmaster.IsAlive(postmasterPid), TimeSpan.FromSeconds(5)), "server stopped");
            Assert.True(await Postmaster.WaitUntilAsync(() => !Postmaster.IsAlive(watchdog.Pid), TimeSpan.FromSeconds(5)), "watchdog ended");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static string FakeClusterFolder(string tempRoot, OwnerFile owner)
    {
        var root = Path.Combine(tempRoot, "roslynpgsync-pg-fake" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(root, "data"));
        File.WriteAllText(Path.Combine(root, "data", "PG_VERSION"), "15\n");
        owner.Write(Path.Combine(root, "owner.pid"));
        return root;
    }
}
