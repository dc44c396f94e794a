using System.Collections.Generic;

namespace RoslynPgSync.Verification;

/// <summary>
/// One table compared with one destination: row counts, whether they are equal (same keys, same
/// values in every replicated column), and the keys that differ, each written as PostgreSQL writes
/// a row of the key columns, e.g. <c>(1,abc)</c>.
/// </summary>
/// <param name="Table">The source table, <c>schema.name</c>.</param>
/// <param name="Server">The destination server.</param>
/// <param name="Target">The target table, <c>schema.name</c>.</param>
/// <param name="SourceCount">Rows on the source (matching the destination's <c>Where</c>); -1 when <see cref="SchemaProblems"/> kept the rows from being compared.</param>
/// <param name="TargetCount">Rows on the target; -1 when <see cref="SchemaProblems"/> kept the rows from being compared.</param>
/// <param name="Missing">Keys on the source that the target lacks.</param>
/// <param name="Extra">Keys on the target that the source lacks.</param>
/// <param name="Changed">Keys on both whose replicated columns differ.</param>
public sealed record VerificationResult(
    string Table,
    string Server,
    string Target,
    long SourceCount,
    long TargetCount,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Extra,
    IReadOnlyList<string> Changed)
{
    /// <summary>Keys read into the process, both sides together: only the rows of differing leaf buckets.</summary>
    public long KeysRead { get; init; }

    /// <summary>
    /// How the source or the target no longer matches the model (a column dropped, added without a
    /// default, retyped; the key changed): schema drift since the install. Rows are not compared then.
    /// </summary>
    public IReadOnlyList<string> SchemaProblems { get; init; } = [];

    /// <summary>Source columns the model does not carry, so their values never reach the destination (not a difference by itself).</summary>
    public IReadOnlyList<string> Unreplicated { get; init; } = [];

    /// <summary>
    /// Whether the destination had applied every entry queued for it before each snapshot of the source
    /// the comparison used (the consistent point). False when the verifier stopped waiting for the queue
    /// (<see cref="PgSyncVerifier.SettleTimeout"/>): differences may then be changes still queued.
    /// </summary>
    public bool Settled { get; init; } = true;

    /// <summary>
    /// Entries queued before the comparison and not applied when the verifier stopped waiting; 0 when
    /// <see cref="Settled"/>; -1 when the verifier's role may not read the queue, so that it compared
    /// without a consistent point.
    /// </summary>
    public long PendingEntries { get; init; }

    /// <summary>How many times the differing keys were read again at a new consistent point (<see cref="PgSyncVerifier.Rechecks"/>).</summary>
    public int RecheckRounds { get; init; }

    /// <summary>More keys differed of some kind than <see cref="PgSyncVerifier.MaxKeys"/>: the lists hold the first ones.</summary>
    public bool Truncated { get; init; }

    /// <summary>
    /// The totals differed but no key did (a hash collision of different rows' text could do it): not
    /// equal, since "equal" is only said when every bucket agrees.
    /// </summary>
    internal bool Unexplained { get; init; }

    /// <summary>Each listed key as the JSON object of its key columns, which the table's restore function reads (the repair).</summary>
    internal IReadOnlyDictionary<string, string> KeysJson { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Both sides have the model's shape and hold the same rows at the consistent point: no key differs,
    /// none left unlisted, and every bucket agrees. <see cref="SourceCount"/> and <see cref="TargetCount"/>
    /// are the first comparison's; with changes in flight then (settled by a recheck) they can differ.
    /// </summary>
    public bool IsEqual => SchemaProblems.Count == 0 && Missing.Count == 0 && Extra.Count == 0 && Changed.Count == 0 && !Truncated && !Unexplained;

    /// <inheritdoc />
    public override string ToString()
    {
        var text = SchemaProblems.Count > 0
            ? $"{Table} -> {Server}:{Target}: schema drift, rows not compared: {string.Join(" ", SchemaProblems)}"
            : IsEqual
                ? $"{Table} -> {Server}:{Target}: equal ({SourceCount} rows)"
                : $"{Table} -> {Server}:{Target}: {SourceCount} vs {TargetCount} rows; {Missing.Count}{(Truncated ? "+" : string.Empty)} missing, {Extra.Count} extra, {Changed.Count} changed" +
                  (Unexplained ? " (the row hashes differ, yet no key does)" : string.Empty);
        if (!Settled)
        {
            text += PendingEntries < 0
                ? " (compared without a consistent point: this role may not read the queue, so differences may be changes still queued)"
                : $" ({PendingEntries} entries queued before the comparison were not applied yet: differences may be those)";
        }

        return Unreplicated.Count > 0 ? text + " Note: " + string.Join(" ", Unreplicated) : text;
    }
}
