namespace RoslynPgSync;

/// <summary>
/// What happens to the rows a source table already holds when replication to a destination is installed
/// (<see cref="PgSyncOptions.InitialCopy"/>): the copy runs once per table and destination, online, in
/// key-ordered chunks that travel through the queue with the changes, and its progress is recorded in the
/// source database (<c>pgsync.copy_status</c>).
/// </summary>
public enum InitialCopyMode
{
    /// <summary>
    /// Copy when the target table is empty at install; a target that already holds rows is left as it is
    /// and the copy is recorded as skipped, with the reason (run <c>pgsync copy --replace</c> to make it equal).
    /// The default: it never overwrites or removes a row on the destination.
    /// </summary>
    WhenTargetEmpty = 0,

    /// <summary>Never copy: only changes made after the install reach the destination.</summary>
    Never = 1,

    /// <summary>
    /// Make the target equal to the source: it is emptied first (TRUNCATE, through the queue), then every
    /// source row is copied, so rows the source lacks are removed.
    /// </summary>
    Replace = 2,
}
