using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Npgsql;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Hosting;

/// <summary>Reads per-destination status from the local database: depth, oldest age, last error, last success.</summary>
public sealed class PgSyncMonitor
{
    private readonly NpgsqlDataSource _local;
    private readonly PgSyncOptions _options;

    /// <summary>Creates the monitor; registered by <c>AddPgSync</c>.</summary>
    public PgSyncMonitor(NpgsqlDataSource local, IOptions<PgSyncOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _local = local ?? throw new ArgumentNullException(nameof(local));
        _options = options.Value;
    }

    /// <summary>
    /// One entry per registered destination's default channel, and per stream (destination and channel)
    /// that has entries or state, ordered by server and channel.
    /// </summary>
    /// <param name="ct">Cancels the query.</param>
    public async Task<IReadOnlyList<DestinationStatus>> GetStatusAsync(CancellationToken ct = default)
    {
        var sql = Queue.PgSyncQueue.Status(_options.Schema);
        var found = new Dictionary<(string Server, string Channel), DestinationStatus>();
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        var server = reader.GetString(0);
                        var channel = reader.GetString(8);
                        found[(server, channel)] = new DestinationStatus(
                            server,
                            reader.GetInt64(1),
                            TimeSpan.FromSeconds(reader.GetDouble(2)),
                            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                            reader.IsDBNull(4) ? null : reader.GetString(4),
                            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                            reader.IsDBNull(6) ? null : reader.GetInt64(6),
                            reader.IsDBNull(7) ? null : reader.GetString(7),
                            channel);
                    }
                }
            }
        }

        foreach (var server in _options.Servers)
        {
            found.TryAdd((server.Name, string.Empty), new DestinationStatus(server.Name, 0, TimeSpan.Zero, null, null, null, null));
        }

        return found.Values.OrderBy(s => s.Server, StringComparer.Ordinal).ThenBy(s => s.Channel, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every recorded initial copy (<c>pgsync.copy_status</c>): its status, rows copied of the estimate, rate and time left.</summary>
    /// <param name="ct">Cancels the query.</param>
    public Task<IReadOnlyList<Copy.CopyProgress>> GetCopiesAsync(CancellationToken ct = default) =>
        new Copy.PgSyncCopier(_local, _options).GetProgressAsync(ct);
}
