using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;

namespace RoslynPgSync.Verification;

/// <summary>
/// What the verifier logs: tables, servers, target tables and counts, never a connection string or password.
/// Ids and names are <see cref="PgSyncEventIds"/>' (3000-3999), listed in docs/logging.md.
/// </summary>
internal static partial class VerifierLog
{
    [LoggerMessage(EventId = PgSyncEventIds.VerifyStarted, EventName = nameof(PgSyncEventIds.VerifyStarted), Level = LogLevel.Debug,
        Message = "Verifying {Table} against {Server}:{TargetSchema}.{TargetTable}")]
    public static partial void Started(ILogger logger, ReplicatedTable table, string server, string targetSchema, string targetTable);

    [LoggerMessage(EventId = PgSyncEventIds.VerifiedEqual, EventName = nameof(PgSyncEventIds.VerifiedEqual), Level = LogLevel.Information,
        Message = "{Table} -> {Server}:{Target}: equal ({Rows} rows) in {Milliseconds} ms")]
    public static partial void Equal(ILogger logger, string table, string server, string target, long rows, long milliseconds);

    [LoggerMessage(EventId = PgSyncEventIds.VerifiedDifferent, EventName = nameof(PgSyncEventIds.VerifiedDifferent), Level = LogLevel.Warning,
        Message = "{Table} -> {Server}:{Target}: {SourceRows} vs {TargetRows} rows; {Missing} missing, {Extra} extra, {Changed} changed ({KeysRead} keys read, {Milliseconds} ms)")]
    public static partial void Different(ILogger logger, string table, string server, string target, long sourceRows, long targetRows, int missing, int extra, int changed, long keysRead, long milliseconds);

    [LoggerMessage(EventId = PgSyncEventIds.VerifySchemaDrift, EventName = nameof(PgSyncEventIds.VerifySchemaDrift), Level = LogLevel.Warning,
        Message = "{Table} -> {Server}:{Target}: {ProblemCount} schema problem(s), rows not compared: {Problems}")]
    public static partial void SchemaDrift(ILogger logger, string table, string server, string target, int problemCount, IReadOnlyList<string> problems);

    [LoggerMessage(EventId = PgSyncEventIds.VerifySkipped, EventName = nameof(PgSyncEventIds.VerifySkipped), Level = LogLevel.Debug,
        Message = "{Table} -> {Server}: not verified, the server is not registered with PgSyncOptions.AddServer")]
    public static partial void Skipped(ILogger logger, ReplicatedTable table, string server);

    [LoggerMessage(EventId = PgSyncEventIds.VerifySettling, EventName = nameof(PgSyncEventIds.VerifySettling), Level = LogLevel.Information,
        Message = "Verifying against {Server} waits for its queue to apply entry {Mark} and those before it ({Error}); retrying in {Delay}")]
    public static partial void Settling(ILogger logger, string server, long mark, string? error, TimeSpan delay);

    [LoggerMessage(EventId = PgSyncEventIds.RepairQueued, EventName = nameof(PgSyncEventIds.RepairQueued), Level = LogLevel.Information,
        Message = "{Table} -> {Server}:{Target}: the repair of {Keys} keys is queued as entry {Entry}")]
    public static partial void RepairQueued(ILogger logger, string table, string server, string target, int keys, long entry);

    [LoggerMessage(EventId = PgSyncEventIds.RepairWaiting, EventName = nameof(PgSyncEventIds.RepairWaiting), Level = LogLevel.Warning,
        Message = "The repair of {Table} to {Server} waits: the destination has not applied entry {Entry} ({Error}); retrying in {Delay}")]
    public static partial void Waiting(ILogger logger, string table, string server, long entry, string? error, TimeSpan delay);

    [LoggerMessage(EventId = PgSyncEventIds.RepairRefused, EventName = nameof(PgSyncEventIds.RepairRefused), Level = LogLevel.Warning,
        Message = "{Table} -> {Server}:{Target}: not repaired: {Reason}")]
    public static partial void RepairRefused(ILogger logger, string table, string server, string target, string reason);
}
