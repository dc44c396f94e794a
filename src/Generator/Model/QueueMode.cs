namespace RoslynPgSync.Generator.Model;

/// <summary>
/// The replication modes, as the generator and the queue know them. The one place that maps the
/// attribute's value (<c>ReplicationMode</c>: the same names and numbers, which a runtime test checks)
/// to the one-letter code the queue stores (<c>mode "char"</c>: 'a', 's', 't'; the installed SQL's
/// CHECK constraints and <c>enqueue</c> use the same letters, also checked).
/// </summary>
internal enum QueueMode
{
    /// <summary>Queued, sent by the replay worker after the commit.</summary>
    Async = 0,

    /// <summary>Sent at commit; what fails stays queued.</summary>
    Sync = 1,

    /// <summary>Sent at commit; what fails fails the commit.</summary>
    Strict = 2,
}

/// <summary>The codes and properties of <see cref="QueueMode"/>.</summary>
internal static class QueueModes
{
    /// <summary>Every mode, in value order.</summary>
    public static readonly QueueMode[] All = { QueueMode.Async, QueueMode.Sync, QueueMode.Strict };

    /// <summary>The mode of the attribute's <c>Mode</c> value, or null when it names none.</summary>
    public static QueueMode? FromValue(int value) => value is >= 0 and <= 2 ? (QueueMode)value : null;

    /// <summary>The queue's code: 'a', 's' or 't'.</summary>
    public static char Code(this QueueMode mode) => mode switch
    {
        QueueMode.Sync => 's',
        QueueMode.Strict => 't',
        _ => 'a',
    };

    /// <summary>Sync and Strict entries are sent at their transaction's commit (and carry their keys).</summary>
    public static bool SentAtCommit(this QueueMode mode) => mode != QueueMode.Async;
}
