using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;

namespace RoslynPgSync.Hosting;

/// <summary>
/// Every message the worker writes: names servers and counts, never a connection string or password.
/// Ids and names are <see cref="PgSyncEventIds"/>' (2000-2999), listed in docs/logging.md.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = PgSyncEventIds.WorkerInstalled, EventName = nameof(PgSyncEventIds.WorkerInstalled), Level = LogLevel.Information,
        Message = "RoslynPgSync installed {TableCount} table(s) for destination(s) {Servers}")]
    public static partial void Installed(ILogger logger, int tableCount, IReadOnlyList<string> servers);

    [LoggerMessage(EventId = PgSyncEventIds.WorkerInstallFailed, EventName = nameof(PgSyncEventIds.WorkerInstallFailed), Level = LogLevel.Error,
        Message = "RoslynPgSync could not install; retrying in {Delay}")]
    public static partial void InstallFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = PgSyncEventIds.DestinationDown, EventName = nameof(PgSyncEventIds.DestinationDown), Level = LogLevel.Warning,
        Message = "Destination {Server} failed: {Error} (queue entry {Entry}, table {Table}). Its {Depth} queued entries wait; retrying with backoff")]
    public static partial void DestinationDown(ILogger logger, string server, string error, long? entry, string? table, long depth);

    [LoggerMessage(EventId = PgSyncEventIds.DestinationBack, EventName = nameof(PgSyncEventIds.DestinationBack), Level = LogLevel.Information,
        Message = "Destination {Server} is back after {Downtime}")]
    public static partial void DestinationBack(ILogger logger, string server, TimeSpan downtime);

    [LoggerMessage(EventId = PgSyncEventIds.Applied, EventName = nameof(PgSyncEventIds.Applied), Level = LogLevel.Debug,
        Message = "Applied {Entries} entries ({Rows} rows) to {Server} in {Milliseconds} ms")]
    public static partial void Applied(ILogger logger, long entries, long rows, string server, long milliseconds);

    [LoggerMessage(EventId = PgSyncEventIds.ListenLost, EventName = nameof(PgSyncEventIds.ListenLost), Level = LogLevel.Warning,
        Message = "The LISTEN connection was lost; polling until it is back")]
    public static partial void ListenLost(ILogger logger, Exception exception);

    [LoggerMessage(EventId = PgSyncEventIds.CycleFailed, EventName = nameof(PgSyncEventIds.CycleFailed), Level = LogLevel.Error,
        Message = "Replay cycle failed; retrying in {Delay}")]
    public static partial void CycleFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = PgSyncEventIds.WorkerStopped, EventName = nameof(PgSyncEventIds.WorkerStopped), Level = LogLevel.Information,
        Message = "RoslynPgSync replay worker stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = PgSyncEventIds.StillDown, EventName = nameof(PgSyncEventIds.StillDown), Level = LogLevel.Debug,
        Message = "Destination {Server} still fails: {Error} (queue entry {Entry}, table {Table}); next attempt in {Delay}")]
    public static partial void StillDown(ILogger logger, string server, string error, long? entry, string? table, TimeSpan delay);

    [LoggerMessage(EventId = PgSyncEventIds.Restored, EventName = nameof(PgSyncEventIds.Restored), Level = LogLevel.Warning,
        Message = "Destination {Server} had changes of {Transactions} source transaction(s) that aborted after sending them; their rows were restored from the source")]
    public static partial void Restored(ILogger logger, string server, int transactions);

    [LoggerMessage(EventId = PgSyncEventIds.SettleFailed, EventName = nameof(PgSyncEventIds.SettleFailed), Level = LogLevel.Warning,
        Message = "Settling what destination {Server} applied failed; it is tried again at the next settle: {Error}")]
    public static partial void SettleFailed(ILogger logger, string server, string error);
}
