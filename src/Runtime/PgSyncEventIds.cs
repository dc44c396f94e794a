namespace RoslynPgSync;

/// <summary>
/// The event ids of everything RoslynPgSync logs, in ranges by the part that logs it, so a log filter or an
/// alert can select a part by range and an event by id: 1000-1999 the installer, 2000-2999 the replay
/// worker, 3000-3999 the verifier, 4000-4999 the monitor and the health check, 5000-5999 the initial copy. Each event's name
/// (<c>EventId.Name</c>) is its field's name here; docs/logging.md lists every id with its level and meaning.
/// An id keeps its meaning across releases; new events take new ids in their part's range.
/// </summary>
public static class PgSyncEventIds
{
    // Installer: 1000-1999.

    /// <summary>An install or re-install begins: the tables and destinations it covers.</summary>
    public const int InstallStarted = 1000;

    /// <summary>One step of the install plan ran (the same steps <c>pgsync script</c> prints).</summary>
    public const int InstallStep = 1001;

    /// <summary>The install committed: replication is in place for the tables and destinations named.</summary>
    public const int Installed = 1002;

    /// <summary>The install refused and changed nothing (schema drift, missing rights, an unreachable destination); the message says why.</summary>
    public const int InstallRefused = 1003;

    /// <summary>Triggers, functions, foreign servers and the pgsync schema were removed; tables and rows stay.</summary>
    public const int Uninstalled = 1004;

    /// <summary>A replicated table's capture is or was off (a capture trigger disabled, replica-only or dropped): changes were not captured; the message says what to do.</summary>
    public const int CaptureWasOff = 1005;

    // Replay worker: 2000-2999.

    /// <summary>The worker installed at start-up (or after retrying).</summary>
    public const int WorkerInstalled = 2000;

    /// <summary>The worker's install at start-up failed; it retries after a delay.</summary>
    public const int WorkerInstallFailed = 2001;

    /// <summary>A destination started failing: its error, the queue entry and table it failed on; its entries wait.</summary>
    public const int DestinationDown = 2002;

    /// <summary>A failing destination accepts changes again.</summary>
    public const int DestinationBack = 2003;

    /// <summary>A batch of queued entries reached a destination.</summary>
    public const int Applied = 2004;

    /// <summary>The LISTEN connection was lost; the worker polls until it is back.</summary>
    public const int ListenLost = 2005;

    /// <summary>A replay cycle failed as a whole; the worker retries after a delay.</summary>
    public const int CycleFailed = 2006;

    /// <summary>The worker stopped.</summary>
    public const int WorkerStopped = 2007;

    /// <summary>A destination still fails; the next attempt is after the backoff delay.</summary>
    public const int StillDown = 2008;

    /// <summary>Changes of source transactions that aborted after sending them were undone on a destination.</summary>
    public const int Restored = 2009;

    /// <summary>
    /// What a destination recorded as applied could not be settled: the restore of an aborted transaction's
    /// changes, or the upkeep of that record, failed there (the destination's error is in the message). The
    /// next settle tries again; until one succeeds, those changes stay on the destination.
    /// </summary>
    public const int SettleFailed = 2010;

    // Verifier: 3000-3999.

    /// <summary>The verifier starts comparing a table with one of its destinations.</summary>
    public const int VerifyStarted = 3000;

    /// <summary>A table and its destination hold the same rows.</summary>
    public const int VerifiedEqual = 3001;

    /// <summary>A table and its destination differ: counts of missing, extra and changed rows.</summary>
    public const int VerifiedDifferent = 3002;

    /// <summary>A table or its destination no longer has the model's shape; rows were not compared.</summary>
    public const int VerifySchemaDrift = 3003;

    /// <summary>A target was left out because its server is not registered with <c>PgSyncOptions.AddServer</c>.</summary>
    public const int VerifySkipped = 3004;

    /// <summary>The verifier waits for the destination's queue to reach its consistent point (the destination's last error, the delay).</summary>
    public const int VerifySettling = 3005;

    /// <summary>The repair queued the refresh of differing keys of a target as one entry.</summary>
    public const int RepairQueued = 3006;

    /// <summary>The repair waits for the destination to apply its entry (the destination's last error, the delay).</summary>
    public const int RepairWaiting = 3007;

    /// <summary>The repair left a differing target as it was: schema drift, or older entries not applied yet.</summary>
    public const int RepairRefused = 3008;

    // Monitor and health check: 4000-4999 (none yet).

    // Initial copy: 5000-5999.

    /// <summary>An initial copy of a table to a destination starts (or resumes after a restart): its mode and estimated rows.</summary>
    public const int CopyStarted = 5000;

    /// <summary>One chunk of an initial copy was queued and applied.</summary>
    public const int CopyChunk = 5001;

    /// <summary>An initial copy's progress (every few seconds while it runs): rows, rate, time left.</summary>
    public const int CopyProgress = 5002;

    /// <summary>An initial copy is done: every chunk reached the destination.</summary>
    public const int CopyDone = 5003;

    /// <summary>An initial copy was not run: the target had rows (WhenTargetEmpty), or it was recorded as failed.</summary>
    public const int CopySkipped = 5004;

    /// <summary>A destination did not accept an initial copy's chunk yet; the copy waits and retries.</summary>
    public const int CopyWaiting = 5005;
}
