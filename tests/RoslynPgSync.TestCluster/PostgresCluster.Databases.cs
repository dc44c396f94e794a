using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Sql;

namespace RoslynPgSync.TestCluster;

/// <summary>Fresh roles and databases on the cluster.</summary>
public sealed partial class PostgresCluster
{
    /// <summary>
    /// Creates a fresh LOGIN role (not a superuser, cannot create roles or databases) with a
    /// random password, and a fresh database of the same name owned by it. In that database, as
    /// superuser, it creates dblink in a schema <c>dblink</c> that only the role may use (EXECUTE
    /// revoked from PUBLIC, as the shipped DBA script does) and grants the role
    /// <c>USAGE ON FOREIGN DATA WRAPPER dblink_fdw</c>, so the role can create foreign servers.
    /// </summary>
    /// <param name="prefix">The start of the name; the name is <c>&lt;prefix&gt;_&lt;random&gt;</c>, lower-case, at most 63 bytes.</param>
    /// <param name="ct">Cancels the creation.</param>
    /// <returns>The database; dispose it to drop the database and its role.</returns>
    public async Task<TestDatabase> CreateDatabaseAsync(string prefix, CancellationToken ct = default)
    {
        var owner = await CreateRoleCoreAsync(prefix, ct).ConfigureAwait(false);
        var database = new TestDatabase(this, owner.Name, owner);
        try
        {
            await ExecuteAdminAsync(
                null,
                // template0 accepts no sessions, so parallel creations never find their template busy.
                $"CREATE DATABASE {PgSql.QuoteIdentifier(owner.Name)} OWNER {PgSql.QuoteIdentifier(owner.Name)} TEMPLATE template0 ENCODING 'UTF8'",
                ct).ConfigureAwait(false);
            await ExecuteAdminAsync(
                owner.Name,
                // As the shipped dba-setup-source.sql does: dblink in a schema PUBLIC cannot use, for the owner only.
                "CREATE SCHEMA dblink; REVOKE ALL ON SCHEMA dblink FROM PUBLIC; " +
                $"GRANT USAGE ON SCHEMA dblink TO {PgSql.QuoteIdentifier(owner.Name)}; " +
                "CREATE EXTENSION IF NOT EXISTS dblink SCHEMA dblink; " +
                "REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA dblink FROM PUBLIC; " +
                $"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA dblink TO {PgSql.QuoteIdentifier(owner.Name)}; " +
                $"GRANT USAGE ON FOREIGN DATA WRAPPER dblink_fdw TO {PgSql.QuoteIdentifier(owner.Name)}",
                ct).ConfigureAwait(false);
            return database;
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Creates an extra LOGIN role with a random password: not a superuser, cannot create roles
    /// or databases.
    /// </summary>
    /// <param name="prefix">The start of the name; the name is <c>&lt;prefix&gt;_&lt;random&gt;</c>, lower-case, at most 63 bytes.</param>
    /// <param name="ct">Cancels the creation.</param>
    /// <returns>The role; dispose it to drop it (objects it still owns anywhere are dropped too).</returns>
    public Task<TestRole> CreateRoleAsync(string prefix, CancellationToken ct = default) => CreateRoleCoreAsync(prefix, ct);

    /// <summary>A connection string for <paramref name="user"/> over TCP with a password, to <paramref name="database"/>.</summary>
    internal string ConnectionStringFor(string user, string password, string database)
    {
        var builder = new NpgsqlConnectionStringBuilder(_admin.ConnectionString)
        {
            Username = user,
            Password = password,
            Database = database,
        };
        return builder.ConnectionString;
    }

    /// <summary>A superuser connection string to <paramref name="database"/>.</summary>
    internal string AdminConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(_admin.ConnectionString) { Database = database }.ConnectionString;

    /// <summary>Opens an unpooled superuser connection, so set-up and tear-down leave no idle sessions behind.</summary>
    internal async Task<NpgsqlConnection> OpenAdminAsync(string? database, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(_admin.ConnectionString) { Pooling = false };
        if (database is not null)
        {
            builder.Database = database;
        }

        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs <paramref name="sql"/> (no parameters) as superuser in <paramref name="database"/>.</summary>
    internal async Task ExecuteAdminAsync(string? database, string sql, CancellationToken ct)
    {
        await using var connection = await OpenAdminAsync(database, ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private async Task<TestRole> CreateRoleCoreAsync(string prefix, CancellationToken ct)
    {
        var name = RandomText.Name(prefix);
        var password = RandomText.Password();
        await using var connection = await OpenAdminAsync(null, ct).ConfigureAwait(false);

        // CREATE ROLE takes no bind parameters. The password is alphanumeric and quoted anyway;
        // the statement is kept out of the server log should it fail.
        await using (var quiet = new NpgsqlCommand("SET log_min_error_statement = panic", connection))
        {
            await quiet.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await using var command = new NpgsqlCommand(
            $"CREATE ROLE {PgSql.QuoteIdentifier(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD {PgSql.QuoteLiteral(password)}",
            connection);
        try
        {
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            // Not chained: the exception carries the statement, and so the password.
            throw new PostgresClusterException($"Could not create role '{name}': {ex.SqlState}: {ex.MessageText}");
        }

        return new TestRole(this, name, password);
    }
}
