namespace RoslynPgSync;

/// <summary>
/// What a destination does when a replicated change meets a row that was written there since (the same key
/// written on two nodes of a multi-master pair before either change arrived at the other).
/// <see cref="ReplicateAttribute.Conflicts"/>; see docs/multi-master.md.
/// </summary>
public enum ConflictPolicy
{
    /// <summary>
    /// The incoming change is applied whatever the destination holds: right for one-way copies, where nothing
    /// else writes the destination's table. The default.
    /// </summary>
    ApplyRemote = 0,

    /// <summary>
    /// The later write wins: by the model's version member (<c>[ConcurrencyCheck]</c> or <c>[Timestamp]</c>) when
    /// there is one, the higher version winning, else by write time; ties are broken by node name.
    /// </summary>
    LastWriterWins = 1,

    /// <summary>The destination's row stays; the incoming change is dropped (and recorded).</summary>
    KeepLocal = 2,

    /// <summary>
    /// The destination's queue stops at the entry with the conflict, which stays visible until an operator
    /// resolves it (as with <c>pgsync.skip_entry</c>).
    /// </summary>
    Error = 3,
}
