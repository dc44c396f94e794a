using System;

namespace RoslynPgSync.Hosting;

/// <summary>
/// One conflict this database met as the destination of a table with a conflict policy, or of any table
/// whose incoming row collided with a row here on a unique index other than the key
/// (<c>pgsync.conflict_log</c>, docs/multi-master.md).
/// </summary>
/// <param name="Id">The record's id (increasing).</param>
/// <param name="LoggedAt">When the apply met it.</param>
/// <param name="Table">The target table, <c>schema.table</c>.</param>
/// <param name="Key">The row's key, as JSON.</param>
/// <param name="Kind">PostgreSQL 18's name: insert_exists, update_exists, update_missing, update_origin_differs, delete_missing or delete_origin_differs.</param>
/// <param name="Resolution"><c>apply_remote</c> (the incoming write won), <c>keep_local</c>, or <c>error</c> (a collision on
/// <paramref name="IndexName"/>: the origin's queue stopped at the entry).</param>
/// <param name="LocalOrigin">The origin of the write the destination held (null: none was stamped).</param>
/// <param name="LocalAt">Its write time.</param>
/// <param name="LocalRow">The destination's row as JSON (at most 8,192 characters), or null when there was none.</param>
/// <param name="RemoteOrigin">The origin of the incoming write.</param>
/// <param name="RemoteAt">Its write time.</param>
/// <param name="RemoteRow">The incoming row (or key) as JSON, with its stamp (at most 8,192 characters).</param>
/// <param name="Entries">The first and last queue entry, on the origin, of the batch that carried it.</param>
/// <param name="IndexName">The unique index other than the key that the incoming row collided with (null for the others).</param>
public sealed record ConflictRecord(
    long Id,
    DateTimeOffset LoggedAt,
    string Table,
    string Key,
    string Kind,
    string Resolution,
    string? LocalOrigin,
    DateTimeOffset? LocalAt,
    string? LocalRow,
    string RemoteOrigin,
    DateTimeOffset RemoteAt,
    string? RemoteRow,
    string? Entries,
    string? IndexName = null);

/// <summary>How many conflicts of one kind, resolved one way, a table met (since a given record).</summary>
/// <param name="Table">The target table, <c>schema.table</c>.</param>
/// <param name="Kind">The conflict's kind (<see cref="ConflictRecord.Kind"/>).</param>
/// <param name="Resolution">How they were resolved.</param>
/// <param name="Count">How many.</param>
/// <param name="LastId">The latest one's record id.</param>
/// <param name="Last">When the latest one was met.</param>
public sealed record ConflictCount(string Table, string Kind, string Resolution, long Count, long LastId, DateTimeOffset Last);

/// <summary>
/// How many conflicts of one kind, resolved one way, a table met since this database's conflict log was
/// made: counted in the transactions that record them, and kept when the records themselves are purged.
/// </summary>
/// <param name="Table">The target table, <c>schema.table</c>.</param>
/// <param name="Kind">The conflict's kind (<see cref="ConflictRecord.Kind"/>).</param>
/// <param name="Resolution">How they were resolved.</param>
/// <param name="Recorded">How many.</param>
public sealed record ConflictTotal(string Table, string Kind, string Resolution, long Recorded);
