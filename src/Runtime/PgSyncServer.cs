using System;
using System.Globalization;
using Npgsql;

namespace RoslynPgSync;

/// <summary>
/// A destination database registered with <see cref="PgSyncOptions.AddServer(string, string)"/>.
/// Its password is kept for the user mapping only: <see cref="ToString"/> and every message leave it out.
/// </summary>
public sealed class PgSyncServer
{
    internal PgSyncServer(string name, NpgsqlConnectionStringBuilder connection)
    {
        Name = name;
        Host = connection.Host!;
        Port = connection.Port;
        Database = connection.Database!;
        Username = connection.Username!;
        HasPassword = !string.IsNullOrEmpty(connection.Password);
        ConnectionString = connection.ConnectionString;
    }

    /// <summary>The server's name: the name <c>[Replicate]</c> uses and the foreign server's name.</summary>
    public string Name { get; }

    /// <summary>The destination's host.</summary>
    public string Host { get; }

    /// <summary>The destination's TCP port.</summary>
    public int Port { get; }

    /// <summary>The destination database.</summary>
    public string Database { get; }

    /// <summary>The role the destination is reached as.</summary>
    public string Username { get; }

    /// <summary>Whether a password was given (PostgreSQL requires one for dblink from a non-superuser).</summary>
    public bool HasPassword { get; }

    /// <summary>The full connection string, password included: for the user mapping, never for messages.</summary>
    internal string ConnectionString { get; }

    /// <summary>The server without its password, e.g. <c>dst (Host=db2;Port=5432;Database=remote;Username=app)</c>.</summary>
    public override string ToString() => string.Format(
        CultureInfo.InvariantCulture,
        "{0} (Host={1};Port={2};Database={3};Username={4})",
        Name,
        Host,
        Port,
        Database,
        Username);

    /// <summary>Parses and checks a connection string, with errors that name the server but never echo the string.</summary>
    internal static PgSyncServer Parse(string name, string connectionString, string parameterName)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
#pragma warning disable CA1031 // Any parse failure becomes one message; the original may quote the password.
        catch (Exception)
#pragma warning restore CA1031
        {
            throw new ArgumentException(
                $"The connection string of server '{name}' is not a valid Npgsql connection string. " +
                "Write it as Host=...;Port=...;Database=...;Username=...;Password=... and quote values that " +
                "contain ';' or '=' with double quotes. (The string is not shown because it may hold a password.)",
                parameterName);
        }

        foreach (var (key, value) in new[] { ("Host", builder.Host), ("Database", builder.Database), ("Username", builder.Username) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException(
                    $"The connection string of server '{name}' has no {key}; dblink needs Host, Database and Username " +
                    "(and a Password unless the destination trusts the connection).",
                    parameterName);
            }
        }

        return new PgSyncServer(name, builder);
    }
}
