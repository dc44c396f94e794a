using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Sql;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// A LOGIN role with a random password, made by <see cref="PostgresCluster.CreateRoleAsync"/>
/// (or as the owner of a <see cref="TestDatabase"/>). Not a superuser.
/// </summary>
public sealed class TestRole : IAsyncDisposable
{
    private readonly PostgresCluster _cluster;
    private int _disposed;

    internal TestRole(PostgresCluster cluster, string name, string password)
    {
        _cluster = cluster;
        Name = name;
        Password = password;
    }

    /// <summary>The role's name (lower-case, no quoting needed, but quote it in SQL anyway).</summary>
    public string Name { get; }

    /// <summary>The role's password.</summary>
    public string Password { get; }

    /// <summary>A connection string for this role over TCP with its password, to <paramref name="database"/>.</summary>
    /// <param name="database">The database to connect to.</param>
    /// <returns>An Npgsql connection string; pooling as in the cluster's admin connection string.</returns>
    public string ConnectionStringFor(string database) => _cluster.ConnectionStringFor(Name, Password, database);

    /// <summary>
    /// Ends the role's sessions and drops it. Objects it still owns in any database, and
    /// privileges granted to it, are dropped first when they block the drop. Does nothing when the
    /// server cannot be reached (a stopped throwaway cluster is deleted anyway).
    /// </summary>
    /// <returns>A task that completes when the role is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await DropAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (ex is not PostgresException)
        {
            // The server is down: nothing to drop from.
        }
    }

    private async Task DropAsync(CancellationToken ct)
    {
        await using var connection = await _cluster.OpenAdminAsync(null, ct).ConfigureAwait(false);
        await using (var terminate = new NpgsqlCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()", connection))
        {
            terminate.Parameters.Add(new NpgsqlParameter { Value = Name });
            await terminate.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        var drop = $"DROP ROLE IF EXISTS {PgSql.QuoteIdentifier(Name)}";
        try
        {
            await using var command = new NpgsqlCommand(drop, connection);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DependentObjectsStillExist)
        {
            await DropOwnedEverywhereAsync(connection, ct).ConfigureAwait(false);
            await using var retry = new NpgsqlCommand(drop, connection);
            await retry.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <c>DROP OWNED BY</c> in each database where the role still owns objects or holds
    /// privileges (from <c>pg_shdepend</c>). Only those databases are visited: connecting to
    /// every one would race with other sessions dropping their databases, and a session in
    /// <c>template1</c> makes concurrent <c>CREATE DATABASE</c> calls fail.
    /// </summary>
    private async Task DropOwnedEverywhereAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var databases = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid " +
            "WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1)",
            connection))
        {
            list.Parameters.Add(new NpgsqlParameter { Value = Name });
            await using var reader = await list.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                databases.Add(reader.GetString(0));
            }
        }

        foreach (var database in databases)
        {
            try
            {
                await _cluster.ExecuteAdminAsync(database, $"DROP OWNED BY {PgSql.QuoteIdentifier(Name)}", ct).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.AdminShutdown)
            {
                // The database was dropped meanwhile, and the role's objects with it.
            }
        }
    }
}
