using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// Where the PostgreSQL server programs live, and how to run them: directly, or as the
/// <c>postgres</c> OS user through <c>runuser</c> when this process is root (initdb and postgres
/// refuse to run as root).
/// </summary>
internal sealed class PostgresBinaries
{
    /// <summary>The Debian/Ubuntu layout: one folder per major version.</summary>
    internal const string DefaultSearchRoot = "/usr/lib/postgresql";

    /// <summary>The OS user that owns clusters when this process is root.</summary>
    internal const string ServiceUser = "postgres";

    private PostgresBinaries(string binDirectory, bool runAsServiceUser)
    {
        BinDirectory = binDirectory;
        RunAsServiceUser = runAsServiceUser;
    }

    /// <summary>The folder that holds <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>.</summary>
    public string BinDirectory { get; }

    /// <summary>True when every PostgreSQL program runs as <see cref="ServiceUser"/> via <c>runuser</c>.</summary>
    public bool RunAsServiceUser { get; }

    /// <summary>True when this process runs as root.</summary>
    public static bool CurrentUserIsRoot => string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

    /// <summary>
    /// Finds the binaries: <paramref name="configured"/> (the option, or <c>PGSYNC_PG_BIN</c>) if
    /// given, else the highest version under <see cref="DefaultSearchRoot"/> that has <c>initdb</c>.
    /// </summary>
    public static PostgresBinaries Locate(string? configured, string searchRoot = DefaultSearchRoot)
    {
        string binDirectory;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (!File.Exists(Path.Combine(configured, "initdb")) || !File.Exists(Path.Combine(configured, "pg_ctl")))
            {
                throw new PostgresClusterException(
                    $"No PostgreSQL server binaries in '{configured}' (given by the options or the {PostgresClusterOptions.BinDirectoryVariable} environment variable): " +
                    "expected 'initdb' and 'pg_ctl' there. Point it at a folder such as /usr/lib/postgresql/16/bin, " +
                    "or install the server with 'apt-get install postgresql postgresql-contrib'.");
            }

            binDirectory = configured;
        }
        else
        {
            binDirectory = FindNewest(searchRoot) ?? throw new PostgresClusterException(
                $"No PostgreSQL server found: looked for '{searchRoot}/<version>/bin/initdb' because the " +
                $"{PostgresClusterOptions.BinDirectoryVariable} environment variable is not set. Install the server and its " +
                "extensions (dblink) with 'apt-get install postgresql postgresql-contrib', set " +
                $"{PostgresClusterOptions.BinDirectoryVariable} to a folder holding initdb and pg_ctl, or set " +
                $"{PostgresClusterOptions.ExistingServerVariable} to the connection string of a superuser on a running server.");
        }

        return new PostgresBinaries(Path.GetFullPath(binDirectory), CurrentUserIsRoot);
    }

    /// <summary>The command line that runs <paramref name="tool"/> from <see cref="BinDirectory"/>.</summary>
    public CommandLine Command(string tool, params string[] arguments) =>
        Wrap(Path.Combine(BinDirectory, tool), arguments);

    /// <summary>Wraps any program so that it runs as the cluster's OS user.</summary>
    public CommandLine Wrap(string program, IReadOnlyList<string> arguments)
    {
        if (!RunAsServiceUser)
        {
            return new CommandLine(program, arguments);
        }

        var wrapped = new List<string>(arguments.Count + 4) { "-u", ServiceUser, "--", program };
        wrapped.AddRange(arguments);
        return new CommandLine("runuser", wrapped);
    }

    private static string? FindNewest(string searchRoot)
    {
        if (!Directory.Exists(searchRoot))
        {
            return null;
        }

        var candidates = new List<(Version Version, string Bin)>();
        foreach (var versionDirectory in Directory.EnumerateDirectories(searchRoot))
        {
            var bin = Path.Combine(versionDirectory, "bin");
            if (File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl"))
                && TryParseVersion(Path.GetFileName(versionDirectory), out var version))
            {
                candidates.Add((version, bin));
            }
        }

        return candidates.Count == 0 ? null : candidates.OrderByDescending(c => c.Version).First().Bin;
    }

    private static bool TryParseVersion(string name, out Version version)
    {
        // "16" or "9.6": Version.TryParse wants at least a major and a minor part.
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var major))
        {
            version = new Version(major, 0);
            return true;
        }

        return Version.TryParse(name, out version!);
    }
}
