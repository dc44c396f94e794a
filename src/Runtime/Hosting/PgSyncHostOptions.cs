using System;

namespace RoslynPgSync.Hosting;

/// <summary>
/// How the hosted replay worker runs; bound from the same configuration section as
/// <see cref="PgSyncOptions"/> (e.g. <c>"PgSync": { "BatchSize": 1000, "PollInterval": "00:00:05" }</c>).
/// </summary>
public sealed class PgSyncHostOptions
{
    /// <summary>
    /// The local database's Npgsql connection string, used when no <c>NpgsqlDataSource</c> is registered
    /// in the service collection. Never logged.
    /// </summary>
    public string? LocalConnectionString { get; set; }

    /// <summary>Run the generated installer at start-up (serialised across instances by an advisory lock). On by default.</summary>
    public bool InstallOnStart { get; set; } = true;

    /// <summary>Queue entries applied per destination per remote transaction. 1,000 by default.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>
    /// The most bytes of remote statements per remote transaction (besides <see cref="BatchSize"/>): a batch
    /// stops before the entry that would pass it, but its first entry always goes, so an entry larger than
    /// this goes alone. It keeps a batch of large entries (statements of many rows) well under PostgreSQL's
    /// 1 GB limit on one string. 16 MiB by default.
    /// </summary>
    public int BatchBytes { get; set; } = DefaultBatchBytes;

    /// <summary>The default <see cref="BatchBytes"/>, also what apply_pending uses for any other caller: 16 MiB.</summary>
    public const int DefaultBatchBytes = 16 * 1024 * 1024;

    /// <summary>How often the worker looks at the queue when no NOTIFY woke it. 5 seconds by default.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait after a destination fails; it doubles (with jitter) up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts on a destination that is down. 1 minute by default.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the worker settles what each destination recorded as applied (pgsync.resolve_applied):
    /// entries applied whose local delete was lost leave the queue, and the keys of a transaction that
    /// aborted after its Sync/Strict changes reached a destination are restored there. This bounds how
    /// long a destination reader can see such a change. 1 second by default.
    /// </summary>
    public TimeSpan ResolveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the worker waits for a destination's answer (one batch, or one look at what it applied)
    /// before it drops the connection and backs off: a destination that stops answering holds neither
    /// the worker nor the destination's lock longer. 30 seconds by default.
    /// </summary>
    public TimeSpan RemoteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The health check reports Degraded when a destination's oldest entry is older than this. 1 minute by default.</summary>
    public TimeSpan DegradedLag { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long this database's conflict log (<c>pgsync.conflict_log</c>, where it is the destination of a
    /// table with a conflict policy) keeps a conflict; the worker removes older ones every minute. 7 days by default.
    /// </summary>
    public TimeSpan ConflictRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long the row versions of a table with a conflict policy keep a deleted key's tombstone, which stops
    /// an older write from bringing the row back; the worker removes older ones every minute. It must exceed
    /// the longest a change can take to reach every node (the longest outage): a change older than a removed
    /// tombstone would be applied as over a key never written. 7 days by default.
    /// </summary>
    public TimeSpan TombstoneRetention { get; set; } = TimeSpan.FromDays(7);
}
