namespace RoslynPgSync;

/// <summary>When a captured change is sent to its destination, and what a failure does to the local transaction.</summary>
public enum ReplicationMode
{
    /// <summary>
    /// The change is queued in the writer's transaction and applied in the background by the replay worker
    /// (or <c>pgsync.deal_sync_err_rec</c>). The cheapest mode for the writer. The default.
    /// </summary>
    Async = 0,

    /// <summary>
    /// The change is sent to the destination at commit. If the destination fails, the change stays in the
    /// queue for replay and the local commit goes on.
    /// </summary>
    Sync = 1,

    /// <summary>
    /// The change is sent to the destination at commit. If the destination fails, the local transaction
    /// fails too: nothing commits on either side.
    /// </summary>
    Strict = 2,
}
