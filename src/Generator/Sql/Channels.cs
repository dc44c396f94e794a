// Shared source: compiled into the generator (its diagnostic PGSYNC015) and linked into the runtime
// (ReplicationTarget refuses the same names), so that one rule says what a channel may be called.
using System.Linq;

namespace RoslynPgSync.Sql;

/// <summary>
/// What a channel name (<c>[Replicate(..., Channel = "...")]</c>) may be: 1 to 63 of ASCII letters,
/// digits, <c>_</c>, <c>-</c> and <c>.</c>. It names a stream in logs, metrics tags and the status
/// view (as <c>server/channel</c>), so no <c>/</c>, space or control character; the empty string is
/// the destination's default channel and is not written.
/// </summary>
internal static class Channels
{
    public const int MaxLength = 63;

    /// <summary>Why <paramref name="channel"/> cannot be a channel's name; <c>null</c> when it can.</summary>
    public static string? Problem(string channel)
    {
        if (channel.Length == 0)
        {
            return "it is empty (leave Channel unset for the destination's default channel)";
        }

        if (channel.Length > MaxLength)
        {
            return "it is " + channel.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " characters long; at most 63";
        }

        return channel.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.')
            ? null
            : "only ASCII letters, digits, '_', '-' and '.' may be used";
    }

    /// <summary>A channel as messages name it: <c>"name"</c>, or <c>(default)</c>.</summary>
    public static string Describe(string channel) => channel.Length == 0 ? "(default)" : "\"" + channel + "\"";
}
