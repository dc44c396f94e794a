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
using RoslynPgSync.Generated;
using RoslynPgSync.TestCluster;

namespace RoslynPgSync.Bench;

/// <summary>
/// The conflicts workload (issue 17 point 5): what conflict detection costs. The same backlog, Async,
/// applied as the hosted worker applies it (apply_pending(1000) under the stream's lock) to a table
/// that keeps ApplyRemote and to one resolved by LastWriterWins, with nothing to resolve (the
/// detection's own cost: stamps, row versions, the locks and lookups of every change) and with every
/// key already written on the destination (every change a conflict, logged). Shapes: single-row
/// transactions (compact entries, applied set-based per run), one statement of every row, and single-row
/// updates of rows both nodes hold (nothing to resolve only: the key's row and stamp are found). Also the
/// writer's time, which the capture's stamping adds to.
/// </summary>
internal static class ConflictBenchmark
{
    public static readonly string[] Configurations = { "apply-remote", "lww", "lww, every key conflicting" };

    public static async Task<List<Result>> RunAsync(PostgresCluster cluster, int rows, int repetitions, TextWriter log, CancellationToken ct)
    {
        var results = new List<Result>();
        var shapes = new[]
        {
            (string.Create(CultureInfo.InvariantCulture, $"{rows:N0} single-row transactions"), (string?)null, $"DO $$ BEGIN FOR g IN 1..{rows} LOOP INSERT INTO {{t}} VALUES (g, md5(g::text), 'x', now(), now()); COMMIT; END LOOP; END $$", Configurations),
            ("1 statement", null, BenchSql.InsertRows("{t}", 1, rows), Configurations),
            // Updates of rows both nodes hold (inserted and replicated first, untimed): the destination
            // finds each key's row and stamp, which the inserts of new keys above never do.
            (string.Create(CultureInfo.InvariantCulture, $"{rows:N0} single-row updates"), BenchSql.InsertRows("{t}", 1, rows),
                $"DO $$ BEGIN FOR g IN 1..{rows} LOOP UPDATE {{t}} SET info = 'updated' WHERE pk1 = g; COMMIT; END LOOP; END $$", Configurations[..2]),
        };
        foreach (var (shape, setup, sql, configurations) in shapes)
        {
            // Interleaved, so that a slow stretch of the machine spreads over all three.
            var samples = configurations.ToDictionary(c => c, _ => new List<(TimeSpan Writer, TimeSpan Drain, bool Equal, long Conflicts)>());
            for (var repetition = 0; repetition < repetitions; repetition++)
            {
                foreach (var configuration in configurations)
                {
                    samples[configuration].Add(await RunOnceAsync(cluster, rows, shape, setup, sql, configuration, log, ct));
                }
            }

            foreach (var configuration in configurations)
            {
                var s = samples[configuration];
                results.Add(new Result(shape, configuration, BulkBenchmark.Median(s.Select(x => x.Writer)), BulkBenchmark.Median(s.Select(x => x.Drain)), s.All(x => x.Equal), s.Min(x => x.Conflicts)));
            }
        }

        return results;
    }

    private static async Task<(TimeSpan Writer, TimeSpan Drain, bool Equal, long Conflicts)> RunOnceAsync(
        PostgresCluster cluster, int rows, string shape, string? setup, string sql, string configuration, TextWriter log, CancellationToken ct)
    {
        var lww = configuration != "apply-remote";
        var server = lww ? "bench_lww" : "bench_async";
        var table = lww ? "bench.t_lww" : "bench.t_async";
        await using var bed = await TestBed.Create().On(cluster).Pair(server).Configure("local", o => o.NodeName = "bench").InstallAsync(PgSyncInstaller.Tables, ct);
        if (configuration.EndsWith("conflicting", StringComparison.Ordinal))
        {
            // Every key already on the destination, written there (unstamped): each change meets it (insert_exists).
            await BenchSql.ExecuteAsync(bed.Remote.ConnectionString, BenchSql.InsertRows(table, 1, rows).Replace("'x'", "'written here'", StringComparison.Ordinal), ct);
        }

        if (setup is not null)
        {
            await BenchSql.ExecuteAsync(bed.Local.ConnectionString, setup.Replace("{t}", table, StringComparison.Ordinal), ct);
            await BenchSql.DrainAsWorkerAsync(bed.Local.ConnectionString, server, ct);
            await BenchSql.ExecuteAsync(bed.Remote.ConnectionString, $"VACUUM (ANALYZE) {table}", ct);
        }

        var writer = Stopwatch.StartNew();
        await BenchSql.ExecuteAsync(bed.Local.ConnectionString, sql.Replace("{t}", table, StringComparison.Ordinal), ct);
        writer.Stop();
        var expected = await BenchSql.DigestAsync(bed.Local.ConnectionString, table, ct);

        var drain = Stopwatch.StartNew();
        await BenchSql.DrainAsWorkerAsync(bed.Local.ConnectionString, server, ct);
        drain.Stop();
        var equal = await BenchSql.DigestAsync(bed.Remote.ConnectionString, table, ct) == expected;
        var conflicts = lww ? Convert.ToInt64(await BenchSql.ScalarAsync(bed.Remote.ConnectionString, "SELECT count(*) FROM pgsync.conflict_log", ct), CultureInfo.InvariantCulture) : 0;
        await log.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"  conflicts {shape,-28} {configuration,-27} writer {writer.ElapsedMilliseconds,7} ms, drain {drain.ElapsedMilliseconds,7} ms, {conflicts} conflicts{(equal ? string.Empty : "  DESTINATION DIFFERS")}"));
        return (writer.Elapsed, drain.Elapsed, equal, conflicts);
    }

    public static string Markdown(List<Result> results, int rows)
    {
        var text = new StringBuilder();
        text.Append("\n## conflicts (issue 17: what detection costs; ").Append(rows.ToString("N0", CultureInfo.InvariantCulture)).Append(" rows)\n\n");
        text.Append("Median of the runs, interleaved. The same backlog applied as the hosted worker applies it (apply_pending(1000) under the stream's lock) to a table that keeps ApplyRemote, ");
        text.Append("to one resolved by LastWriterWins with nothing to resolve, and with every key already written on the destination (every change an insert_exists conflict, resolved and logged). ");
        text.Append("The single-row updates change rows both nodes hold already (inserted and replicated first, untimed), so the destination finds each key's row and stamp. ");
        text.Append("Writer: the time to write the rows on the source (the capture stamps each LastWriterWins write).\n\n");
        text.Append("| written as | configuration | writer ms | ratio | drain ms | rows/s | throughput vs apply-remote | conflicts logged | equal |\n|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        foreach (var r in results)
        {
            var baseline = results.Find(b => b.Shape == r.Shape && b.Configuration == "apply-remote")!;
            text.Append(CultureInfo.InvariantCulture,
                $"| {r.Shape} | {r.Configuration} | {r.Writer.TotalMilliseconds:F0} | {r.Writer / baseline.Writer:F2}x | {r.Drain.TotalMilliseconds:F0} | {rows / r.Drain.TotalSeconds:F0} | {baseline.Drain / r.Drain * 100:F0}% | {r.Conflicts} | {(r.Equal ? "yes" : "NO")} |\n");
        }

        // Issue 17 point 5: detection costs at most 20% of apply throughput with LastWriterWins.
        var targets = results.Where(r => r.Configuration == "lww")
            .Select(r => (r.Shape, Share: results.Find(b => b.Shape == r.Shape && b.Configuration == "apply-remote")!.Drain / r.Drain));
        text.Append("\nTarget (issue 17 point 5), LastWriterWins apply throughput with nothing to resolve ≥ 80% of ApplyRemote's: ")
            .Append(string.Join(", ", targets.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Shape} {t.Share * 100:F0}% {(t.Share >= 0.8 ? "met" : "missed")}"))))
            .Append(". ApplyRemote tables run the statements they ran before issue 17 (the generator's snapshots of models without a policy did not change).\n");
        return text.ToString();
    }

    public sealed record Result(string Shape, string Configuration, TimeSpan Writer, TimeSpan Drain, bool Equal, long Conflicts);
}
