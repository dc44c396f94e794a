using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>Looks at server processes from the outside, through the data directory and /proc.</summary>
public static class Postmaster
{
    /// <summary>The postmaster's pid from <c>postmaster.pid</c>, or null when the server is not running.</summary>
    public static int? ReadPid(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(path))
        {
            return null;
        }

        using var reader = new StreamReader(path);
        return int.Parse(reader.ReadLine()!, CultureInfo.InvariantCulture);
    }

    /// <summary>True when the process runs (zombies count as dead).</summary>
    public static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A pid that named a process a moment ago and names none now.</summary>
    public static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    /// <summary>The OS user name that runs <paramref name="pid"/> (via <c>ps</c>).</summary>
    public static string OsUserOf(int pid)
    {
        var startInfo = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
        startInfo.ArgumentList.Add("-o");
        startInfo.ArgumentList.Add("user=");
        startInfo.ArgumentList.Add("-p");
        startInfo.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Trim();
    }
}
