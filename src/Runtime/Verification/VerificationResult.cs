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

    /// <summary>Both sides have the model's shape and hold the same rows.</summary>
    public bool IsEqual => SchemaProblems.Count == 0 && Missing.Count == 0 && Extra.Count == 0 && Changed.Count == 0 && SourceCount == TargetCount;

    /// <inheritdoc />
    public override string ToString()
    {
        var text = SchemaProblems.Count > 0
            ? $"{Table} -> {Server}:{Target}: schema drift, rows not compared: {string.Join(" ", SchemaProblems)}"
            : IsEqual
                ? $"{Table} -> {Server}:{Target}: equal ({SourceCount} rows)"
                : $"{Table} -> {Server}:{Target}: {SourceCount} vs {TargetCount} rows; {Missing.Count} missing, {Extra.Count} extra, {Changed.Count} changed";
        return Unreplicated.Count > 0 ? text + " Note: " + string.Join(" ", Unreplicated) : text;
    }
}
