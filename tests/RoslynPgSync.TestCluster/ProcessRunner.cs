using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// Runs a command with separate arguments, captures its output, enforces a timeout and reports
/// failures with the command name, the exit code and standard error. Passwords never travel on a
/// command line here (initdb reads its password from a file), so the messages are safe to log.
/// </summary>
internal static class ProcessRunner
{
    /// <summary>Runs <paramref name="command"/> and throws when it fails or times out.</summary>
    public static async Task<ProcessResult> RunCheckedAsync(
        CommandLine command, string? workingDirectory, TimeSpan timeout, CancellationToken ct)
    {
        var result = await RunAsync(command, workingDirectory, timeout, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new PostgresClusterException(
                $"'{command.DisplayName}' exited with code {result.ExitCode}. stderr: {Trim(result.StandardError)} stdout: {Trim(result.StandardOutput)}");
        }

        return result;
    }

    /// <summary>Runs <paramref name="command"/> and returns its outcome whatever the exit code.</summary>
    public static async Task<ProcessResult> RunAsync(
        CommandLine command, string? workingDirectory, TimeSpan timeout, CancellationToken ct)
    {
        using var process = new Process { StartInfo = CreateStartInfo(command, workingDirectory) };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new PostgresClusterException($"Could not start '{command.FileName}': {ex.Message}", ex);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException($"'{command.DisplayName}' did not finish within {timeout.TotalSeconds:0} s and was killed.");
        }

        return new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>
    /// Runs <paramref name="command"/> synchronously; only for <c>ProcessExit</c>, where nothing
    /// asynchronous can be awaited any more. Never throws.
    /// </summary>
    public static void RunBestEffort(CommandLine command, string? workingDirectory, TimeSpan timeout)
    {
        try
        {
            using var process = new Process { StartInfo = CreateStartInfo(command, workingDirectory) };
            process.Start();
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                TryKill(process);
            }

            _ = Task.WhenAll(stdout, stderr).Wait(TimeSpan.FromSeconds(1));
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or System.IO.IOException)
        {
            // Best effort at process exit: the watchdog still cleans up after us.
        }
    }

    private static ProcessStartInfo CreateStartInfo(CommandLine command, string? workingDirectory)
    {
        var startInfo = new ProcessStartInfo(command.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "/",
        };
        foreach (var argument in command.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Messages from PostgreSQL tools stay in English so that callers can match on them.
        startInfo.Environment["LC_MESSAGES"] = "C";
        startInfo.Environment["LANG"] = "C";
        startInfo.Environment.Remove("PGPASSWORD");
        return startInfo;
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Trim(string text)
    {
        text = text.Trim();
        return text.Length <= 4000 ? text : text[..4000] + " …";
    }
}
