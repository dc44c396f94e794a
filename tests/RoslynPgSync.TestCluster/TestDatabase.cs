using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Sql;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// A fresh database owned by a fresh non-superuser LOGIN role, with the dblink extension
/// installed and <c>USAGE</c> on <c>dblink_fdw</c> granted to the owner. Made by
/// <see cref="PostgresCluster.CreateDatabaseAsync"/>; dispose it to drop both.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly PostgresCluster _cluster;
    private readonly TestRole _owner;
    private int _disposed;

    internal TestDatabase(PostgresCluster cluster, string name, TestRole owner)
    {
        _cluster = cluster;
        _owner = owner;
        Name = name;
        ConnectionString = owner.ConnectionStringFor(name);
        AdminConnectionString = cluster.AdminConnectionStringFor(name);
    }

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>The owning role's name (not a superuser).</summary>
    public string OwnerRole => _owner.Name;

    /// <summary>The owning role's password.</summary>
    public string OwnerPassword => _owner.Password;

    /// <summary>Connects as <see cref="OwnerRole"/> over TCP with its password, to this database.</summary>
    public string ConnectionString { get; }

    /// <summary>Connects as the cluster's superuser to this database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The server's host, as seen from this machine and from the server itself (for dblink).</summary>
    public string Host => _cluster.Host;

    /// <summary>The server's TCP port.</summary>
    public int Port => _cluster.Port;

    /// <summary>
    /// The seed article's outage: the owner role may no longer log in and every session of it ends
    /// (dblink connections from other databases included); this process's pooled connections to
    /// the database are cleared so that later ones fail or reconnect cleanly.
    /// </summary>
    /// <param name="ct">Cancels the statements.</param>
    public async Task RefuseLoginsAsync(CancellationToken ct = default)
    {
        await _cluster.ExecuteAdminAsync(Name, $"ALTER ROLE {PgSql.QuoteIdentifier(OwnerRole)} NOLOGIN", ct).ConfigureAwait(false);
        await _cluster.ExecuteAdminAsync(
            Name,
            $"SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = {PgSql.QuoteLiteral(OwnerRole)} AND pid <> pg_catalog.pg_backend_pid()",
            ct).ConfigureAwait(false);
        await using var pooled = new NpgsqlConnection(ConnectionString);
        NpgsqlConnection.ClearPool(pooled);
    }

    /// <summary>Ends the outage of <see cref="RefuseLoginsAsync"/>: the owner role may log in again.</summary>
    /// <param name="ct">Cancels the statement.</param>
    public Task AllowLoginsAsync(CancellationToken ct = default) =>
        _cluster.ExecuteAdminAsync(Name, $"ALTER ROLE {PgSql.QuoteIdentifier(OwnerRole)} LOGIN", ct);

    /// <summary>
    /// Clears this database's connection pools, ends its sessions, drops it (<c>WITH (FORCE)</c>
    /// on PostgreSQL 13 and later) and drops its owner role. Does nothing when the server cannot
    /// be reached (a stopped throwaway cluster is deleted anyway).
    /// </summary>
    /// <returns>A task that completes when the database and role are gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        NpgsqlConnection.ClearPool(new NpgsqlConnection(AdminConnectionString));
        try
        {
            await DropDatabaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (ex is not PostgresException)
        {
            // The server is down: nothing to drop from.
            return;
        }

        await _owner.DisposeAsync().ConfigureAwait(false);
    }

    private async Task DropDatabaseAsync(CancellationToken ct)
    {
        await using var connection = await _cluster.OpenAdminAsync(null, ct).ConfigureAwait(false);
        await using (var terminate = new NpgsqlCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", connection))
        {
            terminate.Parameters.Add(new NpgsqlParameter { Value = Name });
            await terminate.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        var force = _cluster.VersionNumber >= 130000 ? " WITH (FORCE)" : string.Empty;
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {PgSql.QuoteIdentifier(Name)}{force}", connection);
        await drop.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
