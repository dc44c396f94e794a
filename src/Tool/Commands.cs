using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Copy;
using RoslynPgSync.Hosting;
using RoslynPgSync.Installation;
using RoslynPgSync.Verification;
using Spectre.Console;

namespace RoslynPgSync.Tool;

/// <summary>What each command does once its command line is parsed; <see cref="PgSyncCommandLine"/> declares them.</summary>
internal static class Commands
{
    public static async Task<int> ScriptAsync(AppConfiguration app, TextWriter output)
    {
        await output.WriteAsync(PgSyncInstallation.GetInstallScript(app.Options, app.Tables)).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    public static async Task<int> DbaScriptAsync(bool destination, TextWriter output)
    {
        await output.WriteAsync(PgSyncInstallation.GetDbaSetupScript(destination)).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    public static async Task<int> InstallAsync(NpgsqlDataSource local, AppConfiguration app, TextWriter output, CancellationToken ct)
    {
        await PgSyncInstallation.InstallAsync(local, app.Options, app.Tables, ct).ConfigureAwait(false);
        await output.WriteLineAsync($"installed for {string.Join(", ", app.Options.Servers.Select(s => s.ToString()))}").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    public static async Task<int> UninstallAsync(NpgsqlDataSource local, AppConfiguration app, TextWriter output, CancellationToken ct)
    {
        await PgSyncInstallation.UninstallAsync(local, app.Options, app.Tables, ct).ConfigureAwait(false);
        await output.WriteLineAsync("uninstalled; tables and their rows are untouched").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    public static async Task<int> StatusAsync(NpgsqlDataSource local, AppConfiguration app, TextWriter output, CancellationToken ct)
    {
        var monitor = new PgSyncMonitor(local, Microsoft.Extensions.Options.Options.Create(app.Options));
        var status = await monitor.GetStatusAsync(ct).ConfigureAwait(false);
        await output.WriteLineAsync("destination  depth  oldest(s)  last success               last error").ConfigureAwait(false);
        foreach (var s in status)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{s.Stream,-12} {s.Depth,6} {s.OldestAge.TotalSeconds,10:F1}  {s.LastSuccess?.ToString("u", CultureInfo.InvariantCulture) ?? "-",-24} {s.LastError ?? "-"}{(s.LastErrorEntry is { } entry ? $" (entry {entry}, table {s.LastErrorTable})" : string.Empty)}")).ConfigureAwait(false);
        }

        // A table whose capture is or was off: its changes are not, or may not be, on its destinations.
        foreach (var gap in await monitor.GetCaptureGapsAsync(ct).ConfigureAwait(false))
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync((gap.CaptureOn ? "warning: " : "error: ") + gap).ConfigureAwait(false);
        }

        // This database as a destination of tables with a conflict policy: what its conflict log holds.
        var conflicts = await monitor.GetConflictCountsAsync(ct: ct).ConfigureAwait(false);
        if (conflicts.Count > 0)
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("conflicts met here (pgsync conflicts lists them)").ConfigureAwait(false);
            await output.WriteLineAsync("table                          kind                   resolution    count  last").ConfigureAwait(false);
            foreach (var c in conflicts)
            {
                await output.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{c.Table,-30} {c.Kind,-22} {c.Resolution,-12} {c.Count,6}  {c.Last.ToString("u", CultureInfo.InvariantCulture)}")).ConfigureAwait(false);
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// <c>pgsync conflicts</c>: the latest conflicts this database met as the destination of a table with a
    /// conflict policy, newest first: table, key, kind, resolution, both stamps and both rows.
    /// </summary>
    public static async Task<int> ConflictsAsync(NpgsqlDataSource local, AppConfiguration app, int limit, string? table, TextWriter output, CancellationToken ct)
    {
        var conflicts = await new PgSyncMonitor(local, Microsoft.Extensions.Options.Options.Create(app.Options)).GetConflictsAsync(limit, table, ct).ConfigureAwait(false);
        if (conflicts.Count == 0)
        {
            await output.WriteLineAsync(table is null ? "No conflicts recorded." : $"No conflicts recorded for {table}.").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        foreach (var c in conflicts)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"#{c.Id} {c.LoggedAt.ToString("u", CultureInfo.InvariantCulture)} {c.Table} key {c.Key}: {c.Kind}{(c.IndexName is null ? "" : " on index " + c.IndexName)}, {c.Resolution} (entries {c.Entries ?? "-"})")).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"  here:     {c.LocalOrigin ?? "(unstamped)"} at {c.LocalAt?.ToString("O", CultureInfo.InvariantCulture) ?? "-"}: {c.LocalRow ?? "(no row)"}")).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"  incoming: {c.RemoteOrigin} at {c.RemoteAt.ToString("O", CultureInfo.InvariantCulture)}: {c.RemoteRow ?? "-"}")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// <c>pgsync verify</c>: one line per table and destination and its differing keys; with <paramref name="repair"/>
    /// the repair's statements (a dry run), and with <paramref name="apply"/> too the repair itself and the verification after it.
    /// </summary>
    public static async Task<int> VerifyAsync(NpgsqlDataSource local, AppConfiguration app, bool repair, bool apply, TextWriter output, CancellationToken ct)
    {
        if (apply && !repair)
        {
            throw new ArgumentException("--apply repairs, so it goes with --repair: pgsync verify --repair --apply.");
        }

        var verifier = new PgSyncVerifier(local, app.Options);
        IReadOnlyList<VerificationResult> results;
        if (apply)
        {
            results = await verifier.RepairAsync(app.Tables, ct).ConfigureAwait(false);
        }
        else if (repair)
        {
            var plans = await verifier.PlanRepairAsync(app.Tables, ct).ConfigureAwait(false);
            foreach (var plan in plans)
            {
                await WriteAsync(output, plan.Verification).ConfigureAwait(false);
                foreach (var statement in plan.Statements)
                {
                    await output.WriteLineAsync($"-- repair on {plan.Verification.Server} (dry run; pgsync verify --repair --apply queues it):").ConfigureAwait(false);
                    await output.WriteLineAsync(statement + ";").ConfigureAwait(false);
                }
            }

            return plans.All(p => p.Verification.IsEqual) ? ExitCodes.Success : ExitCodes.Differences;
        }
        else
        {
            results = await verifier.VerifyAsync(app.Tables, ct).ConfigureAwait(false);
        }

        foreach (var result in results)
        {
            await WriteAsync(output, result).ConfigureAwait(false);
        }

        return results.All(r => r.IsEqual) ? ExitCodes.Success : ExitCodes.Differences;
    }

    private static async Task WriteAsync(TextWriter output, VerificationResult result)
    {
        await output.WriteLineAsync(result.ToString()).ConfigureAwait(false);
        foreach (var (kind, keys) in new[] { ("missing", result.Missing), ("extra", result.Extra), ("changed", result.Changed) })
        {
            foreach (var key in keys)
            {
                await output.WriteLineAsync($"  {kind} {key}").ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// <c>pgsync copy</c>: restarts the chosen copies when asked (<paramref name="table"/>, <paramref name="replace"/>),
    /// then runs every unfinished one with a progress bar per table and destination, and prints how each ended.
    /// A destination that applies nothing for <paramref name="wait"/>, or Ctrl+C, stops it: where each copy
    /// stands is printed all the same, the reason goes to <paramref name="error"/>, and the exit code is 1.
    /// </summary>
    public static async Task<int> CopyAsync(NpgsqlDataSource local, AppConfiguration app, string? table, bool replace, TimeSpan wait, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var copier = new PgSyncCopier(local, app.Options) { DestinationTimeout = wait };
        string? stopped = null;
        IReadOnlyList<CopyProgress> after;
        try
        {
            after = await RunCopiesAsync(copier, app, table, replace, output, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            stopped = ex is TimeoutException
                ? ex.Message
                : "interrupted; the copies resume after their last chunk at the next pgsync copy";
            after = await copier.GetProgressAsync(CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var copy in after)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{copy.Table} -> {copy.Server}: {copy.Status.ToString().ToLowerInvariant()}, {copy.RowsCopied} rows in {copy.Chunks} chunks{(copy.RowsPerSecond is { } rate ? $", {rate:F0} rows/s" : string.Empty)}{(copy.Reason is null ? string.Empty : " (" + copy.Reason + ")")}")).ConfigureAwait(false);
        }

        if (stopped is not null)
        {
            await error.WriteLineAsync("pgsync: " + stopped).ConfigureAwait(false);
        }

        return stopped is not null || after.Any(c => c.Status is CopyStatus.Failed || c.IsRunning) ? ExitCodes.Differences : ExitCodes.Success;
    }

    private static async Task<IReadOnlyList<CopyProgress>> RunCopiesAsync(PgSyncCopier copier, AppConfiguration app, string? table, bool replace, TextWriter output, CancellationToken ct)
    {
        if (table is not null || replace)
        {
            await copier.RestartAsync(app.Tables, replace, table, ct).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        var before = await copier.GetProgressAsync(ct).ConfigureAwait(false);
        IReadOnlyList<CopyProgress> after = before;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var bars = before.Where(c => c.IsRunning).ToDictionary(
                    c => (c.Table, c.Server),
                    c => context.AddTask($"{c.Table} -> {c.Server}", maxValue: Math.Max(1, c.RowsEstimate ?? 1)));
                var progress = new Progress<CopyProgress>(c =>
                {
                    if (bars.TryGetValue((c.Table, c.Server), out var bar))
                    {
                        bar.MaxValue = Math.Max(Math.Max(1, c.RowsEstimate ?? 1), c.RowsCopied);
                        bar.Value = c.RowsCopied;
                    }
                });
                try
                {
                    after = await copier.RunAsync(app.Tables, progress, ct).ConfigureAwait(false);
                }
                finally
                {
                    foreach (var (key, bar) in bars)
                    {
                        if (after.FirstOrDefault(c => (c.Table, c.Server) == key) is { Status: CopyStatus.Done } done)
                        {
                            bar.MaxValue = Math.Max(1, done.RowsCopied);
                            bar.Value = bar.MaxValue;
                        }

                        bar.StopTask();
                    }
                }
            }).ConfigureAwait(false);
        return after;
    }

    public static async Task<int> ReplayAsync(NpgsqlDataSource local, AppConfiguration app, int limit, TextWriter output, CancellationToken ct)
    {
        var applied = await PgSyncReplay.ReplayAsync(local, app.Options, limit, ct).ConfigureAwait(false);
        await output.WriteLineAsync($"applied {applied} entries").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
