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

    /// <summary>
    /// The source tables whose capture is off, or was off since their last equal verification (<see cref="CaptureGap"/>);
    /// records a capture found off now. Empty before the first install.
    /// </summary>
    /// <param name="ct">Cancels the query.</param>
    public async Task<IReadOnlyList<CaptureGap>> GetCaptureGapsAsync(CancellationToken ct = default)
    {
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (await Commands.ScalarAsync<object?>(connection, "SELECT pg_catalog.to_regprocedure($1) IS NOT NULL", ct, PgSql.QuoteIdentifier(_options.Schema) + ".capture_check(text[], boolean)").ConfigureAwait(false) is not true)
            {
                return [];
            }

            return await CaptureGap.CheckAsync(connection, _options.Schema, enable: false, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Every recorded initial copy (<c>pgsync.copy_status</c>): its status, rows copied of the estimate, rate and time left.</summary>
    /// <param name="ct">Cancels the query.</param>
    public Task<IReadOnlyList<Copy.CopyProgress>> GetCopiesAsync(CancellationToken ct = default) =>
        new Copy.PgSyncCopier(_local, _options).GetProgressAsync(ct);

    /// <summary>
    /// The conflicts this database recorded as a destination after record <paramref name="afterId"/> (0: all kept),
    /// per table, kind and resolution; empty when it is no destination of a table with a conflict policy.
    /// </summary>
    /// <param name="afterId">Count only records with a greater id.</param>
    /// <param name="ct">Cancels the query.</param>
    public async Task<IReadOnlyList<ConflictCount>> GetConflictCountsAsync(long afterId = 0, CancellationToken ct = default)
    {
        var counts = new List<ConflictCount>();
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (!await HasConflictLogAsync(connection, ct).ConfigureAwait(false))
            {
                return counts;
            }

            var command = new NpgsqlCommand(Queue.PgSyncQueue.ConflictCounts(_options.Schema), connection) { Parameters = { new() { Value = afterId } } };
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        counts.Add(new ConflictCount(
                            reader.GetString(0) + "." + reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5),
                            reader.GetFieldValue<DateTimeOffset>(6)));
                    }
                }
            }
        }

        return counts;
    }

    /// <summary>
    /// The conflicts this database recorded as a destination since its conflict log was made, per table, kind
    /// and resolution (empty when it is no destination of a table with a conflict policy): one query.
    /// Counted as they commit, so a record whose transaction commits after one with a later id is in them.
    /// </summary>
    /// <param name="ct">Cancels the query.</param>
    public async Task<IReadOnlyList<ConflictTotal>> GetConflictTotalsAsync(CancellationToken ct = default)
    {
        var totals = new List<ConflictTotal>();
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = new NpgsqlCommand(Queue.PgSyncQueue.ConflictTotals(_options.Schema), connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        totals.Add(new ConflictTotal(reader.GetString(0) + "." + reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4)));
                    }
                }
            }
        }

        return totals;
    }

    /// <summary>The latest <paramref name="limit"/> conflicts this database recorded as a destination, newest first.</summary>
    /// <param name="limit">How many at most.</param>
    /// <param name="table">Only this target table (<c>schema.table</c>, or its name alone); null: every table.</param>
    /// <param name="ct">Cancels the query.</param>
    public async Task<IReadOnlyList<ConflictRecord>> GetConflictsAsync(int limit = 20, string? table = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var records = new List<ConflictRecord>();
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (!await HasConflictLogAsync(connection, ct).ConfigureAwait(false))
            {
                return records;
            }

            var command = new NpgsqlCommand(Queue.PgSyncQueue.RecentConflicts(_options.Schema), connection)
            {
                Parameters = { new() { Value = limit }, new() { Value = (object?)table ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } },
            };
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        records.Add(new ConflictRecord(
                            reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2) + "." + reader.GetString(3), reader.GetString(4),
                            reader.GetString(5), reader.GetString(6), Text(reader, 7), reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8), Text(reader, 9),
                            reader.GetString(10), reader.GetFieldValue<DateTimeOffset>(11), Text(reader, 12), Text(reader, 13), Text(reader, 14)));
                    }
                }
            }
        }

        return records;
    }

    private async Task<bool> HasConflictLogAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var command = new NpgsqlCommand(Queue.PgSyncQueue.HasConflictLog(_options.Schema), connection);
        await using (command.ConfigureAwait(false))
        {
            return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
