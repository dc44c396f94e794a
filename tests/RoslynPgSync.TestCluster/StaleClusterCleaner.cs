using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// Removes cluster folders whose owning process is gone (a test run that was killed before it
/// could clean up and whose watchdog did not run either), stopping their servers first.
/// </summary>
internal static class StaleClusterCleaner
{
    /// <summary>A folder without an owner file younger than this may still be being created.</summary>
    private static readonly TimeSpan OwnerlessGracePeriod = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Scans <paramref name="tempRoot"/> for <c>roslynpgsync-pg-*</c> folders of dead owners, stops
    /// their postmasters and deletes them. Returns the folders it removed. Never throws for one
    /// folder it cannot handle (another run may be cleaning it at the same time).
    /// </summary>
    public static async Task<IReadOnlyList<string>> RemoveStaleAsync(
        string tempRoot, PostgresBinaries binaries, TimeSpan timeout, CancellationToken ct)
    {
        var removed = new List<string>();
        if (!Directory.Exists(tempRoot))
        {
            return removed;
        }

        foreach (var root in Directory.EnumerateDirectories(tempRoot, ClusterFolder.NamePrefix + "*"))
        {
            ct.ThrowIfCancellationRequested();
            var folder = new ClusterFolder(root);
            if (!IsStale(folder, out var owner))
            {
                continue;
            }

            try
            {
                await StopPostmasterAsync(folder, owner, binaries, timeout, ct).ConfigureAwait(false);
                Directory.Delete(root, recursive: true);
                removed.Add(root);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PostgresClusterException or TimeoutException)
            {
                // Someone else is cleaning it, or it cannot be removed by us: leave it.
            }
        }

        return removed;
    }

    private static bool IsStale(ClusterFolder folder, out OwnerFile? owner)
    {
        owner = OwnerFile.TryRead(folder.OwnerFilePath);
        if (owner is not null)
        {
            return !owner.OwnerIsAlive;
        }

        try
        {
            return DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder.Root) > OwnerlessGracePeriod;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task StopPostmasterAsync(
        ClusterFolder folder, OwnerFile? owner, PostgresBinaries binaries, TimeSpan timeout, CancellationToken ct)
    {
        var postmasterPid = folder.TryReadPostmasterPid();
        // After a reboot the pid in postmaster.pid may name an unrelated process: signal only a postgres.
        if (postmasterPid is null || !LinuxProcess.IsAlive(postmasterPid.Value)
            || !string.Equals(LinuxProcess.CommandName(postmasterPid.Value), "postgres", StringComparison.Ordinal))
        {
            return;
        }

        // Prefer the pg_ctl that created the cluster; a different major version may refuse it.
        var pgCtl = owner?.BinDirectory is { } bin && File.Exists(Path.Combine(bin, "pg_ctl"))
            ? Path.Combine(bin, "pg_ctl")
            : Path.Combine(binaries.BinDirectory, "pg_ctl");
        var command = binaries.Wrap(pgCtl, ["stop", "-D", folder.DataDirectory, "-m", "immediate", "-w", "-s"]);
        await ProcessRunner.RunAsync(command, folder.Root, timeout, ct).ConfigureAwait(false);

        if (!await LinuxProcess.WaitForExitAsync(postmasterPid.Value, TimeSpan.FromSeconds(5), ct).ConfigureAwait(false))
        {
            // pg_ctl could not do it (say, a damaged data directory): kill the postmaster; its
            // children notice the postmaster's death and exit on their own.
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(postmasterPid.Value);
                process.Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile, or not ours to kill.
            }
        }
    }
}
