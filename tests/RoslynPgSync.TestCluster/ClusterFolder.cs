using System;
using System.Globalization;
using System.IO;

namespace RoslynPgSync.TestCluster;

/// <summary>The layout of one throwaway cluster's private folder.</summary>
internal sealed class ClusterFolder
{
    /// <summary>Every cluster folder's name starts with this, which is how stale ones are found.</summary>
    public const string NamePrefix = "roslynpgsync-pg-";

    public ClusterFolder(string root)
    {
        Root = root;
    }

    /// <summary>The folder itself; also the unix socket directory.</summary>
    public string Root { get; }

    /// <summary>The PostgreSQL data directory (initdb's <c>-D</c>).</summary>
    public string DataDirectory => Path.Combine(Root, "data");

    /// <summary>The server log that <c>pg_ctl start -l</c> appends to.</summary>
    public string LogFile => Path.Combine(Root, "server.log");

    /// <summary>Names the process that owns the cluster; see <see cref="OwnerFile"/>.</summary>
    public string OwnerFilePath => Path.Combine(Root, "owner.pid");

    /// <summary>The superuser password for initdb; deleted as soon as initdb has run.</summary>
    public string PasswordFile => Path.Combine(Root, "superuser.pw");

    /// <summary>The file with this library's settings, included from <c>postgresql.conf</c>.</summary>
    public string SettingsFile => Path.Combine(DataDirectory, "roslynpgsync.conf");

    /// <summary>The main configuration file written by initdb.</summary>
    public string MainConfigFile => Path.Combine(DataDirectory, "postgresql.conf");

    /// <summary>Written by a running postmaster; its first line is the postmaster's pid.</summary>
    public string PostmasterPidFile => Path.Combine(DataDirectory, "postmaster.pid");

    /// <summary>The postmaster's pid from <see cref="PostmasterPidFile"/>, or null when there is none.</summary>
    public int? TryReadPostmasterPid()
    {
        try
        {
            using var reader = new StreamReader(PostmasterPidFile);
            return int.TryParse(reader.ReadLine(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
