// Shared source: compiled into the generator and linked into the runtime.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RoslynPgSync.Sql;

/// <summary>
/// Names of the objects RoslynPgSync installs, derived the same way at build time (generator) and at
/// run time (installer, status, uninstall).
/// </summary>
internal static class SqlNames
{
    /// <summary>The queue of changes waiting for a destination (the seed's name).</summary>
    public const string Queue = "sync_err_rec";

    /// <summary>Per destination: last success and last error.</summary>
    public const string DestinationState = "dst_state";

    /// <summary>Applies the oldest queued entries (the seed's name).</summary>
    public const string Replay = "deal_sync_err_rec";

    /// <summary>Applies one destination's pending entries in one remote transaction.</summary>
    public const string ApplyPending = "apply_pending";

    /// <summary>Sync/Strict entries waiting for their transaction's commit (unlogged).</summary>
    public const string SyncPending = "sync_pending";

    /// <summary>Flushes Sync/Strict entries at commit (deferred constraint trigger function).</summary>
    public const string FlushAtCommit = "flush_at_commit";

    /// <summary>Per destination: depth, oldest entry age, last error and last success.</summary>
    public const string StatusView = "status";

    /// <summary>The NOTIFY channel that wakes replay workers; the payload is the destination server.</summary>
    public const string NotifyChannel = "pgsync";

    /// <summary>Queue entries an operator skipped, with the error that stopped them.</summary>
    public const string Skipped = "skipped_entry";

    /// <summary>Moves one queue entry to <see cref="Skipped"/> (the documented way past a permanent rejection).</summary>
    public const string SkipEntry = "skip_entry";

    /// <summary>A NOTIFY payload prefix asking workers to retry a destination now, ignoring its backoff.</summary>
    public const string RetryPrefix = "retry:";

    /// <summary>The setting that marks sessions applying replicated changes (loop prevention).</summary>
    public const string OriginSetting = "pgsync.origin";

    /// <summary>
    /// The setting an apply sets, in its remote transaction, to the identities of the nodes the changes that follow
    /// have been through (cascade: <c>Forward</c>); honoured as <see cref="OriginSetting"/> is.
    /// </summary>
    public const string PathSetting = "pgsync.path";

    /// <summary>Per installed source table: its restore function (used after an aborted Sync/Strict transaction).</summary>
    public const string ReplicatedTables = "replicated_table";

    /// <summary>On each destination: what it applied, per origin and queue entry (exactly once, and aborted transactions).</summary>
    public const string AppliedEntries = "applied_entry";

    /// <summary>Settles what a destination applied: entries still queued, restores after aborted transactions.</summary>
    public const string ResolveApplied = "resolve_applied";

    /// <summary>The streams with entries queued, each with its oldest entry (a skip scan of the queue's stream index).</summary>
    public const string QueuedStreams = "queued_streams";

    /// <summary>Vacuums a destination's applied_entry over the replication's connection (the worker, every 10 s).</summary>
    public const string VacuumApplied = "vacuum_applied";

    /// <summary>On each destination of a table with a conflict policy: the conflicts its apply met (docs/multi-master.md).</summary>
    public const string ConflictLog = "conflict_log";

    /// <summary>Removes conflict records and tombstones past their retention (the worker, every minute).</summary>
    public const string PurgeResolved = "purge_resolved";

    /// <summary>The conflicts this database recorded as a destination, per table, kind and resolution (the worker's metric).</summary>
    public const string ConflictTotals = "conflict_totals";

    /// <summary>The entry point generated capture code writes queue entries through (the queue's layout stays the runtime's).</summary>
    public const string Enqueue = "enqueue";

    /// <summary>The capture's entry point for a statement's rows: entries of bounded size, from a cursor over them.</summary>
    public const string EnqueueRows = "enqueue_rows";

    /// <summary>The capture's entry point for a statement of one row: compact entries (the row or key as JSON, and its statement's key).</summary>
    public const string EnqueueChange = "enqueue_change";

    /// <summary>The entry point that records a target's remote statements, which compact entries name.</summary>
    public const string RegisterStatement = "register_statement";

    /// <summary>The entry points that register and unregister a table's restore function.</summary>
    public const string RegisterTable = "register_table";

    /// <inheritdoc cref="RegisterTable"/>
    public const string UnregisterTable = "unregister_table";

    /// <summary>Trigger names on a replicated table, one per operation.</summary>
    public static readonly string[] CaptureTriggers =
    {
        "pgsync_capture_insert", "pgsync_capture_update", "pgsync_capture_delete", "pgsync_capture_truncate",
    };

    /// <summary>
    /// The capture function of a source table: readable, at most 63 bytes, and distinct per
    /// schema-qualified table thanks to a hash of the full name.
    /// </summary>
    public static string CaptureFunction(string schema, string table) => "capture_" + FunctionSuffix(schema, table);

    private static string FunctionSuffix(string schema, string table) =>
        Readable(table) + "_" + Fnv1a(schema + "\u0000" + table).ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>At most 40 characters of <paramref name="table"/>, lower-case letters, digits and underscores.</summary>
    private static string Readable(string table)
    {
        var readable = new StringBuilder();
        foreach (var c in table)
        {
            if (readable.Length >= 40)
            {
                break;
            }

            readable.Append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : c >= 'A' && c <= 'Z' ? (char)(c + 32) : '_');
        }

        return readable.ToString();
    }

    /// <summary>The restore function of a source table (same readable part and hash as <see cref="CaptureFunction"/>).</summary>
    public static string RestoreFunction(string schema, string table) => "restore_" + FunctionSuffix(schema, table);

    /// <summary>
    /// The record of row versions of a table resolved by stamps (<c>Conflicts = LastWriterWins</c>) on its
    /// node, in the RoslynPgSync schema: the same name where the table is the source (the capture writes
    /// it) and where it is a target (the apply writes it), so that on a multi-master node both meet.
    /// </summary>
    public static string RowVersions(string schema, string table) => "row_version_" + FunctionSuffix(schema, table);

    /// <summary>
    /// The key that compact queue entries name a target's remote statements by: the texts' SHA-256
    /// (128 bits of it, so that no two targets' statements share a key), after the table's readable
    /// name. Equal texts give equal keys, so a reinstall of the same model adds nothing.
    /// </summary>
    public static string StatementKey(string table, params string[] texts)
    {
        var bytes = Encoding.UTF8.GetBytes(string.Join("\u0000", texts));
#if NET5_0_OR_GREATER
        var hash = SHA256.HashData(bytes);
#else
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(bytes);
#endif
        var key = new StringBuilder(Readable(table)).Append('_');
        for (var i = 0; i < 16; i++)
        {
            key.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return key.ToString();
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }
}
