using System;

namespace RoslynPgSync.Hosting;

/// <summary>How far behind one destination is and how it last went (the <c>pgsync.status</c> view).</summary>
/// <param name="Server">The destination server name.</param>
/// <param name="Depth">Queue entries waiting for it.</param>
/// <param name="OldestAge">Age of its oldest waiting entry; <see cref="TimeSpan.Zero"/> when none waits.</param>
/// <param name="LastSuccess">When entries were last applied, if ever.</param>
/// <param name="LastError">The last failure's message (no passwords: PostgreSQL's and dblink's text), if it has not succeeded since.</param>
/// <param name="LastErrorTime">When that failure happened.</param>
/// <param name="LastErrorEntry">The first queue entry of the batch that failed.</param>
public sealed record DestinationStatus(
    string Server,
    long Depth,
    TimeSpan OldestAge,
    DateTimeOffset? LastSuccess,
    string? LastError,
    DateTimeOffset? LastErrorTime,
    long? LastErrorEntry);
