using RoslynPgSync.Sql;

namespace RoslynPgSync.Queue;

/// <summary>
/// The queue's contract for the .NET side, in one place: the advisory locks the installed functions
/// take too, and the commands the replay worker, the monitor, <see cref="PgSyncReplay"/> and the
/// <c>pgsync</c> tool send. The objects themselves are in <c>src/Runtime/sql/core</c>; their names in
/// <see cref="SqlNames"/> (shared with the generator).
/// </summary>
internal static class PgSyncQueue
{
    /// <summary>
    /// The first key of the per-destination advisory locks (the second is <c>hashtext(server)</c>):
    /// "PGSY". The SQL files write it as 1346851673 (a test checks that they agree). A stream's batch
    /// holds it shared (lock_stream), what must wait for all of a destination's streams exclusively.
    /// </summary>
    public const int DestinationLockSpace = 0x50475359;

    /// <summary>The first key of the per-stream advisory locks (lock_stream): "PGSZ", 1346851674 in the SQL files.</summary>
    public const int StreamLockSpace = 0x5047535A;

    /// <summary>The advisory lock that serialises installers (and uninstallers) of one database.</summary>
    public const long InstallLockKey = 0x5047_5359_4E43_0001;

    /// <summary><c>NOTIFY</c> payloads that start so ask the workers to retry that destination now (skip_entry sends them).</summary>
    public const string RetryPrefix = SqlNames.RetryPrefix;

    private static string Object(string schema, string name) => PgSql.QuoteIdentifier(schema) + "." + PgSql.QuoteIdentifier(name);

    /// <summary>Takes one stream's lock until the transaction ends (lock_stream): <c>$1</c> the server, <c>$2</c> the channel.</summary>
    public static string LockStream(string schema) => $"SELECT {Object(schema, "lock_stream")}($1, $2)";

    /// <summary>Whether the queue exists (installed): <c>$1</c> its qualified name, see <see cref="QueueName"/>.</summary>
    public const string Exists = "SELECT pg_catalog.to_regclass($1) IS NOT NULL";

    public static string QueueName(string schema) => PgSql.QualifiedName(schema, SqlNames.Queue);

    /// <summary>Entries queued in stream <c>$1</c> (server), <c>$2</c> (channel).</summary>
    public static string StreamDepth(string schema) =>
        $"SELECT pg_catalog.count(*) FROM {Object(schema, SqlNames.Queue)} AS e WHERE e.dst_server = $1 AND e.channel = $2";

    /// <summary>Whether anything is queued in stream <c>$1</c> (server), <c>$2</c> (channel): one index probe, whatever the depth.</summary>
    public static string AnyQueued(string schema) =>
        $"SELECT EXISTS (SELECT 1 FROM {Object(schema, SqlNames.Queue)} AS e WHERE e.dst_server = $1 AND e.channel = $2)";

    /// <summary>Applies up to <c>$3</c> of stream <c>$1</c> (server), <c>$2</c> (channel)'s oldest entries (apply_pending, not strict, not a commit's own).</summary>
    public static string Apply(string schema) => $"SELECT {Object(schema, SqlNames.ApplyPending)}($1, $2, $3, false, NULL)";

    /// <summary>
    /// The channels with entries queued for destination <c>$1</c>, in name order: one index probe per
    /// channel on (dst_server, channel, id), a skip scan, however deep the queue is.
    /// </summary>
    public static string QueuedChannels(string schema) =>
        $"SELECT q.channel FROM {Object(schema, SqlNames.QueuedStreams)}() AS q WHERE q.dst_server = $1 ORDER BY q.channel";

    /// <summary>The error that stopped stream <c>$1</c> (server), <c>$2</c> (channel), with its entry and table.</summary>
    public static string LastError(string schema) =>
        $"SELECT s.last_error, s.last_error_entry, s.last_error_table FROM {Object(schema, SqlNames.DestinationState)} AS s WHERE s.dst_server = $1 AND s.channel = $2";

    /// <summary>The latest error that stopped one of destination <c>$1</c>'s streams (NULL: none).</summary>
    public static string DestinationLastError(string schema) =>
        $"SELECT s.last_error FROM {Object(schema, SqlNames.DestinationState)} AS s WHERE s.dst_server = $1 AND s.last_error IS NOT NULL ORDER BY s.last_error_time DESC LIMIT 1";

    /// <summary>Settles what destination <c>$1</c> recorded as applied (resolve_applied).</summary>
    public static string Resolve(string schema) => $"SELECT {Object(schema, SqlNames.ResolveApplied)}($1)";

    /// <summary>Vacuums destination <c>$1</c>'s record of applied entries; false when it could not (vacuum_applied).</summary>
    public static string VacuumApplied(string schema) => $"SELECT {Object(schema, SqlNames.VacuumApplied)}($1)";

    /// <summary>The seed's replay: up to <c>$1</c> entries over every destination (deal_sync_err_rec).</summary>
    public static string Replay(string schema) => $"SELECT {Object(schema, SqlNames.Replay)}($1)";

    /// <summary>Rows the last apply carried (set by apply_pending, transaction-local).</summary>
    public const string AppliedRows = "SELECT pg_catalog.current_setting('pgsync.applied_rows', true)";

    /// <summary>Bounds this transaction's batches by bytes of remote statements: <c>$1</c> a positive number's text (apply_pending).</summary>
    public const string SetBatchBytes = "SELECT pg_catalog.set_config('pgsync.batch_bytes', $1, true)";

    /// <summary>Bounds this transaction's waits for a destination: <c>$1</c> an interval's text.</summary>
    public const string SetRemoteTimeout = "SELECT pg_catalog.set_config('pgsync.remote_timeout', $1, true)";

    /// <summary>Listens for the capture's and skip_entry's notifications.</summary>
    public static string Listen => "LISTEN " + PgSql.QuoteIdentifier(SqlNames.NotifyChannel);

    /// <summary>Whether queue entry <c>$1</c> is still queued (not applied or skipped yet).</summary>
    public static string EntryQueued(string schema) => $"SELECT EXISTS (SELECT 1 FROM {Object(schema, SqlNames.Queue)} AS e WHERE e.id = $1)";

    /// <summary>
    /// The verifier's mark, read first in its source snapshot: the newest entry queued for destination
    /// <c>$1</c> that the snapshot sees (NULL: none).
    /// </summary>
    public static string Mark(string schema) => $"SELECT pg_catalog.max(e.id) FROM {Object(schema, SqlNames.Queue)} AS e WHERE e.dst_server = $1";

    /// <summary>Entries of destination <c>$1</c> up to the mark <c>$2</c> still queued (not applied or skipped yet).</summary>
    public static string QueuedUpTo(string schema) =>
        $"SELECT pg_catalog.count(*) FROM {Object(schema, SqlNames.Queue)} AS e WHERE e.dst_server = $1 AND e.id <= $2";

    /// <summary>
    /// Marks table <c>$1</c>.<c>$2</c> refreshed (its replicated_table row updated), in the transaction that
    /// queues a refresh of its rows: a REPEATABLE READ or SERIALIZABLE Sync writer whose snapshot predates it
    /// then fails at commit (flush_at_commit) instead of sending its change ahead of the refresh. copy_queued
    /// does the same for a chunk.
    /// </summary>
    public static string MarkRefreshed(string schema) =>
        $"UPDATE {Object(schema, "replicated_table")} AS r SET restore_function = r.restore_function WHERE r.nsp_name = $1 AND r.table_name = $2";

    /// <summary>
    /// A refresh of some keys into the queue, as an Async entry behind everything older in the target's
    /// stream (the repair): <c>$1</c> schema, <c>$2</c> table, <c>$3</c> server, <c>$4</c> keys, <c>$5</c>
    /// the remote statement (the table's restore function's), <c>$6</c> the channel. Wakes the worker;
    /// returns the entry.
    /// </summary>
    public static string Refresh(string schema) => $"""
        WITH e AS (
            INSERT INTO {Object(schema, SqlNames.Queue)} (nsp_name, table_name, dst_server, mode, row_count, dst_query, channel)
            VALUES ($1, $2, $3, 'a', $4, $5, $6) RETURNING id)
        SELECT e.id, pg_catalog.pg_notify({PgSql.QuoteLiteral(SqlNames.NotifyChannel)}, $3) FROM e
        """;

    /// <summary>
    /// One chunk of an initial copy into the queue, with the copy's state moved on (copy_queued): <c>$1</c>
    /// schema, <c>$2</c> table, <c>$3</c> server, <c>$4</c> the target's channel, <c>$5</c> rows, <c>$6</c> the
    /// remote statement (NULL: none), <c>$7</c> the chunk's last key as JSON, <c>$8</c> whether it reached the
    /// table's end. Returns the entry.
    /// </summary>
    public static string CopyQueued(string schema) => $"SELECT {Object(schema, "copy_queued")}($1, $2, $3, $4, $5, $6, $7, $8)";

    /// <summary>Marks copies done (every chunk applied) or failed (a chunk skipped): copy_settle.</summary>
    public static string CopySettle(string schema) => $"SELECT {Object(schema, "copy_settle")}()";

    /// <summary>
    /// The copy status view: schema, table, server, mode, status, rows copied, estimate, chunks, rows/s,
    /// seconds left, started, finished, reason.
    /// </summary>
    public static string CopyStatus(string schema) => $"""
        SELECT nsp_name, table_name, dst_server, mode, status, rows_copied, rows_estimate, chunks, rows_per_second,
               EXTRACT(EPOCH FROM eta)::double precision, started_at, finished_at, reason, last_key
        FROM {Object(schema, "copy_status")} ORDER BY nsp_name, table_name, dst_server
        """;

    /// <summary>Removes conflict records older than <c>$1</c> and tombstones older than <c>$2</c> of the row versions <c>$3</c> (text[]); returns how many.</summary>
    public static string PurgeResolved(string schema) => $"SELECT {Object(schema, SqlNames.PurgeResolved)}($1::interval, $2::interval, $3)";

    /// <summary>Whether this database has a conflict log (it is the destination of a table with a conflict policy).</summary>
    public static string HasConflictLog(string schema) => $"SELECT pg_catalog.to_regclass({PgSql.QuoteLiteral(Object(schema, SqlNames.ConflictLog))}) IS NOT NULL";

    /// <summary>The conflicts recorded since the conflict log was made, per table, kind and resolution (none without a log).</summary>
    public static string ConflictTotals(string schema) => $"SELECT nsp_name, table_name, kind, resolution, recorded FROM {Object(schema, SqlNames.ConflictTotals)}()";

    /// <summary>Conflicts recorded after id <c>$1</c>, per table, kind and resolution: count, latest id, latest time.</summary>
    public static string ConflictCounts(string schema) => $"""
        SELECT nsp_name, table_name, kind, resolution, pg_catalog.count(*), pg_catalog.max(id), pg_catalog.max(logged_at)
        FROM {Object(schema, SqlNames.ConflictLog)} WHERE id > $1 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        """;

    /// <summary>The latest <c>$1</c> conflicts, newest first, of table <c>$2</c> (schema.table, or the name alone; NULL: every table).</summary>
    public static string RecentConflicts(string schema) => $"""
        SELECT id, logged_at, nsp_name, table_name, key, kind, resolution, local_origin, local_at, local_row, remote_origin, remote_at, remote_row, entries,
               pg_catalog.to_jsonb(c) OPERATOR(pg_catalog.->>) 'index_name'
        FROM {Object(schema, SqlNames.ConflictLog)} AS c
        WHERE $2::text IS NULL OR table_name = $2 OR nsp_name || '.' || table_name = $2
        ORDER BY id DESC LIMIT $1
        """;

    /// <summary>The status view, per stream: server, depth, oldest age in seconds, last success, last error (time, entry, table), channel.</summary>
    public static string Status(string schema) => $"""
        SELECT dst_server, depth, COALESCE(EXTRACT(EPOCH FROM oldest_entry_age), 0)::double precision,
               last_success, last_error, last_error_time, last_error_entry, last_error_table, channel
        FROM {Object(schema, SqlNames.StatusView)}
        """;
}
