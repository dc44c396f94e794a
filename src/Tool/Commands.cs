using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Hosting;
using RoslynPgSync.Installation;
using RoslynPgSync.Verification;

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
        var status = await new PgSyncMonitor(local, Microsoft.Extensions.Options.Options.Create(app.Options)).GetStatusAsync(ct).ConfigureAwait(false);
        await output.WriteLineAsync("destination  depth  oldest(s)  last success               last error").ConfigureAwait(false);
        foreach (var s in status)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{s.Server,-12} {s.Depth,6} {s.OldestAge.TotalSeconds,10:F1}  {s.LastSuccess?.ToString("u", CultureInfo.InvariantCulture) ?? "-",-24} {s.LastError ?? "-"}{(s.LastErrorEntry is { } entry ? $" (entry {entry}, table {s.LastErrorTable})" : string.Empty)}")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    public static async Task<int> VerifyAsync(NpgsqlDataSource local, AppConfiguration app, TextWriter output, CancellationToken ct)
    {
        var results = await new PgSyncVerifier(local, app.Options).VerifyAsync(app.Tables, ct).ConfigureAwait(false);
        foreach (var result in results)
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

        return results.All(r => r.IsEqual) ? ExitCodes.Success : ExitCodes.Differences;
    }

    public static async Task<int> ReplayAsync(NpgsqlDataSource local, AppConfiguration app, int limit, TextWriter output, CancellationToken ct)
    {
        var applied = await PgSyncReplay.ReplayAsync(local, app.Options, limit, ct).ConfigureAwait(false);
        await output.WriteLineAsync($"applied {applied} entries").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
