using System.Collections.Generic;
using Microsoft.Extensions.Logging;

namespace RoslynPgSync.Installation;

/// <summary>
/// What the installer logs: tables, servers (by their <c>AddServer</c> name), the RoslynPgSync schema, the
/// install plan's step descriptions, counts and durations; never a connection string, a password or a
/// step's SQL or values. Ids and names are <see cref="PgSyncEventIds"/>' (1000-1999), listed in docs/logging.md.
/// </summary>
internal static partial class InstallerLog
{
    [LoggerMessage(EventId = PgSyncEventIds.InstallStarted, EventName = nameof(PgSyncEventIds.InstallStarted), Level = LogLevel.Debug,
        Message = "Installing RoslynPgSync in schema {Schema}: {TableCount} table(s) {Tables} for destination(s) {Servers}; {SkippedCount} table(s) skipped, their servers not registered on this node")]
    public static partial void Started(ILogger logger, string schema, int tableCount, IReadOnlyList<string> tables, IReadOnlyList<string> servers, int skippedCount);

    [LoggerMessage(EventId = PgSyncEventIds.InstallStep, EventName = nameof(PgSyncEventIds.InstallStep), Level = LogLevel.Debug,
        Message = "Install step {Step}/{StepCount} ran in {Milliseconds} ms: {Description}")]
    public static partial void Step(ILogger logger, int step, int stepCount, long milliseconds, string description);

    [LoggerMessage(EventId = PgSyncEventIds.Installed, EventName = nameof(PgSyncEventIds.Installed), Level = LogLevel.Information,
        Message = "RoslynPgSync installed {TableCount} table(s) {Tables} for destination(s) {Servers} in {Milliseconds} ms")]
    public static partial void Installed(ILogger logger, int tableCount, IReadOnlyList<string> tables, IReadOnlyList<string> servers, long milliseconds);

    // The reason is PgSyncInstallException's message, which names tables, columns and servers but never a password.
    [LoggerMessage(EventId = PgSyncEventIds.InstallRefused, EventName = nameof(PgSyncEventIds.InstallRefused), Level = LogLevel.Warning,
        Message = "RoslynPgSync did not install and changed nothing: {Reason}")]
    public static partial void Refused(ILogger logger, string reason);

    [LoggerMessage(EventId = PgSyncEventIds.Uninstalled, EventName = nameof(PgSyncEventIds.Uninstalled), Level = LogLevel.Information,
        Message = "RoslynPgSync uninstalled: schema {Schema} dropped, capture removed from {TableCount} table(s) {Tables}, foreign server(s) {Servers} dropped; tables and rows stay")]
    public static partial void Uninstalled(ILogger logger, string schema, int tableCount, IReadOnlyList<string> tables, IReadOnlyList<string> servers);

    // The gap's own words (CaptureGap.ToString): a table, a trigger name, a time and what to do.
    [LoggerMessage(EventId = PgSyncEventIds.CaptureWasOff, EventName = nameof(PgSyncEventIds.CaptureWasOff), Level = LogLevel.Warning,
        Message = "RoslynPgSync: {Gap}")]
    public static partial void CaptureWasOff(ILogger logger, string gap);
}
