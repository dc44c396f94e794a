using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.TestCluster;

namespace RoslynPgSync.Bench;

/// <summary>
/// The depth workload: whether a deep queue drains at a constant rate. Single-row transactions fill
/// the Async queue while nothing replays (a destination outage as the queue sees it); then it is
/// drained in batches of 1,000, the batches taking turns between three ways of calling it, so each is
/// measured at the same depths in one run: the hosted worker's batch as it is now (the destination's
/// lock, an EXISTS probe, apply_pending), the worker's batch as it was before issue 16 (a count(*) of
/// the destination's queue per batch, and the status view after each), and the seed's
/// deal_sync_err_rec(1000).
/// </summary>
internal static class DepthBenchmark
{
    private const string Server = "bench_async";
    private const int Batch = 1000;

    private static readonly (string Name, string Sql)[] Protocols =
    [
        ("worker", $"""
            BEGIN;
            SELECT pgsync.lock_stream('{Server}', '');
            SELECT EXISTS (SELECT 1 FROM pgsync.sync_err_rec AS e WHERE e.dst_server = '{Server}' AND e.channel = '');
            SELECT pgsync.apply_pending('{Server}', '', {Batch}, false, NULL);
            COMMIT;
            """),
        ("worker before issue 16", $"""
            BEGIN;
            SELECT pg_catalog.pg_advisory_xact_lock(1346851673, pg_catalog.hashtext('{Server}'));
            SELECT pg_catalog.count(*) FROM pgsync.sync_err_rec AS e WHERE e.dst_server = '{Server}';
            SELECT pgsync.apply_pending('{Server}', '', {Batch}, false, NULL);
            COMMIT;
            SELECT * FROM pgsync.status;
            """),
        ("deal_sync_err_rec(1000)", $"SELECT pgsync.deal_sync_err_rec({Batch})"),
    ];

    /// <summary>One batch: the queue's depth before it, who applied it, how long it took.</summary>
    public sealed record Sample(long Depth, string Protocol, double Milliseconds);

    public sealed record Result(int Entries, TimeSpan Fill, TimeSpan Drain, List<Sample> Samples, bool Equal);

    public static async Task<Result> RunAsync(PostgresCluster cluster, int entries, TextWriter log, CancellationToken ct)
    {
        await using var setup = await BenchSetup.CreateAsync("async", cluster, ct);
        var local = setup.Local.ConnectionString;
        var fill = Stopwatch.StartNew();
        await using (var writer = new NpgsqlConnection(local))
        {
            await writer.OpenAsync(ct);
            // 1,000 single-row INSERT statements per transaction: one queue entry each.
            for (var from = 0; from < entries; from += Batch)
            {
                var to = Math.Min(from + Batch, entries);
                await using var command = new NpgsqlCommand(
                    $"DO $$ BEGIN FOR g IN {from + 1}..{to} LOOP INSERT INTO {setup.Table} VALUES (g, md5(g::text), 'x', now(), now()); END LOOP; END $$",
                    writer) { CommandTimeout = 0 };
                await command.ExecuteNonQueryAsync(ct);
            }
        }

        fill.Stop();
        await log.WriteLineAsync($"  depth: {entries:N0} entries queued in {fill.Elapsed.TotalSeconds:F0} s");
        await BenchSql.ExecuteAsync(local, "VACUUM ANALYZE pgsync.sync_err_rec", ct);

        var samples = new List<Sample>();
        var drain = Stopwatch.StartNew();
        await using (var connection = new NpgsqlConnection(local))
        {
            await connection.OpenAsync(ct);
            long depth = entries;
            for (var turn = 0; depth > 0; turn++)
            {
                var (name, sql) = Protocols[turn % Protocols.Length];
                var watch = Stopwatch.StartNew();
                await using (var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 })
                {
                    await command.ExecuteNonQueryAsync(ct);
                }

                samples.Add(new Sample(depth, name, watch.Elapsed.TotalMilliseconds));
                depth = (long)(await BenchSql.ScalarAsync(local, "SELECT count(*) FROM pgsync.sync_err_rec", ct))!;
                if (turn % 100 == 0)
                {
                    await log.WriteLineAsync($"  depth {depth,9:N0}: {name} {watch.Elapsed.TotalMilliseconds:F0} ms");
                }
            }
        }

        drain.Stop();
        var equal = await setup.EqualAsync(ct);
        return new Result(entries, fill.Elapsed, drain.Elapsed, samples, equal);
    }

    /// <summary>Median batch time per protocol in ten bands of depth, deepest first, and the deepest band's ratio to the shallowest.</summary>
    public static string Markdown(Result result)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"\n## depth ({result.Entries:N0} queued entries)\n\n");
        text.Append(CultureInfo.InvariantCulture, $"{result.Entries:N0} single-row INSERT statements (1,000 per transaction) queued with nothing replaying (filled in {result.Fill.TotalSeconds:F0} s), then drained in batches of 1,000 (in {result.Drain.TotalSeconds:F0} s), the batches taking turns between the three callers, so each is measured at the same depths. Median ms per batch of 1,000 by the depth the batch started at. Destination equal to the source at the end: {(result.Equal ? "yes" : "NO")}.\n\n");
        var names = Protocols.Select(p => p.Name).ToList();
        text.Append("| depth (entries) | ").Append(string.Join(" | ", names)).Append(" |\n|---|").Append(string.Concat(names.Select(_ => "---:|"))).Append('\n');
        const int Bands = 10;
        var band = Math.Max(1, result.Entries / Bands);
        var medians = new Dictionary<string, List<double>>();
        for (var b = Bands - 1; b >= 0; b--)
        {
            var (low, high) = (b * band, b == Bands - 1 ? long.MaxValue : (b + 1) * band);
            text.Append(CultureInfo.InvariantCulture, $"| {low:N0} - {(high == long.MaxValue ? result.Entries : high):N0} |");
            foreach (var name in names)
            {
                var inBand = result.Samples.Where(s => s.Protocol == name && s.Depth > low && s.Depth <= high).Select(s => s.Milliseconds).ToList();
                var median = inBand.Count == 0 ? double.NaN : Median(inBand);
                (medians.TryGetValue(name, out var list) ? list : medians[name] = []).Add(median);
                text.Append(CultureInfo.InvariantCulture, $" {median:F1} |");
            }

            text.Append('\n');
        }

        text.Append("\nDeepest band's median over the shallowest's (1.0 = a constant rate): ")
            .Append(string.Join(", ", names.Select(n => string.Create(CultureInfo.InvariantCulture, $"{n} {medians[n][0] / medians[n][^1]:F2}x"))))
            .Append(".\n");
        return text.ToString();
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
