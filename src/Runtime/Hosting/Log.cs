using System;
using Microsoft.Extensions.Logging;

namespace RoslynPgSync.Hosting;

/// <summary>Every message the worker writes: names servers and counts, never a connection string or password.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "RoslynPgSync installed {TableCount} table(s) for destination(s) {Servers}")]
    public static partial void Installed(ILogger logger, int tableCount, string servers);

    [LoggerMessage(2, LogLevel.Error, "RoslynPgSync could not install; retrying in {Delay}")]
    public static partial void InstallFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(3, LogLevel.Warning, "Destination {Server} failed: {Error} (queue entry {Entry}, table {Table}). Its {Depth} queued entries wait; retrying with backoff")]
    public static partial void DestinationDown(ILogger logger, string server, string error, long? entry, string? table, long depth);

    [LoggerMessage(4, LogLevel.Information, "Destination {Server} is back after {Downtime}")]
    public static partial void DestinationBack(ILogger logger, string server, TimeSpan downtime);

    [LoggerMessage(5, LogLevel.Debug, "Applied {Entries} entries ({Rows} rows) to {Server} in {Milliseconds} ms")]
    public static partial void Applied(ILogger logger, long entries, long rows, string server, long milliseconds);

    [LoggerMessage(6, LogLevel.Warning, "The LISTEN connection was lost; polling until it is back")]
    public static partial void ListenLost(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "Replay cycle failed; retrying in {Delay}")]
    public static partial void CycleFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(9, LogLevel.Debug, "Destination {Server} still fails: {Error} (queue entry {Entry}, table {Table}); next attempt in {Delay}")]
    public static partial void StillDown(ILogger logger, string server, string error, long? entry, string? table, TimeSpan delay);

    [LoggerMessage(10, LogLevel.Warning, "Destination {Server} had changes of {Transactions} source transaction(s) that aborted after sending them; their rows were restored from the source")]
    public static partial void Restored(ILogger logger, string server, int transactions);

    [LoggerMessage(8, LogLevel.Information, "RoslynPgSync replay worker stopped")]
    public static partial void Stopped(ILogger logger);
}
