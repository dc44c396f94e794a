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
/// The bulk workload on the seed's table shape, each configuration on fresh databases of one
/// throwaway cluster: INSERT n rows in one statement, UPDATE all, DELETE 10%, TRUNCATE. Writer time
/// per step, and for async and native the time until the destination equals the source.
/// </summary>
internal static class BulkBenchmark
{
    private static readonly (string Step, string Sql)[] Steps =
    {
        ("insert", "INSERT INTO {t} SELECT g, md5(g::text), md5((g * 7)::text), now(), now() FROM generate_series(1, {n}) AS g"),
        ("update", "UPDATE {t} SET info = pk2, mod_time = now()"),
        ("delete 10%", "DELETE FROM {t} WHERE pk1 % 10 = 0"),
        ("truncate", "TRUNCATE {t}"),
    };

    public static async Task<List<BulkResult>> RunAsync(PostgresCluster cluster, int rows, int repetitions, TextWriter log, CancellationToken ct)
    {
        var results = new List<BulkResult>();
        foreach (var configuration in BenchSetup.Selected(BenchSetup.Configurations))
        {
            await using var setup = await BenchSetup.CreateAsync(configuration, cluster, ct);
            var (local, remote) = (setup.Local, setup.Remote);
            var result = new BulkResult(configuration);
            await using var writer = new NpgsqlConnection(local.ConnectionString);
            await writer.OpenAsync(ct);

            // Warm-up: the first statement opens dblink connections and plans; it is not measured.
            await BenchSql.ExecuteAsync(writer, $"INSERT INTO {setup.Table} VALUES (-1, 'warm-up', '', now(), now())", ct);
            await BenchSql.ExecuteAsync(writer, $"DELETE FROM {setup.Table} WHERE pk1 = -1", ct);
            await setup.ConvergeAsync(ct);

            // The whole sequence runs `repetitions` times on the same tables (it ends with TRUNCATE);
            // each step reports its median.
            var samples = Steps.Select(_ => new List<(TimeSpan Written, TimeSpan Converged, bool Equal)>()).ToArray();
            for (var repetition = 0; repetition < repetitions; repetition++)
            {
                for (var i = 0; i < Steps.Length; i++)
                {
                    var (step, sql) = Steps[i];
                    var watch = Stopwatch.StartNew();
                    await BenchSql.ExecuteAsync(writer, sql.Replace("{t}", setup.Table, StringComparison.Ordinal).Replace("{n}", rows.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), ct);
                    var written = watch.Elapsed;
                    await setup.ConvergeAsync(ct);
                    var converged = watch.Elapsed;
                    var equal = await setup.EqualAsync(ct);
                    samples[i].Add((written, converged, equal));
                    await log.WriteLineAsync($"  {configuration,-7} {step,-11} writer {written.TotalMilliseconds,9:F0} ms{(setup.HasDestination && !setup.SyncAtCommit ? $", equal after {converged.TotalMilliseconds:F0} ms" : string.Empty)}{(equal ? string.Empty : "  DESTINATION DIFFERS")}");
                }
            }

            for (var i = 0; i < Steps.Length; i++)
            {
                var converged = Median(samples[i].Select(x => x.Converged));
                result.Steps.Add(new StepResult(Steps[i].Step, Median(samples[i].Select(x => x.Written)), setup.HasDestination && !setup.SyncAtCommit ? converged : null, samples[i].All(x => x.Equal)));
            }

            results.Add(result);
        }

        return results;
    }

    /// <summary>The median of the samples (the upper one of the middle two for an even count).</summary>
    public static TimeSpan Median(IEnumerable<TimeSpan> samples)
    {
        var sorted = samples.OrderBy(x => x).ToList();
        return sorted[sorted.Count / 2];
    }

    public static string Markdown(List<BulkResult> results, int rows, int repetitions)
    {
        var plain = results.Single(r => r.Configuration == "plain");
        var text = new StringBuilder();
        text.Append("## bulk (").Append(rows.ToString("N0", CultureInfo.InvariantCulture)).Append(" rows)\n\n");
        text.Append("Median of ").Append(repetitions.ToString(CultureInfo.InvariantCulture)).Append(" runs of the whole sequence: writer time in ms, and its ratio to plain; for async and native also the time until the destination equals the source (writer start to equal).\n\n");
        text.Append("| configuration | ").Append(string.Join(" | ", Steps.Select(s => s.Step))).Append(" | destination equal |\n");
        text.Append("|---|").Append(string.Concat(Steps.Select(_ => "---:|"))).Append("---|\n");
        foreach (var result in results)
        {
            text.Append("| ").Append(result.Configuration);
            for (var i = 0; i < Steps.Length; i++)
            {
                var step = result.Steps[i];
                var ratio = step.Writer.TotalMilliseconds / Math.Max(0.001, plain.Steps[i].Writer.TotalMilliseconds);
                text.Append(" | ").Append(step.Writer.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture))
                    .Append(" (").Append(ratio.ToString("F2", CultureInfo.InvariantCulture)).Append("x)");
                if (step.Converged is { } converged)
                {
                    text.Append("; equal at ").Append(converged.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture));
                }
            }

            text.Append(" | ").Append(result.Configuration == "plain" ? "n/a" : result.Steps.All(s => s.Equal) ? "yes, every step" : "NO").Append(" |\n");
        }

        text.Append("\nTargets (issue 16), insert / update / delete: ")
            .Append(Target(results, plain, "sync", 2.5)).Append("; ")
            .Append(Target(results, plain, "async", 1.3)).Append(".\n");
        return text.ToString();
    }

    /// <summary>"sync writer ≤ 3x plain: 3.99x missed, ..." over the insert, update and delete steps.</summary>
    private static string Target(List<BulkResult> results, BulkResult plain, string configuration, double limit)
    {
        var result = results.Find(r => r.Configuration == configuration);
        if (result is null)
        {
            return configuration + " not run";
        }

        var ratios = Enumerable.Range(0, 3).Select(i => result.Steps[i].Writer.TotalMilliseconds / Math.Max(0.001, plain.Steps[i].Writer.TotalMilliseconds));
        return string.Create(CultureInfo.InvariantCulture, $"{configuration} writer ≤ {limit:0.0}x plain: ") +
               string.Join(", ", ratios.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r:F2}x {(r <= limit ? "met" : "missed")}")));
    }
}

/// <summary>One configuration's bulk run.</summary>
internal sealed class BulkResult(string configuration)
{
    public string Configuration { get; } = configuration;

    public List<StepResult> Steps { get; } = new();
}

/// <summary>One step: writer time, time until the destination was equal (async/native), and whether it was.</summary>
internal sealed record StepResult(string Step, TimeSpan Writer, TimeSpan? Converged, bool Equal);
