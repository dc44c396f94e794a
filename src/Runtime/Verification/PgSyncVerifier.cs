using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RoslynPgSync.Installation;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Verification;

/// <summary>
/// Proves a table and its target equal, or names the keys that differ, without pulling whole tables
/// into the process: both sides compute a row count and an order-independent sum of row hashes
/// (over the model's columns, the source filtered by the destination's <c>Where</c>); when they
/// differ, the key space is split into hash buckets, the differing buckets are split again, and only
/// buckets small enough are read key by key. With a logger, it logs each comparison and its result
/// (<see cref="PgSyncEventIds.VerifyStarted"/> and the other ids of 3000-3999), never a connection string.
/// </summary>
public sealed class PgSyncVerifier
{
    private const int Fanout = 64;
    private readonly PgSyncOptions _options;
    private readonly NpgsqlDataSource _local;
    private readonly ILogger _logger;

    /// <summary>Creates a verifier for the local database and the destinations in <paramref name="options"/>, logging nothing.</summary>
    public PgSyncVerifier(NpgsqlDataSource local, PgSyncOptions options)
        : this(local, options, null)
    {
    }

    /// <summary>Creates a verifier for the local database and the destinations in <paramref name="options"/>.</summary>
    /// <param name="local">The local (source) database.</param>
    /// <param name="options">The destinations, as registered with <see cref="PgSyncOptions.AddServer"/>.</param>
    /// <param name="logger">
    /// Where to log which table and destination are compared and what was found (equal, or how many rows are
    /// missing, extra or changed, or the schema problems); <see langword="null"/> logs nothing.
    /// </param>
    public PgSyncVerifier(NpgsqlDataSource local, PgSyncOptions options, ILogger? logger)
    {
        _local = local ?? throw new ArgumentNullException(nameof(local));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Buckets with at most this many rows (on the larger side) are compared key by key. 5,000 by default.</summary>
    public int LeafRows { get; init; } = 5000;

    /// <summary>At most this many differing keys are listed per kind; counts stay exact up to it. 1,000 by default.</summary>
    public int MaxKeys { get; init; } = 1000;

    /// <summary>Compares every target of every table whose server is registered.</summary>
    public async Task<IReadOnlyList<VerificationResult>> VerifyAsync(IReadOnlyList<ReplicatedTable> tables, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var results = new List<VerificationResult>();
        foreach (var table in tables)
        {
            foreach (var target in table.Targets)
            {
                if (_options.FindServer(target.Server) is null)
                {
                    VerifierLog.Skipped(_logger, table, target.Server);
                    continue;
                }

                results.Add(await VerifyAsync(table, target, ct).ConfigureAwait(false));
            }
        }

        return results;
    }

    /// <summary>Compares one table with one of its targets.</summary>
    public async Task<VerificationResult> VerifyAsync(ReplicatedTable table, ReplicationTarget target, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(target);
        var server = _options.FindServer(target.Server)
            ?? throw new InvalidOperationException($"Server '{target.Server}' of {table} is not registered with PgSyncOptions.AddServer.");

        VerifierLog.Started(_logger, table, target.Server, target.Schema, target.Table);
        var started = Stopwatch.GetTimestamp();
        var result = await CompareAsync(table, target, server, ct).ConfigureAwait(false);
        var milliseconds = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (result.SchemaProblems.Count > 0)
        {
            VerifierLog.SchemaDrift(_logger, result.Table, result.Server, result.Target, result.SchemaProblems.Count, result.SchemaProblems);
        }
        else if (result.IsEqual)
        {
            VerifierLog.Equal(_logger, result.Table, result.Server, result.Target, result.SourceCount, milliseconds);
        }
        else
        {
            VerifierLog.Different(
                _logger, result.Table, result.Server, result.Target, result.SourceCount, result.TargetCount,
                result.Missing.Count, result.Extra.Count, result.Changed.Count, result.KeysRead, milliseconds);
        }

        return result;
    }

    private async Task<VerificationResult> CompareAsync(ReplicatedTable table, ReplicationTarget target, PgSyncServer server, CancellationToken ct)
    {
        var source = await OpenAsync(_local, ct).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var remote = new NpgsqlConnection(server.ConnectionString);
            await using (remote.ConfigureAwait(false))
            {
                await remote.OpenAsync(ct).ConfigureAwait(false);
                await PrepareAsync(remote, ct).ConfigureAwait(false);

                // Schema drift first: rows cannot be compared (or replicated) across different shapes.
                var sourceShape = await TableShape.InspectAsync(source, table, table.SourceSchema, table.SourceTable, $"local database {source.Database}", isTarget: false, ct).ConfigureAwait(false);
                var targetShape = await TableShape.InspectAsync(remote, table, target.Schema, target.Table, $"destination server '{target.Server}'", isTarget: true, ct).ConfigureAwait(false);
                var drift = sourceShape.Problems.Concat(targetShape.Problems).ToList();
                if (drift.Count > 0)
                {
                    return new VerificationResult(table.ToString(), target.Server, $"{target.Schema}.{target.Table}", -1, -1, [], [], [])
                    {
                        SchemaProblems = drift,
                        Unreplicated = sourceShape.Unreplicated,
                    };
                }

                var left = new Side(source, RowSource(table, table.SourceSchema, table.SourceTable, target.Where));
                var right = new Side(remote, RowSource(table, target.Schema, target.Table, null));

                var (leftCount, leftHash) = await left.TotalAsync(ct).ConfigureAwait(false);
                var (rightCount, rightHash) = await right.TotalAsync(ct).ConfigureAwait(false);
                var missing = new List<string>();
                var extra = new List<string>();
                var changed = new List<string>();
                if (leftCount != rightCount || leftHash != rightHash)
                {
                    await DrillAsync(left, right, 1, 0, Math.Max(leftCount, rightCount), missing, extra, changed, ct).ConfigureAwait(false);
                }

                return new VerificationResult(
                    table.ToString(), target.Server, $"{target.Schema}.{target.Table}", leftCount, rightCount, missing, extra, changed)
                {
                    KeysRead = left.KeysRead + right.KeysRead,
                    Unreplicated = sourceShape.Unreplicated,
                };
            }
        }
    }

    private async Task DrillAsync(
        Side left, Side right, decimal modulus, decimal remainder, long rows,
        List<string> missing, List<string> extra, List<string> changed, CancellationToken ct)
    {
        if (rows <= LeafRows || modulus >= 1_000_000_000_000_000m)
        {
            var a = await left.RowsAsync(modulus, remainder, ct).ConfigureAwait(false);
            var b = await right.RowsAsync(modulus, remainder, ct).ConfigureAwait(false);
            foreach (var (key, hash) in a)
            {
                if (!b.TryGetValue(key, out var other))
                {
                    Add(missing, key);
                }
                else if (other != hash)
                {
                    Add(changed, key);
                }
            }

            foreach (var key in b.Keys.Where(k => !a.ContainsKey(k)))
            {
                Add(extra, key);
            }

            return;
        }

        var child = modulus * Fanout;
        var leftBuckets = await left.BucketsAsync(modulus, remainder, child, ct).ConfigureAwait(false);
        var rightBuckets = await right.BucketsAsync(modulus, remainder, child, ct).ConfigureAwait(false);
        foreach (var bucket in leftBuckets.Keys.Union(rightBuckets.Keys).Order())
        {
            leftBuckets.TryGetValue(bucket, out var l);
            rightBuckets.TryGetValue(bucket, out var r);
            if (l != r)
            {
                await DrillAsync(left, right, child, bucket, Math.Max(l.Count, r.Count), missing, extra, changed, ct).ConfigureAwait(false);
            }
        }
    }

    private void Add(List<string> keys, string key)
    {
        if (keys.Count < MaxKeys)
        {
            keys.Add(key);
        }
    }

    /// <summary>
    /// The rows to compare as (key text, key hash, row hash): the key and row written by PostgreSQL's
    /// own row output over the model's columns, so both sides hash identical text for identical values.
    /// </summary>
    private static string RowSource(ReplicatedTable table, string schema, string name, string? where)
    {
        var key = "ROW(" + string.Join(", ", table.KeyColumns.Select(k => "t." + PgSql.QuoteIdentifier(k))) + ")::text";
        var row = "ROW(" + string.Join(", ", table.Columns.Select(c => "t." + PgSql.QuoteIdentifier(c.Name))) + ")::text";
        var filter = where is null ? string.Empty : " WHERE (" + where + ")";
        return $"SELECT {key} AS k, (pg_catalog.hashtextextended({key}, 0) & 9223372036854775807)::numeric AS kh, " +
               $"pg_catalog.hashtextextended({row}, 0)::numeric AS rh FROM {PgSql.QualifiedName(schema, name)} AS t{filter}";
    }

    private static async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
        await PrepareAsync(connection, ct).ConfigureAwait(false);
        return connection;
    }

    /// <summary>Same text for the same values on both sides, whatever the sessions' defaults.</summary>
    private static async Task PrepareAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var command = new NpgsqlCommand(
            "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'",
            connection);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private sealed class Side(NpgsqlConnection connection, string rows)
    {
        /// <summary>Keys brought into the process so far (leaf buckets only).</summary>
        public long KeysRead { get; private set; }

        public async Task<(long Count, decimal Hash)> TotalAsync(CancellationToken ct)
        {
            var command = new NpgsqlCommand($"SELECT count(*), COALESCE(sum(r.rh), 0) FROM ({rows}) AS r", connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(ct).ConfigureAwait(false);
                    return (reader.GetInt64(0), reader.GetDecimal(1));
                }
            }
        }

        public async Task<Dictionary<decimal, (long Count, decimal Hash)>> BucketsAsync(decimal modulus, decimal remainder, decimal child, CancellationToken ct)
        {
            var sql = $"SELECT mod(r.kh, {Number(child)}), count(*), sum(r.rh) FROM ({rows}) AS r WHERE mod(r.kh, {Number(modulus)}) = {Number(remainder)} GROUP BY 1";
            var buckets = new Dictionary<decimal, (long, decimal)>();
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        buckets[reader.GetDecimal(0)] = (reader.GetInt64(1), reader.GetDecimal(2));
                    }
                }
            }

            return buckets;
        }

        public async Task<Dictionary<string, decimal>> RowsAsync(decimal modulus, decimal remainder, CancellationToken ct)
        {
            var sql = $"SELECT r.k, r.rh FROM ({rows}) AS r WHERE mod(r.kh, {Number(modulus)}) = {Number(remainder)}";
            var keys = new Dictionary<string, decimal>(StringComparer.Ordinal);
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        keys[reader.GetString(0)] = reader.GetDecimal(1);
                        KeysRead++;
                    }
                }
            }

            return keys;
        }

        private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
