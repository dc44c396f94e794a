using System;

namespace RoslynPgSync.Hosting;

/// <summary>
/// One stream's health as the worker sees it (a destination's channel, <see cref="Channel"/> empty for
/// its default one): when it may be tried next, and whether its going down has been logged (once per
/// outage, and once when it is back).
/// </summary>
internal sealed class DestinationBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private int _failures;

    public DestinationBackoff(string server, string channel, TimeSpan min, TimeSpan max)
    {
        Server = server;
        Channel = channel;
        _min = min <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(100) : min;
        _max = max < _min ? _min : max;
    }

    public string Server { get; }

    public string Channel { get; }

    /// <summary>The stream's name in logs: the server, or <c>server/channel</c>.</summary>
    public string Name => DestinationStatus.StreamName(Server, Channel);

    public DateTimeOffset NextAttempt { get; private set; } = DateTimeOffset.MinValue;

    public DateTimeOffset? DownSince { get; private set; }

    /// <summary>Records a failure; returns true when this starts an outage (log it once).</summary>
    public bool Fail(DateTimeOffset now, Random random)
    {
        var firstFailure = DownSince is null;
        DownSince ??= now;
        _failures = Math.Min(_failures + 1, 30);
        var exponential = _min.TotalMilliseconds * Math.Pow(2, _failures - 1);
        var capped = Math.Min(exponential, _max.TotalMilliseconds);
        // Full jitter between half and all of the delay, so instances that failed together spread out.
        var delay = capped * (0.5 + (random.NextDouble() * 0.5));
        NextAttempt = now + TimeSpan.FromMilliseconds(delay);
        return firstFailure;
    }

    /// <summary>Makes the destination due now, keeping its outage state (a retry asked for by an operator).</summary>
    public void RetryNow() => NextAttempt = DateTimeOffset.MinValue;

    /// <summary>Records a success; returns how long the outage lasted when one has just ended.</summary>
    public TimeSpan? Succeed(DateTimeOffset now)
    {
        var downtime = DownSince is { } since ? now - since : (TimeSpan?)null;
        DownSince = null;
        _failures = 0;
        NextAttempt = DateTimeOffset.MinValue;
        return downtime;
    }
}
