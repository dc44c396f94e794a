using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace RoslynPgSync.Sql;

/// <summary>
/// One statement with positional parameters (<c>$1</c>, <c>$2</c>, ...) on an open connection, in its
/// current transaction: the shape every runtime component's short queries have (the copier, the
/// verifier, the installer's probes). <see langword="null"/> values go as SQL NULL.
/// </summary>
internal static class Commands
{
    public static NpgsqlCommand Create(NpgsqlConnection connection, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] values)
    {
        var command = Create(connection, sql, values);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Pins a session of ours (the installer's and the verifier's, on the source and on destinations)
    /// to names in pg_catalog. Their statements, and the views, defaults and triggers the installer
    /// creates (bound to the operators they resolve to then, for good), compare values such as an oid
    /// with a regclass or two varchars, for which pg_catalog has no exact operator: an exact one in a
    /// schema a hostile role may CREATE in (public, in a database that came from PostgreSQL 14 or
    /// older) would win over it and run as our role. Every name of ours is qualified; a model's type
    /// outside pg_catalog is named with its schema (<c>Column(TypeName = "public.citext")</c>). The
    /// functions we install pin the same in their SET clauses, and the dblink sessions at connect.
    /// </summary>
    public static Task PinSearchPathAsync(NpgsqlConnection connection, CancellationToken ct) =>
        ExecuteAsync(connection, "SET search_path = pg_catalog, pg_temp", ct);

    /// <summary>The first column of the first row; <c>default</c> for no row or NULL.</summary>
    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] values)
    {
        var command = Create(connection, sql, values);
        await using (command.ConfigureAwait(false))
        {
            var value = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
            return value is null or DBNull ? default! : (T)value;
        }
    }

    /// <summary>The first column of every row (NULLs skipped).</summary>
    public static async Task<IReadOnlyList<T>> ListAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] values)
    {
        var command = Create(connection, sql, values);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var list = new List<T>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    if (!reader.IsDBNull(0))
                    {
                        list.Add(reader.GetFieldValue<T>(0));
                    }
                }

                return list;
            }
        }
    }
}
