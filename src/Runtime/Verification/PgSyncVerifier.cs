using System;
using System.Collections.Generic;
using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RoslynPgSync.Installation;
using RoslynPgSync.Queue;
using RoslynPgSync.Sql;
using static RoslynPgSync.Sql.Commands;

namespace RoslynPgSync.Verification;

/// <summary>
/// Proves a table and its target equal, or names the keys that differ, without pulling whole tables
/// into the process: both sides compute a row count and an order-independent sum of row hashes
/// (over the model's columns, the source filtered by the destination's <c>Where</c>); when they
/// differ, the key space is split into hash buckets, the differing buckets are split again, and only
/// buckets small enough are read key by key. With a logger, it logs each comparison and its result
/// (<see cref="PgSyncEventIds.VerifyStarted"/> and the other ids of 3000-3999), never a connection string.
/// </summary>
/// <remarks>
/// <para>
/// The sides are compared at a consistent point, so that changes in flight are not differences: the
/// source is read in one snapshot (REPEATABLE READ); the newest queue entry for the destination that
/// snapshot sees is the mark; once the destination's queue has passed the mark (the verifier applies
/// it, on the same ordered path as the replay worker), the destination is read in one snapshot too.
/// Everything committed before the source snapshot has then reached the destination; what differs can
/// only be a real difference or a change committed while the verifier waited. Each differing key is
/// therefore read again, on both sides, at a new consistent point (<see cref="Rechecks"/> times at
/// most), and only keys that differ every time are reported.
/// </para>
/// <para>
/// <see cref="RepairAsync"/> makes the differing keys equal through the queue: their current source
/// rows (or their deletion), read under a SHARE lock on the source table, queued as one entry behind
/// every change committed before it and ahead of every change after it, so that it never overwrites a
/// newer change. It needs the rights of the installing role (the table's restore function, the queue).
/// </para>
/// </remarks>
public sealed class PgSyncVerifier
{
    private const int Fanout = 64;
    private const int RepairBatch = 500;
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

    /// <summary>
    /// How many times, at most, the differing keys are read again at a new consistent point before they
    /// are reported (a key that agrees once was a change in flight). 3 by default; 0 reports the first
    /// comparison's differences.
    /// </summary>
    public int Rechecks { get; init; } = 3;

    /// <summary>
    /// How long the verifier waits for the destination's queue to reach its mark without an entry being
    /// applied (the destination down, an entry refused) before it compares anyway and reports
    /// <see cref="VerificationResult.Settled"/> false. 30 seconds by default.
    /// </summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Compares every target of every table whose server is registered.</summary>
    public Task<IReadOnlyList<VerificationResult>> VerifyAsync(IReadOnlyList<ReplicatedTable> tables, CancellationToken ct = default)
    {
        return PerTableAsync(tables, VerifyAsync, ct);
    }

    /// <summary>
    /// <paramref name="each"/> for every target of every table whose server is registered, table by table; a
    /// table whose every target came out equal has its capture gap closed (<see cref="CloseCaptureGapAsync"/>).
    /// </summary>
    private async Task<IReadOnlyList<VerificationResult>> PerTableAsync(
        IReadOnlyList<ReplicatedTable> tables, Func<ReplicatedTable, ReplicationTarget, CancellationToken, Task<VerificationResult>> each, CancellationToken ct)
    {
        var results = new List<VerificationResult>();
        foreach (var chosen in Registered(tables).GroupBy(c => c.Table))
        {
            var since = await LocalClockAsync(ct).ConfigureAwait(false);
            var these = new List<VerificationResult>();
            foreach (var (table, target) in chosen)
            {
                these.Add(await each(table, target, ct).ConfigureAwait(false));
            }

            await CloseCaptureGapAsync(chosen.Key, these, since, ct).ConfigureAwait(false);
            results.AddRange(these);
        }

        return results;
    }

    private async Task<DateTime> LocalClockAsync(CancellationToken ct)
    {
        var connection = await OpenAsync(_local, ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ScalarAsync<DateTime>(connection, "SELECT pg_catalog.clock_timestamp()", ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Every target of <paramref name="table"/> verified equal at a consistent point, the verification begun at
    /// <paramref name="since"/>: a capture gap found before (<see cref="Hosting.CaptureGap"/>) is closed, the
    /// changes written while the capture was off being on every destination (or repaired).
    /// </summary>
    private async Task CloseCaptureGapAsync(ReplicatedTable table, List<VerificationResult> results, DateTime since, CancellationToken ct)
    {
        if (results.Count != table.Targets.Count || !results.TrueForAll(r => r.IsEqual && r.Settled))
        {
            return;
        }

        var connection = await OpenAsync(_local, ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var function = PgSql.QuoteIdentifier(_options.Schema) + ".capture_verified";
            // (The verifier also compares tables of a database where replication is not installed.)
            if (await ScalarAsync<bool>(connection, "SELECT pg_catalog.to_regprocedure($1) IS NOT NULL", ct, function + "(text, text, timestamp with time zone)").ConfigureAwait(false) is false)
            {
                return;
            }

            await ExecuteAsync(
                connection,
                $"SELECT {function}($1, $2, $3)",
                ct,
                table.SourceSchema,
                table.SourceTable,
                since).ConfigureAwait(false);
        }
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

    /// <summary>
    /// What <see cref="RepairAsync"/> would do, changing nothing (<c>pgsync verify --repair</c> without
    /// <c>--apply</c>): each target's verification and, when it differs, the statements the repair would
    /// queue for its destination, as the destination would run them.
    /// </summary>
    /// <param name="tables">The generated tables; targets on unregistered servers are left out.</param>
    /// <param name="ct">Cancels it.</param>
    /// <returns>One plan per target compared.</returns>
    public async Task<IReadOnlyList<RepairPlan>> PlanRepairAsync(IReadOnlyList<ReplicatedTable> tables, CancellationToken ct = default)
    {
        var plans = new List<RepairPlan>();
        foreach (var (table, target) in Registered(tables))
        {
            var result = await VerifyAsync(table, target, ct).ConfigureAwait(false);
            var statements = new List<string>();
            if (Repairable(table, result))
            {
                var connection = await OpenAsync(_local, ct).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    // Read-only: the restore of a table whose conflicts are detected records the lowest stamp
                    // it sends for rows no write has stamped yet, except in a read-only transaction (what it
                    // sends is the same), so the plan writes and locks nothing.
                    var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        await ExecuteAsync(connection, "SET TRANSACTION READ ONLY", ct).ConfigureAwait(false);
                        foreach (var (keys, _) in Batches(result))
                        {
                            if (await RestoreSqlAsync(connection, table, target.Server, keys, ct).ConfigureAwait(false) is { } sql)
                            {
                                statements.Add(sql);
                            }
                        }

                        await transaction.RollbackAsync(ct).ConfigureAwait(false);
                    }
                }
            }

            plans.Add(new RepairPlan(result, statements));
        }

        return plans;
    }

    /// <summary>
    /// Verifies every target of <paramref name="tables"/> on a registered server and makes each one that
    /// differs equal to the source for the differing keys: their current source rows are upserted, keys
    /// the source lacks are deleted, through the destination's queue and in its order (a change committed
    /// after the repair is applied after it, so the repair never overwrites a newer change). A target that
    /// detects conflicts (any <see cref="ConflictPolicy"/> but ApplyRemote) gets each row with the stamp the
    /// source holds for it and the keys the source lacks only as the source's tombstones: a key whose
    /// destination row is newer there, or that the source never had, stays as it is (and the verification
    /// after the repair still names it; docs/multi-master.md). Targets with schema drift, or whose queue
    /// did not reach the verification's point (<see cref="VerificationResult.Settled"/>), are not repaired;
    /// their verification says why.
    /// </summary>
    /// <param name="tables">The generated tables.</param>
    /// <param name="ct">Cancels it; a repair entry already queued stays queued and is applied by the worker.</param>
    /// <returns>The verification of each target after its repair.</returns>
    public Task<IReadOnlyList<VerificationResult>> RepairAsync(IReadOnlyList<ReplicatedTable> tables, CancellationToken ct = default)
    {
        return PerTableAsync(tables, RepairTargetAsync, ct);
    }

    private async Task<VerificationResult> RepairTargetAsync(ReplicatedTable table, ReplicationTarget target, CancellationToken ct)
    {
        var result = await VerifyAsync(table, target, ct).ConfigureAwait(false);
        // A difference the repair itself meets again (a truncated list, keys written meanwhile): a few rounds.
        for (var round = 0; round < 3 && !result.IsEqual; round++)
        {
            if (!Repairable(table, result))
            {
                VerifierLog.RepairRefused(_logger, result.Table, result.Server, result.Target, Refusal(result));
                break;
            }

            if (!await RepairKeysAsync(table, target.Server, result, ct).ConfigureAwait(false))
            {
                break;
            }

            result = await VerifyAsync(table, target, ct).ConfigureAwait(false);
        }

        return result;
    }

    private List<(ReplicatedTable Table, ReplicationTarget Target)> Registered(IReadOnlyList<ReplicatedTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var chosen = new List<(ReplicatedTable, ReplicationTarget)>();
        foreach (var table in tables)
        {
            foreach (var target in table.Targets)
            {
                if (_options.FindServer(target.Server) is null)
                {
                    VerifierLog.Skipped(_logger, table, target.Server);
                    continue;
                }

                chosen.Add((table, target));
            }
        }

        return chosen;
    }

    private static string Refusal(VerificationResult result) =>
        result.SchemaProblems.Count > 0 ? "schema drift"
        : result.PendingEntries < 0 ? "this role may not read the queue"
        : $"{result.PendingEntries} entries queued before the verification are not applied yet";

    private static bool Repairable(ReplicatedTable table, VerificationResult result) =>
        !result.IsEqual && result.SchemaProblems.Count == 0 && result.Settled && result.KeysJson.Count > 0 && table.KeyColumns.Count > 0;

    /// <summary>The result's keys as JSON arrays of at most <see cref="RepairBatch"/>, each with its count.</summary>
    private static IEnumerable<(string Keys, int Count)> Batches(VerificationResult result) =>
        result.KeysJson.Values.Chunk(RepairBatch).Select(keys => ("[" + string.Join(",", keys) + "]", keys.Length));

    /// <summary>Queues the refresh of the result's keys, a batch per transaction, and applies it; false when the destination did not take it.</summary>
    private async Task<bool> RepairKeysAsync(ReplicatedTable table, string server, VerificationResult result, CancellationToken ct)
    {
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var source = PgSql.QualifiedName(table.SourceSchema, table.SourceTable);
            long? last = null;
            foreach (var (keys, count) in Batches(result))
            {
                var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    await ExecuteAsync(connection, "SET LOCAL search_path = pg_catalog, pg_temp", ct).ConfigureAwait(false);
                    // Writers of the table wait until this commits, and every one that committed before has
                    // queued its entries already: the rows read are the last committed ones, and the entry
                    // takes its place between the changes before and after it (also for keys the source lacks,
                    // which no row lock could cover).
                    await ExecuteAsync(connection, $"LOCK TABLE {source} IN SHARE MODE", ct).ConfigureAwait(false);
                    var sql = await RestoreSqlAsync(connection, table, server, keys, ct).ConfigureAwait(false);
                    if (sql is not null)
                    {
                        await ExecuteAsync(connection, PgSyncQueue.MarkRefreshed(_options.Schema), ct, table.SourceSchema, table.SourceTable).ConfigureAwait(false);
                        last = await ScalarAsync<long>(connection, PgSyncQueue.Refresh(_options.Schema), ct, table.SourceSchema, table.SourceTable, server, (long)count, sql, Copy.PgSyncCopier.ChannelOf(table, server)).ConfigureAwait(false);
                        VerifierLog.RepairQueued(_logger, result.Table, server, result.Target, count, last.Value);
                    }

                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                }
            }

            if (last is not { } entry)
            {
                return false;
            }

            var applied = await QueueDrain.UntilAsync(
                connection,
                _options.Schema,
                server,
                apply: true,
                QueueDrain.Left(connection, _options.Schema, entry),
                SettleTimeout,
                (error, delay) => VerifierLog.Waiting(_logger, result.Table, server, entry, error, delay),
                ct).ConfigureAwait(false);
            return applied;
        }
    }

    /// <summary>The remote statement that makes the keys (JSON array) of the server's targets equal to the source's rows (the table's restore function).</summary>
    private async Task<string?> RestoreSqlAsync(NpgsqlConnection connection, ReplicatedTable table, string server, string keys, CancellationToken ct) =>
        await ScalarAsync<string?>(
            connection,
            $"SELECT {PgSql.QualifiedName(_options.Schema, SqlNames.RestoreFunction(table.SourceSchema, table.SourceTable))}($1, $2)",
            ct,
            server,
            keys).ConfigureAwait(false);

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
                var name = $"{target.Schema}.{target.Table}";
                if (drift.Count > 0)
                {
                    return new VerificationResult(table.ToString(), target.Server, name, -1, -1, [], [], [])
                    {
                        SchemaProblems = drift,
                        Unreplicated = sourceShape.Unreplicated,
                    };
                }

                var point = new ConsistentPoint(this, source, remote, target.Server);
                await point.PrepareAsync(ct).ConfigureAwait(false);
                var left = new Side(source, table, table.SourceSchema, table.SourceTable, target.Where);
                var right = new Side(remote, table, target.Schema, target.Table, null);
                Differences found;
                long leftCount;
                long rightCount;
                bool totalsDiffer;
                var rechecks = 0;
                var passes = 0;
                do
                {
                    passes++;
                    rechecks = 0;
                    found = new Differences(MaxKeys);
                    await point.BeginAsync(ct).ConfigureAwait(false);
                    try
                    {
                        (leftCount, var leftHash) = await left.TotalAsync(ct).ConfigureAwait(false);
                        (rightCount, var rightHash) = await right.TotalAsync(ct).ConfigureAwait(false);
                        totalsDiffer = leftCount != rightCount || leftHash != rightHash;
                        if (totalsDiffer)
                        {
                            // Hashed once per side into an indexed temporary table: each bucket below reads its
                            // key-hash range from the index, instead of every bucket re-reading the table.
                            await left.MaterializeAsync(ct).ConfigureAwait(false);
                            await right.MaterializeAsync(ct).ConfigureAwait(false);
                            await DrillAsync(left, right, 0, long.MaxValue, Math.Max(leftCount, rightCount), found, ct).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        // (The temporary tables end with the snapshots.)
                        left.EndSnapshot();
                        right.EndSnapshot();
                        await point.EndAsync().ConfigureAwait(false);
                    }

                    while (found.Count > 0 && rechecks < Rechecks)
                    {
                        rechecks++;
                        var keys = found.KeysJson();
                        await point.BeginAsync(ct).ConfigureAwait(false);
                        try
                        {
                            var a = await left.KeyedRowsAsync(keys, ct).ConfigureAwait(false);
                            var b = await right.KeyedRowsAsync(keys, ct).ConfigureAwait(false);
                            found = found.Recheck(a, b);
                        }
                        finally
                        {
                            await point.EndAsync().ConfigureAwait(false);
                        }
                    }
                }
                // More keys differed at the point than it lists, and every listed one was a change in flight:
                // that says nothing of the keys it did not list (under heavy writes the destination runs ahead
                // of the source's snapshot by more than MaxKeys changes while the verifier waits for its mark).
                // So compare again at a new point, as often as it may recheck.
                while (found.Count == 0 && found.Truncated && passes <= Rechecks);

                return new VerificationResult(table.ToString(), target.Server, name, leftCount, rightCount, found.Missing, found.Extra, found.Changed)
                {
                    KeysRead = left.KeysRead + right.KeysRead,
                    Unreplicated = sourceShape.Unreplicated,
                    Settled = point.Settled,
                    PendingEntries = point.Pending,
                    RecheckRounds = rechecks,
                    Truncated = found.Truncated,
                    Unexplained = totalsDiffer && rechecks == 0 && found.Count == 0,
                    KeysJson = found.Json,
                };
            }
        }
    }

    /// <summary>
    /// Compares the rows whose key hash lies in [<paramref name="low"/>, <paramref name="high"/>]: read key by key
    /// when few, else split into <see cref="Fanout"/> equal ranges of which only those that differ are compared again.
    /// </summary>
    private async Task DrillAsync(Side left, Side right, long low, long high, long rows, Differences found, CancellationToken ct)
    {
        if (rows <= LeafRows || high - low < Fanout)
        {
            var a = await left.RowsAsync(low, high, ct).ConfigureAwait(false);
            var b = await right.RowsAsync(low, high, ct).ConfigureAwait(false);
            found.Compare(a, b, a.Keys.Concat(b.Keys.Where(k => !a.ContainsKey(k))));
            return;
        }

        var width = ((high - low) / Fanout) + 1;
        var leftBuckets = await left.BucketsAsync(low, high, width, ct).ConfigureAwait(false);
        var rightBuckets = await right.BucketsAsync(low, high, width, ct).ConfigureAwait(false);
        foreach (var bucket in leftBuckets.Keys.Union(rightBuckets.Keys).Order())
        {
            leftBuckets.TryGetValue(bucket, out var l);
            rightBuckets.TryGetValue(bucket, out var r);
            if (l != r)
            {
                var from = low + (bucket * width);
                await DrillAsync(left, right, from, Math.Min(high, from + width - 1), Math.Max(l.Count, r.Count), found, ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
        await PrepareAsync(connection, ct).ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// Same text for the same values on both sides, whatever the sessions' defaults; and names found in
    /// pg_catalog only (<see cref="Commands.PinSearchPathAsync"/>: the comparisons on the model's columns
    /// would otherwise run an operator a hostile role put in public, as this role); and no row-level
    /// security, so that a table a policy would filter fails the comparison instead of comparing a part.
    /// </summary>
    private static Task PrepareAsync(NpgsqlConnection connection, CancellationToken ct) =>
        ExecuteAsync(
            connection,
            "SET search_path = pg_catalog, pg_temp; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'; SET lc_monetary = 'C'; SET row_security = off",
            ct);

    /// <summary>
    /// Both sides' snapshots for one comparison: the source's first, its mark (the newest queue entry for
    /// the destination it sees), the destination's queue applied up to the mark, then the destination's.
    /// </summary>
    private sealed class ConsistentPoint(PgSyncVerifier verifier, NpgsqlConnection source, NpgsqlConnection remote, string server)
    {
        private bool _queued;
        private bool _apply;
        private NpgsqlTransaction? _sourceSnapshot;
        private NpgsqlTransaction? _remoteSnapshot;

        /// <summary>Every comparison's destination snapshot came after its mark was applied.</summary>
        public bool Settled { get; private set; } = true;

        /// <summary>Entries up to the mark still queued when the verifier stopped waiting (0 when settled).</summary>
        public long Pending { get; private set; }

        /// <summary>
        /// Whether the runtime is installed here (a bare pair of tables has no queue to wait for), and what
        /// the verifier's role may do with it: read it for the mark, apply it (else the worker must).
        /// </summary>
        public async Task PrepareAsync(CancellationToken ct)
        {
            var schema = verifier._options.Schema;
            // From the catalogs, which every role may read (to_regclass would fail without USAGE on the schema).
            var command = Create(
                source,
                "SELECT true, pg_catalog.has_schema_privilege(n.oid, 'USAGE') AND pg_catalog.has_table_privilege(c.oid, 'SELECT'), " +
                "pg_catalog.has_schema_privilege(n.oid, 'USAGE') AND EXISTS (SELECT 1 FROM pg_catalog.pg_proc AS p WHERE p.pronamespace = n.oid AND p.proname = $3 AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')) " +
                "FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
                schema,
                SqlNames.Queue,
                SqlNames.ApplyPending);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        return; // not installed
                    }

                    _queued = reader.GetBoolean(1);
                    _apply = reader.GetBoolean(2);
                    if (!_queued)
                    {
                        // Installed, but this role may not read the queue: no mark, so no consistent point.
                        (Settled, Pending) = (false, -1);
                    }
                }
            }
        }

        public async Task BeginAsync(CancellationToken ct)
        {
            var schema = verifier._options.Schema;
            _sourceSnapshot = await source.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
            // The first statement fixes the snapshot: the mark is what this snapshot sees queued.
            var mark = _queued ? await ScalarAsync<long?>(source, PgSyncQueue.Mark(schema), ct, server).ConfigureAwait(false) : null;
            // Once the queue did not reach a mark, later rechecks do not wait for it again.
            if (mark is { } upTo && Settled)
            {
                var drain = await OpenAsync(verifier._local, ct).ConfigureAwait(false);
                await using (drain.ConfigureAwait(false))
                {
                    var reached = await QueueDrain.UntilAsync(
                        drain,
                        schema,
                        server,
                        _apply,
                        async c => await ScalarAsync<long>(drain, PgSyncQueue.QueuedUpTo(schema), c, server, upTo).ConfigureAwait(false) == 0,
                        verifier.SettleTimeout,
                        (error, delay) => VerifierLog.Settling(verifier._logger, server, upTo, error, delay),
                        ct).ConfigureAwait(false);
                    if (!reached)
                    {
                        Settled = false;
                        Pending = await ScalarAsync<long>(drain, PgSyncQueue.QueuedUpTo(schema), ct, server, upTo).ConfigureAwait(false);
                    }
                }
            }

            _remoteSnapshot = await remote.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        }

        /// <summary>Ends both snapshots (they only read).</summary>
        public async Task EndAsync()
        {
            foreach (var transaction in new[] { _remoteSnapshot, _sourceSnapshot })
            {
                if (transaction is not null)
                {
                    await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                    await transaction.DisposeAsync().ConfigureAwait(false);
                }
            }

            (_sourceSnapshot, _remoteSnapshot) = (null, null);
        }
    }

    /// <summary>One row as compared: its row hash and its key as JSON (what the restore function reads).</summary>
    private readonly record struct Row(decimal Hash, string KeyJson);

    /// <summary>The differing keys found so far, by kind, listed up to the verifier's MaxKeys each, with each key's JSON.</summary>
    private sealed class Differences(int maxKeys)
    {
        public List<string> Missing { get; } = [];

        public List<string> Extra { get; } = [];

        public List<string> Changed { get; } = [];

        public Dictionary<string, string> Json { get; } = new(StringComparer.Ordinal);

        /// <summary>More keys differed of some kind than are listed.</summary>
        public bool Truncated { get; private set; }

        public int Count => Missing.Count + Extra.Count + Changed.Count;

        public string KeysJson() => "[" + string.Join(",", Json.Values) + "]";

        /// <summary>Classifies <paramref name="keys"/> from both sides' rows.</summary>
        public void Compare(IReadOnlyDictionary<string, Row> a, IReadOnlyDictionary<string, Row> b, IEnumerable<string> keys)
        {
            foreach (var key in keys)
            {
                var onSource = a.TryGetValue(key, out var left);
                var onTarget = b.TryGetValue(key, out var right);
                var list = (onSource, onTarget) switch
                {
                    (true, false) => Missing,
                    (false, true) => Extra,
                    (true, true) when left.Hash != right.Hash => Changed,
                    _ => null,
                };
                if (list is null)
                {
                    continue;
                }

                if (list.Count >= maxKeys)
                {
                    Truncated = true;
                    continue;
                }

                list.Add(key);
                Json[key] = onSource ? left.KeyJson : right.KeyJson;
            }
        }

        /// <summary>The listed keys read again: those that still differ, in the order they were found.</summary>
        public Differences Recheck(IReadOnlyDictionary<string, Row> a, IReadOnlyDictionary<string, Row> b)
        {
            var again = new Differences(maxKeys) { Truncated = Truncated };
            again.Compare(a, b, Missing.Concat(Extra).Concat(Changed));
            return again;
        }
    }

    private sealed class Side
    {
        private readonly NpgsqlConnection _connection;
        private readonly string _table;
        private string _rows;
        private readonly string _keyed;

        /// <summary>
        /// The rows to compare as (key text, key hash, row hash, key JSON): the key and row written by
        /// PostgreSQL's own row output over the model's columns, so both sides hash identical text for
        /// identical values. The keyed form reads only the keys of a JSON array (<c>$1</c>), by the key's index.
        /// </summary>
        public Side(NpgsqlConnection connection, ReplicatedTable table, string schema, string name, string? where)
        {
            _connection = connection;
            var relation = PgSql.QualifiedName(schema, name);
            var key = "ROW(" + string.Join(", ", table.KeyColumns.Select(k => "t." + PgSql.QuoteIdentifier(k))) + ")::text";
            var row = "ROW(" + string.Join(", ", table.Columns.Select(c => "t." + PgSql.QuoteIdentifier(c.Name))) + ")::text";
            var json = "pg_catalog.json_build_object(" + string.Join(", ", table.KeyColumns.Select(k => PgSql.QuoteLiteral(k) + ", t." + PgSql.QuoteIdentifier(k))) + ")::text";
            var select = $"SELECT {key} AS k, pg_catalog.hashtextextended({key}, 0) & 9223372036854775807 AS kh, " +
                         $"pg_catalog.hashtextextended({row}, 0)::numeric AS rh, {json} AS kj FROM {relation} AS t";
            var filter = where is null ? string.Empty : " AND (" + where + ")";
            _rows = select + " WHERE true" + filter;
            _table = _rows;
            var match = string.Join(" AND ", table.KeyColumns.Select(k => $"t.{PgSql.QuoteIdentifier(k)} = o.{PgSql.QuoteIdentifier(k)}"));
            _keyed = select + $" WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::{relation}, $1::pg_catalog.json) AS o WHERE {match})" + filter;
        }

        /// <summary>Keys brought into the process so far (leaf buckets and rechecks).</summary>
        public long KeysRead { get; private set; }

        public async Task<(long Count, decimal Hash)> TotalAsync(CancellationToken ct)
        {
            var command = Create(_connection, $"SELECT count(*), COALESCE(sum(r.rh), 0) FROM ({_rows}) AS r");
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

        /// <summary>
        /// Hashes the rows once into a temporary table (dropped when the snapshot ends) with an index on the key
        /// hash, which the buckets and leaves then read by range. Without the right to create temporary tables
        /// here, they read the table itself each time (slower, the same result).
        /// </summary>
        public async Task MaterializeAsync(CancellationToken ct)
        {
            if (!await ScalarAsync<bool>(_connection, "SELECT pg_catalog.has_database_privilege(pg_catalog.current_database(), 'TEMP')", ct).ConfigureAwait(false))
            {
                return;
            }

            await ExecuteAsync(_connection, $"CREATE TEMPORARY TABLE pgsync_verify_rows ON COMMIT DROP AS {_table}", ct).ConfigureAwait(false);
            await ExecuteAsync(_connection, "CREATE INDEX ON pg_temp.pgsync_verify_rows (kh); ANALYZE pg_temp.pgsync_verify_rows", ct).ConfigureAwait(false);
            _rows = "SELECT * FROM pg_temp.pgsync_verify_rows";
        }

        /// <summary>The snapshot ended, and with it the temporary table: the next one reads the table again.</summary>
        public void EndSnapshot() => _rows = _table;

        /// <summary>Rows per bucket of <paramref name="width"/> key hashes from <paramref name="low"/> (bucket 0) up to <paramref name="high"/>.</summary>
        public async Task<Dictionary<long, (long Count, decimal Hash)>> BucketsAsync(long low, long high, long width, CancellationToken ct)
        {
            var sql = $"SELECT (r.kh - {Number(low)}) / {Number(width)}, count(*), sum(r.rh) FROM ({_rows}) AS r WHERE {Range(low, high)} GROUP BY 1";
            var buckets = new Dictionary<long, (long, decimal)>();
            var command = Create(_connection, sql);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        buckets[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetDecimal(2));
                    }
                }
            }

            return buckets;
        }

        public Task<Dictionary<string, Row>> RowsAsync(long low, long high, CancellationToken ct) =>
            ReadAsync($"SELECT r.k, r.rh, r.kj FROM ({_rows}) AS r WHERE {Range(low, high)}", null, ct);

        public Task<Dictionary<string, Row>> KeyedRowsAsync(string keys, CancellationToken ct) =>
            ReadAsync($"SELECT r.k, r.rh, r.kj FROM ({_keyed}) AS r", keys, ct);

        private async Task<Dictionary<string, Row>> ReadAsync(string sql, string? keys, CancellationToken ct)
        {
            var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
            var command = keys is null ? Create(_connection, sql) : Create(_connection, sql, keys);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        rows[reader.GetString(0)] = new Row(reader.GetDecimal(1), reader.GetString(2));
                        KeysRead++;
                    }
                }
            }

            return rows;
        }

        /// <summary>Bigint literals both, so that the key hash's index serves the range.</summary>
        private static string Range(long low, long high) => $"r.kh >= {Number(low)} AND r.kh <= {Number(high)}";

        private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
