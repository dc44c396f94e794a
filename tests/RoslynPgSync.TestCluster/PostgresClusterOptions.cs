using System;
using System.Collections.Generic;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// How <see cref="PostgresCluster.StartAsync"/> finds or creates a server. A new instance reads
/// two environment variables as its defaults:
/// <list type="bullet">
/// <item><description><c>PGSYNC_PG_BIN</c> (<see cref="BinDirectory"/>): the folder holding
/// <c>initdb</c> and <c>pg_ctl</c>; when unset, the highest version under
/// <c>/usr/lib/postgresql/*/bin</c> is used.</description></item>
/// <item><description><c>PGSYNC_TEST_ADMIN_CONNECTION</c> (<see cref="ExistingServerConnectionString"/>):
/// an Npgsql connection string of a superuser on a server that is already running; when set, no
/// cluster is created and that server is used instead.</description></item>
/// </list>
/// </summary>
public sealed class PostgresClusterOptions
{
    /// <summary>The environment variable that names the PostgreSQL binary folder.</summary>
    public const string BinDirectoryVariable = "PGSYNC_PG_BIN";

    /// <summary>The environment variable with a superuser connection string of an existing server.</summary>
    public const string ExistingServerVariable = "PGSYNC_TEST_ADMIN_CONNECTION";

    /// <summary>
    /// The folder with the PostgreSQL server programs. Defaults to <c>PGSYNC_PG_BIN</c>;
    /// <see langword="null"/> means: search <c>/usr/lib/postgresql/*/bin</c> for the newest version.
    /// </summary>
    public string? BinDirectory { get; set; } = ReadVariable(BinDirectoryVariable);

    /// <summary>
    /// The Npgsql connection string of a superuser on a running server to use instead of starting
    /// one. Defaults to <c>PGSYNC_TEST_ADMIN_CONNECTION</c>. When set, <see cref="PostgresCluster.StopAsync"/>
    /// and <see cref="PostgresCluster.RestartAsync"/> throw <see cref="NotSupportedException"/>, and
    /// disposing the cluster leaves the server alone.
    /// </summary>
    public string? ExistingServerConnectionString { get; set; } = ReadVariable(ExistingServerVariable);

    /// <summary>The folder under which the cluster folder <c>roslynpgsync-pg-&lt;random&gt;</c> is created. Default <c>/tmp</c>.</summary>
    public string TempRoot { get; set; } = "/tmp";

    /// <summary>The server's <c>max_connections</c>. Default 200.</summary>
    public int MaxConnections { get; set; } = 200;

    /// <summary>
    /// The pg_hba method for TCP connections: <c>scram-sha-256</c> (the default, what non-superuser
    /// dblink needs), or e.g. <c>trust</c> to reproduce a destination that asks for no password.
    /// </summary>
    public string HostAuthentication { get; set; } = "scram-sha-256";

    /// <summary>The server's <c>shared_buffers</c>. Default <c>32MB</c>.</summary>
    public string SharedBuffers { get; set; } = "32MB";

    /// <summary>
    /// Extra <c>postgresql.conf</c> settings, for example <c>wal_level = logical</c> or
    /// <c>max_prepared_transactions = 10</c>. Values are written single-quoted, so give them
    /// without quotes. They override the defaults this library sets.
    /// </summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long initdb, a start or a stop may take. Default 60 seconds.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether <see cref="PostgresCluster.StartAsync"/> first removes cluster folders left by test
    /// runs whose process no longer exists (and stops their servers). Default <see langword="true"/>.
    /// </summary>
    public bool RemoveStaleClusters { get; set; } = true;

    private static string? ReadVariable(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
