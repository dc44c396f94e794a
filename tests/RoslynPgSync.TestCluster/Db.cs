using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace RoslynPgSync.TestCluster;

/// <summary>Small helpers so tests read as SQL, not as ADO.NET plumbing.</summary>
public static class Db
{
    /// <summary>Runs a statement on a new connection; parameters are <c>$1</c>, <c>$2</c>, ...</summary>
    public static async Task<int> ExecuteAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = CreateCommand(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Runs <paramref name="sql"/> on <paramref name="table"/> with its user triggers (RoslynPgSync's capture)
    /// disabled: rows as a load before the install, a restore or a hand edit leaves them, captured by nothing.
    /// </summary>
    public static Task ExecuteUncapturedAsync(string connectionString, string table, string sql) =>
        ExecuteAsync(connectionString, $"ALTER TABLE {table} DISABLE TRIGGER USER; {sql}; ALTER TABLE {table} ENABLE TRIGGER USER");

    /// <summary>Runs a statement (or several, without parameters) on an open connection, in whatever transaction it is in.</summary>
    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query on a new connection and returns the first column of the first row.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = CreateCommand(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? default! : (T)value!;
    }

    /// <summary>Waits until a session of <paramref name="role"/> runs a query matching <paramref name="like"/> on the server of <paramref name="adminConnectionString"/>, and returns its pid.</summary>
    public static async Task<int> WaitForActiveQueryAsync(string adminConnectionString, string role, string like, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var pid = await Db.ScalarAsync<int?>(
                adminConnectionString,
                "SELECT pid FROM pg_stat_activity WHERE usename = $1 AND state = 'active' AND query LIKE $2 AND pid <> pg_backend_pid() LIMIT 1",
                role,
                like);
            if (pid is int found)
            {
                return found;
            }

            await Task.Delay(5, ct);
        }

        throw new TimeoutException($"No session of {role} ran a query like '{like}' within {timeout}.");
    }

    private static NpgsqlCommand CreateCommand(NpgsqlConnection connection, string sql, object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return command;
    }
}
