using System;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace RoslynPgSync.TestCluster;

/// <summary>Reads <c>/proc</c> to tell whether a process id still names the same living process.</summary>
internal static class LinuxProcess
{
    /// <summary>
    /// The start time of <paramref name="pid"/> in clock ticks since boot (field 22 of
    /// <c>/proc/&lt;pid&gt;/stat</c>), or <see langword="null"/> when there is no such process.
    /// Together with the pid it names one process even after the pid has been reused.
    /// </summary>
    public static long? StartTime(int pid) => ReadStat(pid)?.StartTime;

    /// <summary>
    /// True when <paramref name="pid"/> runs (a zombie counts as dead) and, when
    /// <paramref name="expectedStartTime"/> is given, started at that time.
    /// </summary>
    public static bool IsAlive(int pid, long? expectedStartTime = null)
    {
        if (pid <= 0)
        {
            return false;
        }

        var stat = ReadStat(pid);
        if (stat is null || stat.Value.State is 'Z' or 'X')
        {
            return false;
        }

        return expectedStartTime is null || stat.Value.StartTime == expectedStartTime;
    }

    /// <summary>Waits until <paramref name="pid"/> is gone; false when it still runs after <paramref name="timeout"/>.</summary>
    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(20, ct).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>The process's command name (<c>/proc/&lt;pid&gt;/comm</c>), or null when there is no such process.</summary>
    public static string? CommandName(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (char State, long StartTime)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        if (fields.Length < 20 || fields[0].Length != 1
            || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime))
        {
            return null;
        }

        return (fields[0][0], startTime);
    }
}
