using System;
using Microsoft.Extensions.Logging;

namespace RoslynPgSync.Copy;

/// <summary>
/// What the initial copy logs: tables, servers, counts and durations, never a connection string, a
/// password or a row. Ids and names are <see cref="PgSyncEventIds"/>' (5000-5999), listed in docs/logging.md.
/// </summary>
internal static partial class CopyLog
{
    [LoggerMessage(EventId = PgSyncEventIds.CopyStarted, EventName = nameof(PgSyncEventIds.CopyStarted), Level = LogLevel.Information,
        Message = "Initial copy of {Table} to {Server} {Action} ({Mode}; about {Estimate} rows, {Copied} copied before)")]
    public static partial void Started(ILogger logger, string table, string server, string action, string mode, long? estimate, long copied);

    [LoggerMessage(EventId = PgSyncEventIds.CopyChunk, EventName = nameof(PgSyncEventIds.CopyChunk), Level = LogLevel.Debug,
        Message = "Initial copy of {Table} to {Server}: chunk {Chunk} of {Rows} rows queued as entry {Entry} and applied in {Milliseconds} ms")]
    public static partial void Chunk(ILogger logger, string table, string server, long chunk, long rows, long? entry, long milliseconds);

    [LoggerMessage(EventId = PgSyncEventIds.CopyProgress, EventName = nameof(PgSyncEventIds.CopyProgress), Level = LogLevel.Information,
        Message = "Initial copy of {Table} to {Server}: {Copied} of about {Estimate} rows, {RowsPerSecond:F0} rows/s, {Remaining} left")]
    public static partial void Progress(ILogger logger, string table, string server, long copied, long? estimate, double? rowsPerSecond, TimeSpan? remaining);

    [LoggerMessage(EventId = PgSyncEventIds.CopyDone, EventName = nameof(PgSyncEventIds.CopyDone), Level = LogLevel.Information,
        Message = "Initial copy of {Table} to {Server} done: {Copied} rows in {Chunks} chunks, {RowsPerSecond:F0} rows/s")]
    public static partial void Done(ILogger logger, string table, string server, long copied, long chunks, double? rowsPerSecond);

    [LoggerMessage(EventId = PgSyncEventIds.CopySkipped, EventName = nameof(PgSyncEventIds.CopySkipped), Level = LogLevel.Warning,
        Message = "Initial copy of {Table} to {Server} {Status}: {Reason}")]
    public static partial void Skipped(ILogger logger, string table, string server, string status, string? reason);

    [LoggerMessage(EventId = PgSyncEventIds.CopyWaiting, EventName = nameof(PgSyncEventIds.CopyWaiting), Level = LogLevel.Warning,
        Message = "Initial copy of {Table} to {Server} waits: the destination has not applied entry {Entry} ({Error}); retrying in {Delay}")]
    public static partial void Waiting(ILogger logger, string table, string server, long entry, string? error, TimeSpan delay);
}
