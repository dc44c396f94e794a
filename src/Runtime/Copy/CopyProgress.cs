using System;

namespace RoslynPgSync.Copy;

/// <summary>Where an initial copy of one table to one destination stands (<c>pgsync.copy_status</c>).</summary>
public enum CopyStatus
{
    /// <summary>Recorded, not started.</summary>
    Pending,

    /// <summary>Chunks are being queued and applied; the target is not complete yet.</summary>
    Copying,

    /// <summary>Every chunk reached the destination.</summary>
    Done,

    /// <summary>Not copied (the reason says why: the target had rows, with <see cref="InitialCopyMode.WhenTargetEmpty"/>).</summary>
    Skipped,

    /// <summary>An operator skipped one of its chunks, so the target lacks rows: copy again with <c>--replace</c>.</summary>
    Failed,
}

/// <summary>The progress of one table's initial copy to one destination.</summary>
/// <param name="Table">The source table, <c>schema.table</c>.</param>
/// <param name="Server">The destination server.</param>
/// <param name="Replace">Whether the target is emptied first (<see cref="InitialCopyMode.Replace"/>, <c>pgsync copy --replace</c>).</param>
/// <param name="Status">Where it stands.</param>
/// <param name="RowsCopied">Rows queued so far (applied, once <see cref="Status"/> is <see cref="CopyStatus.Done"/>).</param>
/// <param name="RowsEstimate">The source's row estimate when the copy started.</param>
/// <param name="Chunks">Chunks queued so far.</param>
/// <param name="RowsPerSecond">Rows copied per second since it started (to its end, once finished).</param>
/// <param name="Remaining">The estimated time left while it runs.</param>
/// <param name="StartedAt">When its first chunk was queued.</param>
/// <param name="FinishedAt">When it was done.</param>
/// <param name="Reason">Why it was skipped or failed.</param>
/// <param name="LastKey">The last key queued, as JSON (where a resumed copy goes on from).</param>
public sealed record CopyProgress(
    string Table,
    string Server,
    bool Replace,
    CopyStatus Status,
    long RowsCopied,
    long? RowsEstimate,
    long Chunks,
    double? RowsPerSecond,
    TimeSpan? Remaining,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Reason,
    string? LastKey)
{
    /// <summary>Pending or copying: the destination does not have every row yet.</summary>
    public bool IsRunning => Status is CopyStatus.Pending or CopyStatus.Copying;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Table} to {Server}: {Status.ToString().ToLowerInvariant()}, {RowsCopied} of ~{RowsEstimate?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} rows" +
        (Reason is null ? string.Empty : " (" + Reason + ")");
}
