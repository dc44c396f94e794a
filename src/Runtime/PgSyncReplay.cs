using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Sql;

namespace RoslynPgSync;

/// <summary>Replay on demand: what the worker does in the background, for tools and scripts.</summary>
public static class PgSyncReplay
{
    /// <summary>
    /// Calls <c>deal_sync_err_rec(limit)</c>: applies up to <paramref name="limit"/> of the oldest queued
    /// entries, destination by destination, and returns how many it applied.
    /// </summary>
    public static async Task<int> ReplayAsync(NpgsqlDataSource local, PgSyncOptions options, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var command = local.CreateCommand(Queue.PgSyncQueue.Replay(options.Schema));
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = limit });
            return (int)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }
    }
}
