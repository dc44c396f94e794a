using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// A throwaway PostgreSQL server for tests, samples and benchmarks.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="StartAsync"/> creates a private cluster: it finds the server binaries
/// (<c>PGSYNC_PG_BIN</c>, else the newest <c>/usr/lib/postgresql/*/bin</c>), runs <c>initdb</c> in
/// a fresh <c>/tmp/roslynpgsync-pg-&lt;random&gt;</c> folder with a random superuser password and
/// <c>scram-sha-256</c> for TCP, and starts the server on a free port of 127.0.0.1. When the process
/// runs as root, every PostgreSQL program runs as the <c>postgres</c> OS user through <c>runuser</c>.
/// </para>
/// <para>
/// If <c>PGSYNC_TEST_ADMIN_CONNECTION</c> is set (or <see cref="PostgresClusterOptions.ExistingServerConnectionString"/>),
/// no server is started: that superuser connection is used, and <see cref="StopAsync"/> and
/// <see cref="RestartAsync"/> throw <see cref="NotSupportedException"/>.
/// </para>
/// <para>
/// Clean-up happens on <see cref="DisposeAsync"/>, at process exit, through a detached watchdog
/// when the process is killed, and by the next <see cref="StartAsync"/>, which removes folders
/// whose owning process is gone.
/// </para>
/// </remarks>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    private readonly ManagedServer? _server;
    private readonly NpgsqlConnectionStringBuilder _admin;

    private PostgresCluster(ManagedServer? server, NpgsqlConnectionStringBuilder admin)
    {
        _server = server;
        _admin = admin;
    }

    /// <summary>The host to connect to: <c>127.0.0.1</c> for a cluster of this library.</summary>
    public string Host => _admin.Host ?? "localhost";

    /// <summary>The TCP port of the server.</summary>
    public int Port => _admin.Port;

    /// <summary>
    /// An Npgsql connection string for a superuser over TCP with a password (scram-sha-256), to the
    /// <c>postgres</c> database (or the database of the existing server's connection string).
    /// </summary>
    public string AdminConnectionString => _admin.ConnectionString;

    /// <summary>The superuser's name.</summary>
    public string AdminUser => _admin.Username ?? ManagedServer.SuperuserName;

    /// <summary>The server this library created, or null; for tests of the clean-up machinery.</summary>
    internal ManagedServer? Server => _server;

    /// <summary>True when this library created the server; false when it uses an existing one.</summary>
    public bool IsManaged => _server is not null;

    /// <summary>True while the server is up (always true for an existing server).</summary>
    public bool IsRunning => _server?.IsRunning ?? true;

    /// <summary>The data directory, or <see langword="null"/> for an existing server.</summary>
    public string? DataDirectory => _server?.Folder.DataDirectory;

    /// <summary>The folder of the PostgreSQL binaries, or <see langword="null"/> for an existing server.</summary>
    public string? BinDirectory => _server?.BinDirectory;

    /// <summary>The private folder that holds the data directory, the log and the unix socket; null for an existing server.</summary>
    public string? ClusterDirectory => _server?.Folder.Root;

    /// <summary>The server version as the server reports it (<c>server_version</c>), for example <c>16.4 (Debian 16.4-1)</c>.</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>The server version as a number (<c>server_version_num</c>), for example <c>160004</c>.</summary>
    public int VersionNumber { get; private set; }

    /// <summary>
    /// Starts a new throwaway cluster, or attaches to the existing server named by
    /// <see cref="PostgresClusterOptions.ExistingServerConnectionString"/> (by default the
    /// <c>PGSYNC_TEST_ADMIN_CONNECTION</c> environment variable).
    /// </summary>
    /// <param name="options">Settings; a new <see cref="PostgresClusterOptions"/> (which reads the environment) when null.</param>
    /// <param name="ct">Cancels the start.</param>
    /// <returns>The running cluster; dispose it to stop it and delete its files.</returns>
    /// <exception cref="PostgresClusterException">The binaries are missing, or initdb or the server failed; the message includes the server log's tail.</exception>
    public static async Task<PostgresCluster> StartAsync(PostgresClusterOptions? options = null, CancellationToken ct = default)
    {
        options ??= new PostgresClusterOptions();
        if (!string.IsNullOrWhiteSpace(options.ExistingServerConnectionString))
        {
            return await AttachAsync(options.ExistingServerConnectionString, ct).ConfigureAwait(false);
        }

        var binaries = PostgresBinaries.Locate(options.BinDirectory);
        if (options.RemoveStaleClusters)
        {
            await StaleClusterCleaner.RemoveStaleAsync(options.TempRoot, binaries, options.CommandTimeout, ct).ConfigureAwait(false);
        }

        var server = await ManagedServer.CreateAsync(options, binaries, ct).ConfigureAwait(false);
        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = server.Port,
            Username = ManagedServer.SuperuserName,
            Password = server.SuperuserPassword,
            Database = "postgres",
            IncludeErrorDetail = true,
        };
        var cluster = new PostgresCluster(server, admin);
        try
        {
            await cluster.ReadVersionAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            var tail = server.ReadLogTail(40);
            await server.DisposeAsync().ConfigureAwait(false);
            throw new PostgresClusterException(
                $"The PostgreSQL server started but refused the superuser over TCP: {ex.Message}{Environment.NewLine}Server log (last lines):{Environment.NewLine}{tail}", ex);
        }

        return cluster;
    }

    /// <summary>
    /// Stops the server, for outage tests. Fast mode ends sessions cleanly; immediate mode is a
    /// crash-like stop. Idle pooled connections of every pool are cleared.
    /// </summary>
    /// <param name="immediate">True for <c>pg_ctl stop -m immediate</c>, false for <c>-m fast</c>.</param>
    /// <param name="ct">Cancels waiting.</param>
    /// <exception cref="NotSupportedException">The cluster uses an existing server.</exception>
    public Task StopAsync(bool immediate = false, CancellationToken ct = default) =>
        RequireManaged(nameof(StopAsync)).StopAsync(immediate, ct);

    /// <summary>
    /// Starts the server again on the same port and data directory, stopping it first (fast) if
    /// it is running.
    /// </summary>
    /// <param name="ct">Cancels waiting.</param>
    /// <exception cref="NotSupportedException">The cluster uses an existing server.</exception>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        var server = RequireManaged(nameof(RestartAsync));
        await server.StopAsync(immediate: false, ct).ConfigureAwait(false);
        await server.StartAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The last <paramref name="lines"/> lines of the server log, with password literals blanked;
    /// empty for an existing server or when nothing was logged.
    /// </summary>
    /// <param name="lines">How many lines, at least 1.</param>
    /// <returns>The lines, separated by <c>\n</c>.</returns>
    public string ReadLogTail(int lines = 50)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lines);
        return _server?.ReadLogTail(lines) ?? string.Empty;
    }

    /// <summary>
    /// Stops a server this library started (fast mode) and deletes its folder. An existing
    /// server is left alone.
    /// </summary>
    /// <returns>A task that completes when the server is stopped and its files are gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<PostgresCluster> AttachAsync(string connectionString, CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder(connectionString);
        var cluster = new PostgresCluster(null, admin);
        await cluster.ReadVersionAsync(ct).ConfigureAwait(false);

        await using var connection = await cluster.OpenAdminAsync(null, ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", connection);
        if (await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is not true)
        {
            throw new PostgresClusterException(
                $"The connection string in {PostgresClusterOptions.ExistingServerVariable} (or ExistingServerConnectionString) must name a superuser; '{admin.Username}' is not one.");
        }

        return cluster;
    }

    private async Task ReadVersionAsync(CancellationToken ct)
    {
        await using var connection = await OpenAdminAsync(null, ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT current_setting('server_version'), current_setting('server_version_num')::int", connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        Version = reader.GetString(0);
        VersionNumber = reader.GetInt32(1);
    }

    private ManagedServer RequireManaged(string operation) =>
        _server ?? throw new NotSupportedException(
            $"{operation} is not supported: this cluster uses an existing server ({PostgresClusterOptions.ExistingServerVariable} " +
            "or PostgresClusterOptions.ExistingServerConnectionString), which this library neither started nor may stop.");
}
