using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// The <c>owner.pid</c> file in a cluster folder: the pid and start time of the process that
/// created the cluster, and the binaries it used, so that a later run can tell a stale cluster
/// (its owner is gone) from a live one and stop it with the matching <c>pg_ctl</c>.
/// </summary>
/// <param name="Pid">The owning process.</param>
/// <param name="StartTime">Its start time from <c>/proc</c>, to survive pid reuse; null if unknown.</param>
/// <param name="BinDirectory">The PostgreSQL binaries that created the cluster.</param>
internal sealed record OwnerFile(int Pid, long? StartTime, string? BinDirectory)
{
    /// <summary>The owner record of the current process.</summary>
    public static OwnerFile ForCurrentProcess(string binDirectory) =>
        new(Environment.ProcessId, LinuxProcess.StartTime(Environment.ProcessId), binDirectory);

    /// <summary>True when the owning process still runs.</summary>
    public bool OwnerIsAlive => LinuxProcess.IsAlive(Pid, StartTime);

    /// <summary>Writes the record to <paramref name="path"/>.</summary>
    public void Write(string path)
    {
        var lines = new List<string> { "pid=" + Pid.ToString(CultureInfo.InvariantCulture) };
        if (StartTime is { } start)
        {
            lines.Add("start=" + start.ToString(CultureInfo.InvariantCulture));
        }

        if (BinDirectory is not null)
        {
            lines.Add("bin=" + BinDirectory);
        }

        File.WriteAllLines(path, lines);
    }

    /// <summary>Reads the record, or returns null when the file is missing or unreadable.</summary>
    public static OwnerFile? TryRead(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        int? pid = null;
        long? start = null;
        string? bin = null;
        foreach (var line in lines)
        {
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                continue;
            }

            var value = line[(separator + 1)..].Trim();
            switch (line[..separator].Trim())
            {
                case "pid" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p):
                    pid = p;
                    break;
                case "start" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s):
                    start = s;
                    break;
                case "bin":
                    bin = value;
                    break;
            }
        }

        return pid is null ? null : new OwnerFile(pid.Value, start, bin);
    }
}
