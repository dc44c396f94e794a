using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// Concurrent writers on a <see cref="Models.FaultEventRow"/> table: each owns its keys and writes
/// upserts (most), deletes and three-row transactions, every write with a version that only grows,
/// so the final rows show whether each key's last change won.
/// </summary>
internal static class Writers
{
    /// <summary>What the writers did: committed transactions and the errors they saw.</summary>
    public sealed record Result(long Commits, IReadOnlyList<string> Errors);

    public static async Task<Result> RunAsync(string connectionString, string table, int writers, int items, CancellationToken stop, TimeSpan? pause = null)
    {
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var commits = await Task.WhenAll(Enumerable.Range(1, writers).Select(w => Task.Run(() => WriteAsync(connectionString, table, w, items, pause, errors, stop))));
        return new Result(commits.Sum(), errors.ToList());
    }

    private static async Task<long> WriteAsync(
        string connectionString, string table, int writer, int items, TimeSpan? pause, System.Collections.Concurrent.ConcurrentQueue<string> errors, CancellationToken stop)
    {
        var random = new Random(writer);
        long version = 0;
        long commits = 0;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        var upsert = $"INSERT INTO {table} (writer, item, version, payload) VALUES ($1, $2, $3, $4) " +
                     "ON CONFLICT (writer, item) DO UPDATE SET version = EXCLUDED.version, payload = EXCLUDED.payload";
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var roll = random.Next(100);
                await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
                var statements = roll < 5 ? 3 : 1;
                for (var i = 0; i < statements; i++)
                {
                    var item = random.Next(items);
                    version++;
                    await using var command = roll is >= 5 and < 15
                        ? new NpgsqlCommand($"DELETE FROM {table} WHERE writer = $1 AND item = $2", connection, transaction)
                        {
                            Parameters = { new() { Value = writer }, new() { Value = item } },
                        }
                        : new NpgsqlCommand(upsert, connection, transaction)
                        {
                            Parameters =
                            {
                                new() { Value = writer }, new() { Value = item }, new() { Value = version },
                                new() { Value = $"v{version} 'quoted' \\ back ü €" },
                            },
                        };
                    await command.ExecuteNonQueryAsync(CancellationToken.None);
                }

                await transaction.CommitAsync(CancellationToken.None);
                commits++;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                errors.Enqueue($"writer {writer}: {ex.Message}");
                if (connection.State != System.Data.ConnectionState.Open)
                {
                    await connection.CloseAsync();
                    await connection.OpenAsync(CancellationToken.None);
                }
            }

            if (pause is { } wait)
            {
                await Task.Delay(wait, CancellationToken.None);
            }
        }

        return commits;
    }
}
