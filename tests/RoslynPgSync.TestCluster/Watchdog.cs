using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// A detached shell (<c>setsid sh -c ...</c>) that waits for the owning process to die and then
/// stops the cluster and deletes its folder, so a killed test host leaves no server behind. It
/// also ends by itself once the folder is gone (a normal dispose).
/// </summary>
internal sealed class Watchdog : IDisposable
{
    // $1 = owner pid, $2 = cluster folder, the rest = the stop command. No value is spliced into
    // the script text: everything arrives as positional parameters.
    private const string Script =
        "exec </dev/null >/dev/null 2>&1\n" +
        "owner=\"$1\"; dir=\"$2\"; shift 2\n" +
        "while kill -0 \"$owner\" 2>/dev/null && [ -d \"$dir\" ]; do sleep 1; done\n" +
        "if [ -d \"$dir\" ]; then \"$@\"; rm -rf \"$dir\"; fi\n";

    private readonly Process _process;

    private Watchdog(Process process)
    {
        _process = process;
    }

    /// <summary>The watchdog's process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Starts a watchdog for the current process.</summary>
    /// <param name="clusterRoot">The folder to delete once the owner is gone.</param>
    /// <param name="stopCommand">The command that stops the server immediately.</param>
    public static Watchdog Start(string clusterRoot, CommandLine stopCommand) =>
        Start(clusterRoot, stopCommand, Environment.ProcessId);

    /// <summary>Starts a watchdog for <paramref name="ownerPid"/> (tests use a stand-in owner).</summary>
    /// <param name="clusterRoot">The folder to delete once the owner is gone.</param>
    /// <param name="stopCommand">The command that stops the server immediately.</param>
    /// <param name="ownerPid">The process whose death triggers the clean-up.</param>
    public static Watchdog Start(string clusterRoot, CommandLine stopCommand, int ownerPid)
    {
        var startInfo = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        var arguments = new List<string>
        {
            "sh", "-c", Script, "roslynpgsync-watchdog",
            ownerPid.ToString(CultureInfo.InvariantCulture),
            clusterRoot,
        };
        arguments.AddRange(stopCommand.AllParts());
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        try
        {
            return new Watchdog(Process.Start(startInfo) ?? throw new PostgresClusterException("Could not start the cluster watchdog (setsid sh)."));
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new PostgresClusterException("Could not start the cluster watchdog: 'setsid' (util-linux) and 'sh' are required.", ex);
        }
    }

    /// <summary>Ends the watchdog; called once the cluster is cleaned up normally.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
