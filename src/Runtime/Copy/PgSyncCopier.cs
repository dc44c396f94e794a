using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RoslynPgSync.Queue;
using RoslynPgSync.Sql;
using static RoslynPgSync.Sql.Commands;

namespace RoslynPgSync.Copy;

/// <summary>
/// Copies the rows a source table held before replication to its destinations, online: in key-ordered
/// chunks, each read in a short transaction that locks its rows <c>FOR SHARE</c> and queues them, as one
/// upsert, through the same ordered queue as the captured changes. A concurrent change to a chunk's rows
/// therefore waits for the chunk or is queued before it, so the destination ends equal to the source with
/// every change applied in order. The state per table and destination (<c>pgsync.copy_state</c>) moves
/// with each chunk in the chunk's transaction, so a copy killed at any point resumes after its last
/// queued chunk; it is done only once every chunk has left the queue applied.
/// </summary>
/// <remarks>
/// The installer records the copies (<see cref="PgSyncOptions.InitialCopy"/>) and runs them after it
/// commits; the hosted worker runs them beside its replay; <c>pgsync copy</c> starts them on demand.
/// Several copiers may run at once: each chunk takes its copy's state row <c>FOR UPDATE</c>.
/// </remarks>
public sealed class PgSyncCopier
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
    private readonly NpgsqlDataSource _local;
    private readonly PgSyncOptions _options;
    private readonly ILogger _logger;
    private readonly bool _apply;

    /// <summary>Creates a copier for the local database.</summary>
    /// <param name="local">The local (source) database, as the installing role.</param>
    /// <param name="options">Schema, chunk size and the destination servers.</param>
    /// <param name="logger">Where to log (events 5000-5005); null: nowhere.</param>
    public PgSyncCopier(NpgsqlDataSource local, PgSyncOptions options, ILogger? logger = null)
        : this(local, options, logger, apply: true)
    {
    }

    /// <summary>
    /// With <paramref name="apply"/> false the copier leaves applying to the hosted worker, which the
    /// chunk's NOTIFY wakes, and only waits for each chunk to leave the queue: the worker's metrics then
    /// count every entry it applied.
    /// </summary>
    internal PgSyncCopier(NpgsqlDataSource local, PgSyncOptions options, ILogger? logger, bool apply)
    {
        _local = local ?? throw new ArgumentNullException(nameof(local));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? NullLogger.Instance;
        _apply = apply;
    }

    /// <summary>
    /// How long <see cref="RunAsync"/> waits for a destination that does not apply a chunk (it is down, or
    /// refuses the chunk) before it gives up with a <see cref="TimeoutException"/>: the copy stays copying
    /// with that chunk queued, and a later run applies it and goes on after it. Null (the default, and the
    /// hosted worker's): it waits, with backoff, until cancelled. <c>pgsync copy --wait</c> sets it.
    /// </summary>
    public TimeSpan? DestinationTimeout { get; init; }

    /// <summary>Every recorded copy, by table and server (<c>pgsync.copy_status</c>); none before the first install.</summary>
    /// <param name="ct">Cancels the query.</param>
    /// <returns>The copies.</returns>
    public async Task<IReadOnlyList<CopyProgress>> GetProgressAsync(CancellationToken ct = default)
    {
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadProgressAsync(connection, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts the copies of <paramref name="tables"/> again from the beginning, whatever they did before
    /// (the <c>pgsync copy</c> command): every source row is sent again; with <paramref name="replace"/>
    /// the targets are emptied first, so rows the source lacks go too. Run them with <see cref="RunAsync"/>.
    /// </summary>
    /// <param name="tables">The generated tables; those with a target on a registered server are restarted.</param>
    /// <param name="replace">Empty the targets first.</param>
    /// <param name="table">Only this source table (<c>schema.table</c>, or its name alone); null: all.</param>
    /// <param name="ct">Cancels it (nothing changes then).</param>
    /// <returns>The copies restarted.</returns>
    /// <exception cref="ArgumentException"><paramref name="table"/> names no replicated table of a registered server.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="replace"/> for a table whose target on a chosen server detects conflicts (<see cref="ReplaceRefusal"/>).</exception>
    public async Task<IReadOnlyList<CopyProgress>> RestartAsync(IReadOnlyList<ReplicatedTable> tables, bool replace, string? table = null, CancellationToken ct = default)
    {
        var chosen = Choose(tables, table);
        if (replace && chosen.Select(c => ReplaceRefusal(c.Table, c.Targets)).FirstOrDefault(r => r is not null) is { } refusal)
        {
            throw new InvalidOperationException(refusal + " Copy without replace: it sends every row with its stamp, and never undoes a newer write.");
        }

        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var state = Object("copy_state");
                foreach (var (source, server, _) in chosen)
                {
                    await ExecuteAsync(
                        connection,
                        $"DELETE FROM {Object("copy_chunk")} WHERE nsp_name = $1 AND table_name = $2 AND dst_server = $3",
                        ct,
                        source.SourceSchema,
                        source.SourceTable,
                        server).ConfigureAwait(false);
                    await ExecuteAsync(
                        connection,
                        $"INSERT INTO {state} (nsp_name, table_name, dst_server, mode, status) VALUES ($1, $2, $3, $4, 'pending') " +
                        "ON CONFLICT (nsp_name, table_name, dst_server) DO UPDATE SET mode = EXCLUDED.mode, status = 'pending', last_key = NULL, end_key = NULL, " +
                        "all_queued = false, rows_copied = 0, rows_estimate = NULL, chunks = 0, reason = NULL, started_at = NULL, updated_at = NULL, finished_at = NULL",
                        ct,
                        source.SourceSchema,
                        source.SourceTable,
                        server,
                        replace ? "replace" : "upsert").ConfigureAwait(false);
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
            }

            var names = chosen.Select(c => (c.Table.ToString(), c.Server)).ToHashSet();
            return (await ReadProgressAsync(connection, ct).ConfigureAwait(false)).Where(p => names.Contains((p.Table, p.Server))).ToList();
        }
    }

    /// <summary>
    /// Runs every pending or unfinished copy of <paramref name="tables"/> to a registered server until it is
    /// done, one chunk at a time: each is queued, then applied (with whatever else the destination has
    /// queued before it) before the next is read, so the queue never holds more than one chunk of a copy
    /// and other tables' changes to the same destination keep flowing. A destination that does not accept
    /// a chunk is retried with backoff until <paramref name="ct"/> is cancelled (or for <see cref="DestinationTimeout"/>).
    /// </summary>
    /// <param name="tables">The generated tables.</param>
    /// <param name="progress">Told after every chunk.</param>
    /// <param name="ct">Stops between chunks; what was queued stays recorded and a later run resumes after it.</param>
    /// <returns>The copies of <paramref name="tables"/>, as they ended.</returns>
    /// <exception cref="TimeoutException">A destination applied nothing for <see cref="DestinationTimeout"/> while a chunk waited.</exception>
    public async Task<IReadOnlyList<CopyProgress>> RunAsync(IReadOnlyList<ReplicatedTable> tables, IProgress<CopyProgress>? progress = null, CancellationToken ct = default)
    {
        var chosen = Choose(tables, null);
        var names = chosen.Select(c => (c.Table.ToString(), c.Server)).ToHashSet();
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await SettleAsync(connection, ct).ConfigureAwait(false);
            foreach (var copy in (await ReadProgressAsync(connection, ct).ConfigureAwait(false)).Where(p => names.Contains((p.Table, p.Server))))
            {
                if (!copy.IsRunning)
                {
                    if (copy.Status is CopyStatus.Skipped or CopyStatus.Failed)
                    {
                        CopyLog.Skipped(_logger, copy.Table, copy.Server, copy.Status.ToString().ToLowerInvariant(), copy.Reason);
                    }

                    continue;
                }

                var (table, server, targets) = chosen.First(c => c.Table.ToString() == copy.Table && c.Server == copy.Server);
                await CopyAsync(connection, table, server, targets, copy, progress, ct).ConfigureAwait(false);
            }

            return (await ReadProgressAsync(connection, ct).ConfigureAwait(false)).Where(p => names.Contains((p.Table, p.Server))).ToList();
        }
    }

    private async Task CopyAsync(NpgsqlConnection connection, ReplicatedTable table, string server, IReadOnlyList<ReplicationTarget> targets, CopyProgress copy, IProgress<CopyProgress>? progress, CancellationToken ct)
    {
        var name = table.ToString();
        var chunkSql = new ChunkSql(_options.Schema, table, targets, ChunkRows(targets));
        // (A copy recorded as replace empties only the targets that detect no conflicts: ChunkSql.Truncates.)
        CopyLog.Started(_logger, name, server, copy.Chunks == 0 ? "starts" : "resumes", copy.Replace && chunkSql.Truncates.Count > 0 ? "replace" : "upsert", copy.RowsEstimate, copy.RowsCopied);
        var lastReport = Stopwatch.GetTimestamp();
        if (copy.Status == CopyStatus.Copying && await QueuedChunksAsync(connection, table, server, ct).ConfigureAwait(false) is { Count: > 0 } left)
        {
            // A chunk an earlier run queued and did not see applied (it was stopped first, the destination
            // down) is applied before a new one is read: the queue holds one chunk of a copy, however often
            // a copy is started while its destination is down.
            var settled = await ApplyQueuedAsync(connection, table, server, left, ct).ConfigureAwait(false);
            if (settled is not { IsRunning: true })
            {
                LogEnd(name, server, settled);
                return;
            }
        }

        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            var chunk = await QueueChunkAsync(connection, chunkSql, table, server, ct).ConfigureAwait(false);
            if (chunk is null)
            {
                break; // no longer pending or copying (another copier finished it, or it was restarted as failed)
            }

            // This chunk, and any another copier queued meanwhile and did not see applied (it was killed first).
            var now = await ApplyQueuedAsync(connection, table, server, await QueuedChunksAsync(connection, table, server, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            var milliseconds = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            CopyLog.Chunk(_logger, name, server, now?.Chunks ?? 0, chunk.Value.Rows, chunk.Value.Entry, milliseconds);
            if (now is not null)
            {
                progress?.Report(now);
                if (Stopwatch.GetElapsedTime(lastReport) >= ProgressInterval && now.IsRunning)
                {
                    lastReport = Stopwatch.GetTimestamp();
                    CopyLog.Progress(_logger, name, server, now.RowsCopied, now.RowsEstimate, now.RowsPerSecond, now.Remaining);
                }

                LogEnd(name, server, now);
            }

            if (chunk.Value.Finished || now is not { IsRunning: true })
            {
                break;
            }
        }
    }

    /// <summary>Applies the copy's queued chunk entries in order, settles the copies, and returns this copy's progress then.</summary>
    private async Task<CopyProgress?> ApplyQueuedAsync(NpgsqlConnection connection, ReplicatedTable table, string server, IReadOnlyList<long> entries, CancellationToken ct)
    {
        var name = table.ToString();
        foreach (var entry in entries)
        {
            await ApplyAsync(connection, name, server, entry, ct).ConfigureAwait(false);
        }

        await SettleAsync(connection, ct).ConfigureAwait(false);
        return (await ReadProgressAsync(connection, ct).ConfigureAwait(false)).FirstOrDefault(p => p.Table == name && p.Server == server);
    }

    /// <summary>Logs how a copy ended, when it did: done, or failed (a chunk skipped).</summary>
    private void LogEnd(string name, string server, CopyProgress? copy)
    {
        if (copy?.Status == CopyStatus.Done)
        {
            CopyLog.Done(_logger, name, server, copy.RowsCopied, copy.Chunks, copy.RowsPerSecond);
        }
        else if (copy?.Status == CopyStatus.Failed)
        {
            CopyLog.Skipped(_logger, name, server, "failed", copy.Reason);
        }
    }

    /// <summary>
    /// One chunk, in one transaction: the copy's state row (locked, so copiers take turns), the chunk's last
    /// key, its rows locked FOR SHARE, their upsert from the table's restore function, and copy_queued.
    /// Null when the copy is no longer pending or copying.
    /// </summary>
    private async Task<(long? Entry, long Rows, bool Finished)?> QueueChunkAsync(NpgsqlConnection connection, ChunkSql sql, ReplicatedTable table, string server, CancellationToken ct)
    {
        var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            // As in the capture function: the filter and every name resolve on a pinned path, whatever the session's.
            // Row security off: a chunk a policy would filter fails, naming it, instead of copying part of the table.
            await ExecuteAsync(connection, "SET LOCAL search_path = pg_catalog, pg_temp; SET LOCAL row_security = off", ct).ConfigureAwait(false);
            string? lastKey;
            string? endKey;
            bool replace;
            long chunks;
            bool estimated;
            var state = Commands.Create(
                connection,
                $"SELECT status, mode, last_key, chunks, rows_estimate IS NOT NULL, end_key FROM {Object("copy_state")} WHERE nsp_name = $1 AND table_name = $2 AND dst_server = $3 FOR UPDATE",
                table.SourceSchema,
                table.SourceTable,
                server);
            await using (state.ConfigureAwait(false))
            {
                var reader = await state.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(ct).ConfigureAwait(false) || reader.GetString(0) is not ("pending" or "copying"))
                    {
                        return null;
                    }

                    replace = reader.GetString(1) == "replace";
                    lastKey = reader.IsDBNull(2) ? null : reader.GetString(2);
                    chunks = reader.GetInt64(3);
                    estimated = reader.GetBoolean(4);
                    endKey = reader.IsDBNull(5) ? null : reader.GetString(5);
                }
            }

            if (chunks == 0 && lastKey is null && endKey is null)
            {
                // The copy's end, fixed at its start (after the install committed): rows written since are captured.
                endKey = await ScalarAsync<string?>(connection, sql.LastKey, ct).ConfigureAwait(false);
                await ExecuteAsync(
                    connection,
                    $"UPDATE {Object("copy_state")} SET end_key = $4 WHERE nsp_name = $1 AND table_name = $2 AND dst_server = $3",
                    ct,
                    table.SourceSchema,
                    table.SourceTable,
                    server,
                    endKey).ConfigureAwait(false);
            }

            if (!estimated)
            {
                // reltuples is -1 until the table is first vacuumed or analyzed: count it then.
                await ExecuteAsync(
                    connection,
                    $"UPDATE {Object("copy_state")} SET rows_estimate = COALESCE((SELECT CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint END FROM pg_catalog.pg_class AS c WHERE c.oid = $4::pg_catalog.regclass), " +
                    $"(SELECT pg_catalog.count(*) FROM {sql.Source})) WHERE nsp_name = $1 AND table_name = $2 AND dst_server = $3",
                    ct,
                    table.SourceSchema,
                    table.SourceTable,
                    server,
                    sql.Source).ConfigureAwait(false);
            }

            var after = lastKey is null ? Array.Empty<object?>() : new object?[] { lastKey };
            string? last = null;
            string? keys = null;
            long rows = 0;
            if (endKey is not null)
            {
                // The chunk's last key; none when fewer rows are left before the end, and the chunk runs to the end.
                last = await ScalarAsync<string?>(connection, sql.UpperBound(lastKey is not null), ct, [.. after, endKey, sql.ChunkRows]).ConfigureAwait(false);
            }

            var locked = Commands.Create(connection, sql.LockRows(lastKey is not null), [.. after, (object?)(last ?? endKey) ?? "{}"]);
            await using (locked.ConfigureAwait(false))
            {
                var reader = await locked.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        keys = reader.IsDBNull(0) ? null : reader.GetString(0);
                        rows = reader.GetInt64(1);
                    }
                }
            }

            var remote = keys is null ? null : await ScalarAsync<string?>(connection, sql.Restore, ct, server, keys).ConfigureAwait(false);
            var finished = last is null;
            last ??= endKey;
            if (replace && chunks == 0)
            {
                // Emptied in the queue's order: what was queued before is applied and then removed.
                remote = string.Join(";\n", sql.Truncates.Append(remote).OfType<string>());
            }

            var entry = await ScalarAsync<long?>(
                connection,
                PgSyncQueue.CopyQueued(_options.Schema),
                ct,
                table.SourceSchema,
                table.SourceTable,
                server,
                ChannelOf(table, server),
                rows,
                (object?)remote ?? DBNull.Value,
                (object?)last ?? DBNull.Value,
                finished).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return (entry, rows, finished);
        }
    }

    /// <summary>The channel of the table's targets on <paramref name="server"/> (one per table and server: the generator refuses two).</summary>
    internal static string ChannelOf(ReplicatedTable table, string server) =>
        table.Targets.FirstOrDefault(t => t.Server == server)?.Channel ?? string.Empty;

    /// <summary>Applies the destination's queue until <paramref name="entry"/> has left it; waits with backoff while the destination does not accept it.</summary>
    private async Task ApplyAsync(NpgsqlConnection connection, string table, string server, long entry, CancellationToken ct)
    {
        string? error = null;
        var applied = await QueueDrain.UntilAsync(
            connection,
            _options.Schema,
            server,
            _apply,
            QueueDrain.Left(connection, _options.Schema, entry),
            DestinationTimeout,
            (failing, delay) =>
            {
                error = failing;
                CopyLog.Waiting(_logger, table, server, entry, failing, delay);
            },
            ct).ConfigureAwait(false);
        if (!applied)
        {
            throw new TimeoutException(
                $"the initial copy of {table} to {server} stopped: the destination has not applied entry {entry} of it within {DestinationTimeout} " +
                $"({error ?? "no error recorded"}); the copy resumes with that chunk at the next run");
        }
    }

    private async Task<List<long>> QueuedChunksAsync(NpgsqlConnection connection, ReplicatedTable table, string server, CancellationToken ct)
    {
        var entries = new List<long>();
        var command = Commands.Create(
            connection,
            $"SELECT entry_id FROM {Object("copy_chunk")} WHERE nsp_name = $1 AND table_name = $2 AND dst_server = $3 ORDER BY entry_id",
            table.SourceSchema,
            table.SourceTable,
            server);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    entries.Add(reader.GetInt64(0));
                }
            }
        }

        return entries;
    }

    private async Task SettleAsync(NpgsqlConnection connection, CancellationToken ct) =>
        await ScalarAsync<int>(connection, PgSyncQueue.CopySettle(_options.Schema), ct).ConfigureAwait(false);

    private async Task<IReadOnlyList<CopyProgress>> ReadProgressAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var list = new List<CopyProgress>();
        if (!await ScalarAsync<bool>(connection, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", ct, PgSql.QualifiedName(_options.Schema, "copy_status")).ConfigureAwait(false))
        {
            return list;
        }

        var command = new NpgsqlCommand(PgSyncQueue.CopyStatus(_options.Schema), connection);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    list.Add(new CopyProgress(
                        reader.GetString(0) + "." + reader.GetString(1),
                        reader.GetString(2),
                        reader.GetString(3) == "replace",
                        Enum.Parse<CopyStatus>(reader.GetString(4), ignoreCase: true),
                        reader.GetInt64(5),
                        reader.IsDBNull(6) ? null : reader.GetInt64(6),
                        reader.GetInt64(7),
                        reader.IsDBNull(8) ? null : reader.GetDouble(8),
                        reader.IsDBNull(9) ? null : TimeSpan.FromSeconds(reader.GetDouble(9)),
                        reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
                        reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
                        reader.IsDBNull(12) ? null : reader.GetString(12),
                        reader.IsDBNull(13) ? null : reader.GetString(13)));
                }
            }
        }

        return list;
    }

    /// <summary>Each table (and server) of <paramref name="tables"/> installed on this node, with its targets on that server.</summary>
    private List<(ReplicatedTable Table, string Server, IReadOnlyList<ReplicationTarget> Targets)> Choose(IReadOnlyList<ReplicatedTable> tables, string? only)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var registered = _options.Servers.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var chosen = tables
            .Where(t => only is null || t.ToString() == only || t.SourceTable == only)
            .Where(t => t.Targets.All(x => registered.Contains(x.Server)))
            .SelectMany(t => t.Targets.GroupBy(x => x.Server, StringComparer.Ordinal).Select(g => (Table: t, Server: g.Key, Targets: (IReadOnlyList<ReplicationTarget>)g.ToList())))
            .ToList();
        if (only is not null && chosen.Count == 0)
        {
            throw new ArgumentException(
                $"No replicated table '{only}' is installed for the registered servers ({string.Join(", ", registered.Select(s => "'" + s + "'"))}); " +
                $"the tables are: {string.Join(", ", tables.Select(t => t.ToString()))}.",
                nameof(only));
        }

        return chosen;
    }

    private string Object(string name) => PgSql.QualifiedName(_options.Schema, name);

    /// <summary>
    /// Why a copy that replaces (empties the target first) is refused for <paramref name="targets"/> of
    /// <paramref name="table"/>, or null: a target that detects conflicts (any policy but ApplyRemote)
    /// cannot be emptied, as a TRUNCATE there is refused: it would remove the destination's own writes,
    /// newer ones too, and leave their stamps claiming rows that are gone, so that older copied rows lose
    /// to them.
    /// </summary>
    internal static string? ReplaceRefusal(ReplicatedTable table, IEnumerable<ReplicationTarget> targets) =>
        targets.FirstOrDefault(t => t.Conflicts != ConflictPolicy.ApplyRemote) is { } resolving
            ? $"A copy of {table} that replaces the rows of server '{resolving.Server}' ({resolving.Schema}.{resolving.Table}) is refused: " +
              $"it declares Conflicts = {resolving.Conflicts}, and emptying the target would remove that node's own writes, newer ones too."
            : null;

    /// <summary>
    /// The rows per chunk for <paramref name="targets"/>: at most <see cref="ResolvedChunkRows"/> where a
    /// target detects conflicts (its stamped upsert looks every key up, which costs more per key the more
    /// keys a statement holds), the configured size otherwise.
    /// </summary>
    private int ChunkRows(IEnumerable<ReplicationTarget> targets) =>
        targets.Any(t => t.Conflicts != ConflictPolicy.ApplyRemote) ? Math.Min(_options.InitialCopyChunkRows, ResolvedChunkRows) : _options.InitialCopyChunkRows;

    /// <summary>The most rows per chunk to a target that detects conflicts: about what a batch of single-row changes holds.</summary>
    internal const int ResolvedChunkRows = 1000;

    /// <summary>
    /// The statements of one table's chunks, built from the model: keys in key order, compared as rows with
    /// the last key (JSON, read back through the table's own row type), the target's filter when the server
    /// has one target, and the table's restore function for the upsert.
    /// </summary>
    private sealed class ChunkSql
    {
        private readonly string _keyList;
        private readonly string _keyObject;
        private readonly string _filter;
        private readonly List<string> _keys;

        public ChunkSql(string schema, ReplicatedTable table, IReadOnlyList<ReplicationTarget> targets, int chunkRows)
        {
            ChunkRows = chunkRows;
            Source = PgSql.QualifiedName(table.SourceSchema, table.SourceTable);
            _keys = table.KeyColumns.Select(PgSql.QuoteIdentifier).ToList();
            _keyList = string.Join(", ", _keys.Select(k => "n." + k));
            _keyObject = "pg_catalog.json_build_object(" + string.Join(", ", table.KeyColumns.Select(k => PgSql.QuoteLiteral(k) + ", n." + PgSql.QuoteIdentifier(k))) + ")";
            // Only rows the one target keeps; with several targets on the server, the restore function filters each.
            _filter = targets.Count == 1 && targets[0].Where is { } where ? " AND (" + where + ")" : string.Empty;
            Restore = $"SELECT {PgSql.QualifiedName(schema, SqlNames.RestoreFunction(table.SourceSchema, table.SourceTable))}($1, $2)";
            // Never where conflicts are detected (ReplaceRefusal; a copy recorded as replace before then goes as an upsert).
            Truncates = targets.Where(t => t.Conflicts == ConflictPolicy.ApplyRemote).Select(t => "TRUNCATE ONLY " + PgSql.QualifiedName(t.Schema, t.Table)).ToList();
        }

        public string Source { get; }

        /// <summary>The rows per chunk.</summary>
        public int ChunkRows { get; }

        /// <summary>The remote upsert of the rows with keys <c>$2</c> (JSON array) to server <c>$1</c>.</summary>
        public string Restore { get; }

        public List<string> Truncates { get; }

        /// <summary>The highest key now (the copy's end), as JSON; NULL for an empty table.</summary>
        public string LastKey => $"SELECT {_keyObject}::text FROM {Source} AS n WHERE true{_filter} ORDER BY {KeyList("DESC")} LIMIT 1";

        /// <summary>
        /// The key of the chunk's last row, as JSON: the <c>limit</c>th (the last parameter) after the key
        /// <c>$1</c> (when <paramref name="after"/>) and not past the copy's end (the parameter before);
        /// NULL when fewer rows are left, and the chunk then runs to the end.
        /// </summary>
        public string UpperBound(bool after)
        {
            var (end, limit) = after ? ("$2", "$3") : ("$1", "$2");
            return $"SELECT {_keyObject}::text FROM {Source} AS n WHERE true{(after ? " AND " + Compare(">", "$1") : string.Empty)} AND {Compare("<=", end)}{_filter} " +
                   $"ORDER BY {_keyList} OFFSET {limit} - 1 LIMIT 1";
        }

        /// <summary>
        /// The chunk's keys as a JSON array, and their count, with every row of the chunk locked FOR SHARE:
        /// after the key <c>$1</c> (when <paramref name="after"/>) up to the key of the next parameter.
        /// </summary>
        public string LockRows(bool after) =>
            $"SELECT pg_catalog.json_agg({_keyObject} ORDER BY {_keyList})::text, pg_catalog.count(*) " +
            $"FROM (SELECT n.* FROM {Source} AS n WHERE true{(after ? " AND " + Compare(">", "$1") : string.Empty)}" +
            $" AND {Compare("<=", after ? "$2" : "$1")}{_filter} ORDER BY {_keyList} FOR SHARE OF n) AS n";

        private string KeyList(string direction) => string.Join(", ", _keys.Select(k => "n." + k + " " + direction));

        /// <summary><c>(n."k1", n."k2") &gt; (key's k1, key's k2)</c>, the key read back from JSON through the table's row type.</summary>
        private string Compare(string op, string parameter)
        {
            var values = string.Join(", ", _keys.Select(k => $"(SELECT b.{k} FROM pg_catalog.json_populate_record(NULL::{Source}, {parameter}::pg_catalog.json) AS b)"));
            return _keys.Count == 1 ? $"n.{_keys[0]} {op} {values}" : $"({_keyList}) {op} ({values})";
        }
    }
}
