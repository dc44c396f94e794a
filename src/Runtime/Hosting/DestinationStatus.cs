using System;

namespace RoslynPgSync.Hosting;

/// <summary>
/// How far behind one stream is and how it last went (the <c>pgsync.status</c> view): a destination's
/// channel, <see cref="Channel"/> empty for its default one (every table that names no channel).
/// </summary>
/// <param name="Server">The destination server name.</param>
/// <param name="Depth">Queue entries waiting for it.</param>
/// <param name="OldestAge">Age of its oldest waiting entry; <see cref="TimeSpan.Zero"/> when none waits.</param>
/// <param name="LastSuccess">When entries were last applied, if ever.</param>
/// <param name="LastError">The last failure's message (no passwords: PostgreSQL's and dblink's text), if it has not succeeded since.</param>
/// <param name="LastErrorTime">When that failure happened.</param>
/// <param name="LastErrorEntry">
/// The queue entry the destination rejected (the queue stops there, see <c>skip_entry</c>); for a
/// destination that could not be reached, the first entry waiting.
/// </param>
/// <param name="LastErrorTable">The source table of <paramref name="LastErrorEntry"/>, quoted as <c>schema.table</c>.</param>
/// <param name="Channel">The channel (<c>[Replicate(..., Channel = "...")]</c>); empty: the destination's default channel.</param>
public sealed record DestinationStatus(
    string Server,
    long Depth,
    TimeSpan OldestAge,
    DateTimeOffset? LastSuccess,
    string? LastError,
    DateTimeOffset? LastErrorTime,
    long? LastErrorEntry,
    string? LastErrorTable = null,
    string Channel = "")
{
    /// <summary>The stream's name in logs, health checks and the tool: the server, or <c>server/channel</c>.</summary>
    public string Stream => StreamName(Server, Channel);

    /// <summary>A stream's name: <paramref name="server"/>, or <c>server/channel</c> for a named channel.</summary>
    internal static string StreamName(string server, string channel) => channel.Length == 0 ? server : server + "/" + channel;
}
