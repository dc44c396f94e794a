using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Npgsql;
using RoslynPgSync.Hosting;
using RoslynPgSync.Installation;
using RoslynPgSync.Verification;

namespace RoslynPgSync.Tool;

/// <summary>
/// <c>pgsync &lt;command&gt; --assembly App.dll [--config appsettings.json] [--section PgSync] [--limit N]</c>.
/// The tables come from the app's generated <c>PgSyncInstaller.Tables</c>; the servers and the local
/// database from its configuration (the <c>PgSync</c> section, as <c>AddPgSync</c> reads it) and
/// environment variables (<c>PgSync__Servers__dst=...</c>).
/// </summary>
internal static class Cli
{
    public const string Usage = """
        pgsync <command> --assembly <App.dll> [--config <appsettings.json>] [--section PgSync] [--limit <n>]

        commands:
          script     print the install SQL (passwords as psql variables)
          install    install (or re-install) replication on the local database
          uninstall  remove triggers, functions, foreign servers and the pgsync schema (data stays)
          status     per destination: queue depth, oldest entry age, last success, last error
          verify     compare every table with its destinations; exit 1 when they differ
          replay     apply up to --limit (default 1000) of the oldest queued entries now
          dba-script print the one-time superuser set-up for the source database
                     (--destination: for a destination database); needs no --assembly

        The local database is PgSync:LocalConnectionString (or --local <connection string>).
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await output.WriteLineAsync(Usage).ConfigureAwait(false);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var command = args[0];
            if (command == "dba-script")
            {
                await output.WriteAsync(PgSyncInstallation.GetDbaSetupScript(args.Contains("--destination"))).ConfigureAwait(false);
                return 0;
            }

            if (command is not ("script" or "install" or "uninstall" or "status" or "verify" or "replay"))
            {
                throw new ArgumentException($"Unknown command '{command}'.\n\n{Usage}");
            }

            var flags = ParseFlags(args.Skip(1).ToArray());
            var tables = LoadTables(Required(flags, "assembly"));
            var configuration = LoadConfiguration(flags);
            var section = configuration.GetSection(flags.GetValueOrDefault("section", "PgSync"));
            var options = new PgSyncOptions();
            PgSyncConfiguration.Apply(section, options);
            if (command == "script")
            {
                await output.WriteAsync(PgSyncInstallation.GetInstallScript(options, tables)).ConfigureAwait(false);
                return 0;
            }

            var local = flags.GetValueOrDefault("local") ?? section["LocalConnectionString"]
                ?? throw new ArgumentException("The local database is missing: set PgSync:LocalConnectionString or pass --local.");
            await using var dataSource = NpgsqlDataSource.Create(local);
            return command switch
            {
                "install" => await InstallAsync(dataSource, options, tables, output, ct).ConfigureAwait(false),
                "uninstall" => await UninstallAsync(dataSource, options, tables, output, ct).ConfigureAwait(false),
                "status" => await StatusAsync(dataSource, options, output, ct).ConfigureAwait(false),
                "verify" => await VerifyAsync(dataSource, options, tables, output, ct).ConfigureAwait(false),
                _ => await ReplayAsync(dataSource, options, int.Parse(flags.GetValueOrDefault("limit", "1000"), CultureInfo.InvariantCulture), output, ct).ConfigureAwait(false),
            };
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or PgSyncInstallException or NpgsqlException or InvalidOperationException or FileNotFoundException or BadImageFormatException)
        {
            await error.WriteLineAsync("pgsync: " + ex.Message).ConfigureAwait(false);
            return ex is ArgumentException or FormatException ? 2 : 1;
        }
    }

    private static async Task<int> InstallAsync(NpgsqlDataSource local, PgSyncOptions options, IReadOnlyList<ReplicatedTable> tables, TextWriter output, CancellationToken ct)
    {
        await PgSyncInstallation.InstallAsync(local, options, tables, ct).ConfigureAwait(false);
        await output.WriteLineAsync($"installed for {string.Join(", ", options.Servers.Select(s => s.ToString()))}").ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> UninstallAsync(NpgsqlDataSource local, PgSyncOptions options, IReadOnlyList<ReplicatedTable> tables, TextWriter output, CancellationToken ct)
    {
        await PgSyncInstallation.UninstallAsync(local, options, tables, ct).ConfigureAwait(false);
        await output.WriteLineAsync("uninstalled; tables and their rows are untouched").ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> StatusAsync(NpgsqlDataSource local, PgSyncOptions options, TextWriter output, CancellationToken ct)
    {
        var status = await new PgSyncMonitor(local, Microsoft.Extensions.Options.Options.Create(options)).GetStatusAsync(ct).ConfigureAwait(false);
        await output.WriteLineAsync("destination  depth  oldest(s)  last success               last error").ConfigureAwait(false);
        foreach (var s in status)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{s.Server,-12} {s.Depth,6} {s.OldestAge.TotalSeconds,10:F1}  {s.LastSuccess?.ToString("u", CultureInfo.InvariantCulture) ?? "-",-24} {s.LastError ?? "-"}{(s.LastErrorEntry is { } entry ? $" (entry {entry}, table {s.LastErrorTable})" : string.Empty)}")).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task<int> VerifyAsync(NpgsqlDataSource local, PgSyncOptions options, IReadOnlyList<ReplicatedTable> tables, TextWriter output, CancellationToken ct)
    {
        var results = await new PgSyncVerifier(local, options).VerifyAsync(tables, ct).ConfigureAwait(false);
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

        return results.All(r => r.IsEqual) ? 0 : 1;
    }

    private static async Task<int> ReplayAsync(NpgsqlDataSource local, PgSyncOptions options, int limit, TextWriter output, CancellationToken ct)
    {
        var applied = await PgSyncReplay.ReplayAsync(local, options, limit, ct).ConfigureAwait(false);
        await output.WriteLineAsync($"applied {applied} entries").ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Loads the app's assembly into the default context, resolving its dependencies from its own
    /// deps.json, so that its <c>ReplicatedTable</c> is the tool's (RoslynPgSync itself is shared).
    /// </summary>
    internal static IReadOnlyList<ReplicatedTable> LoadTables(string assemblyPath)
    {
        var path = Path.GetFullPath(assemblyPath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The app assembly '{path}' does not exist; build the app and pass its .dll with --assembly.");
        }

        var resolver = new AssemblyDependencyResolver(path);
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            resolver.ResolveAssemblyToPath(name) is { } dependency ? context.LoadFromAssemblyPath(dependency) : null;
        var assembly = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => !a.IsDynamic && string.Equals(a.Location, path, StringComparison.Ordinal))
            ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        var installer = assembly.GetType("RoslynPgSync.Generated.PgSyncInstaller")
            ?? throw new InvalidOperationException($"{Path.GetFileName(path)} has no RoslynPgSync.Generated.PgSyncInstaller: it was not built with the RoslynPgSync package, or has no [Replicate] type.");
        var tables = installer.GetProperty("Tables", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as IReadOnlyList<ReplicatedTable>;
        return tables ?? throw new InvalidOperationException($"{Path.GetFileName(path)} was built with another RoslynPgSync version than this tool; use the tool of the same version.");
    }

    private static IConfiguration LoadConfiguration(Dictionary<string, string> flags)
    {
        var builder = new ConfigurationBuilder();
        if (flags.TryGetValue("config", out var file))
        {
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }

        return builder.AddEnvironmentVariables().Build();
    }

    private static Dictionary<string, string> ParseFlags(string[] args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.\n\n{Usage}");
            }

            flags[args[i][2..]] = args[++i];
        }

        return flags;
    }

    private static string Required(Dictionary<string, string> flags, string name) =>
        flags.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.\n\n{Usage}");
}
