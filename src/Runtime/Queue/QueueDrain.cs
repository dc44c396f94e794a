using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using static RoslynPgSync.Sql.Commands;

namespace RoslynPgSync.Queue;

/// <summary>
/// Moves one destination's queue on until a condition holds: an entry has left it (a copy chunk, a
/// repair) or every entry up to a mark has (the verifier's consistent point). The same ordered path
/// the replay worker takes (apply_pending under each stream's lock, for every channel of the
/// destination that has entries), so driving it from here never reorders anything; with
/// <c>apply</c> false it only waits for the worker to do it.
/// </summary>
internal static class QueueDrain
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Applies (or waits for) destination <paramref name="server"/>'s oldest entries until
    /// <paramref name="passed"/> is true. While the destination accepts nothing it waits with backoff
    /// (200 ms, doubling to 30 s) and tells <paramref name="waiting"/> the destination's last error and
    /// the delay (when only waiting: only while there is an error).
    /// </summary>
    /// <param name="connection">A local connection outside any transaction.</param>
    /// <param name="schema">The runtime's schema.</param>
    /// <param name="server">The destination.</param>
    /// <param name="apply">Apply the entries here; false: the worker applies them.</param>
    /// <param name="passed">Whether the condition holds now (asked on <paramref name="connection"/>).</param>
    /// <param name="giveUpAfter">Stop after this long without an entry applied here; null: never.</param>
    /// <param name="waiting">Told of each wait: the destination's last error (or null) and the delay.</param>
    /// <param name="ct">Cancels the wait.</param>
    /// <returns>True once the condition holds; false when it gave up.</returns>
    public static async Task<bool> UntilAsync(
        NpgsqlConnection connection,
        string schema,
        string server,
        bool apply,
        Func<CancellationToken, Task<bool>> passed,
        TimeSpan? giveUpAfter,
        Action<string?, TimeSpan> waiting,
        CancellationToken ct)
    {
        var delay = FirstDelay;
        var waited = TimeSpan.Zero;
        var idle = TimeSpan.Zero;
        while (!await passed(ct).ConfigureAwait(false))
        {
            if (giveUpAfter is { } limit && idle >= limit)
            {
                return false;
            }

            if (!apply)
            {
                await Task.Delay(Poll, ct).ConfigureAwait(false);
                waited += Poll;
                idle += Poll;
                if (waited < delay)
                {
                    continue;
                }

                waited = TimeSpan.Zero;
                if (await LastErrorAsync(connection, schema, server, ct).ConfigureAwait(false) is { } failing)
                {
                    waiting(failing, delay);
                    delay = Next(delay);
                }

                continue;
            }

            if (await ApplyEveryChannelAsync(connection, schema, server, ct).ConfigureAwait(false) > 0)
            {
                delay = FirstDelay;
                idle = TimeSpan.Zero;
                continue;
            }

            if (await passed(ct).ConfigureAwait(false))
            {
                return true; // applied by another session (the worker) meanwhile
            }

            var wait = giveUpAfter is { } bound && bound - idle < delay ? bound - idle : delay;
            waiting(await LastErrorAsync(connection, schema, server, ct).ConfigureAwait(false), wait);
            await Task.Delay(wait, ct).ConfigureAwait(false);
            idle += wait;
            delay = Next(delay);
        }

        return true;
    }

    /// <summary>Whether entry <paramref name="entry"/> has left the queue (applied or skipped).</summary>
    public static Func<CancellationToken, Task<bool>> Left(NpgsqlConnection connection, string schema, long entry) =>
        async ct => !await ScalarAsync<bool>(connection, PgSyncQueue.EntryQueued(schema), ct, entry).ConfigureAwait(false);

    /// <summary>
    /// One batch of each of the destination's streams that has entries, each in its own transaction (a
    /// statement outside any): a stream's lock is never held while another's is waited for, so a stream
    /// that is held (a batch in flight, an operator) delays only itself.
    /// </summary>
    private static async Task<int> ApplyEveryChannelAsync(NpgsqlConnection connection, string schema, string server, CancellationToken ct)
    {
        var applied = 0;
        foreach (var channel in await ListAsync<string>(connection, PgSyncQueue.QueuedChannels(schema), ct, server).ConfigureAwait(false))
        {
            applied += await ScalarAsync<int>(connection, PgSyncQueue.Apply(schema), ct, server, channel, 1000).ConfigureAwait(false);
        }

        return applied;
    }

    private static Task<string?> LastErrorAsync(NpgsqlConnection connection, string schema, string server, CancellationToken ct) =>
        ScalarAsync<string?>(connection, PgSyncQueue.DestinationLastError(schema), ct, server);

    private static TimeSpan Next(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
}
