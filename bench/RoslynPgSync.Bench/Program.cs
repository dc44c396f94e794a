using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RoslynPgSync.TestCluster;

namespace RoslynPgSync.Bench;

/// <summary>
/// dotnet run -c Release --project bench/RoslynPgSync.Bench [-- --quick] [--output bench/results/latest.md]
/// Starts one throwaway cluster (fsync off for every configuration alike, wal_level logical for the
/// native configuration), runs the workloads and writes a markdown report with ratios to plain.
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        var quick = args.Contains("--quick");
        var index = Array.IndexOf(args, "--output");
        var output = index >= 0 && index + 1 < args.Length ? args[index + 1] : Path.Combine("bench", "results", quick ? "quick.md" : "latest.md");
        var report = await RunAsync(quick, Console.Out, cancellation.Token);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, report.Markdown);
        Console.WriteLine("report: " + output);
        return report.AllEqual ? 0 : 1;
    }

    /// <summary>Runs the harness; quick mode uses small sizes (the test suite runs it so the harness cannot rot).</summary>
    public static async Task<(string Markdown, bool AllEqual)> RunAsync(bool quick, TextWriter log, CancellationToken ct)
    {
        var options = new PostgresClusterOptions();
        options.Settings["wal_level"] = "logical";
        options.Settings["max_replication_slots"] = "10";
        options.Settings["max_wal_senders"] = "10";
        await using var cluster = await PostgresCluster.StartAsync(options, ct);
        var rows = quick ? 2_000 : 100_000;
        await log.WriteLineAsync($"PostgreSQL {cluster.Version}, {Environment.ProcessorCount} cores, {rows:N0} rows{(quick ? " (quick)" : string.Empty)}");

        var repetitions = quick ? 1 : 3;
        var bulk = await BulkBenchmark.RunAsync(cluster, rows, repetitions, log, ct);
        var drain = await DrainBenchmark.RunAsync(cluster, rows, repetitions, log, ct);

        var text = new StringBuilder();
        text.Append("# RoslynPgSync benchmarks\n\n");
        text.Append(string.Create(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; PostgreSQL {cluster.Version}; one throwaway cluster with fsync off for every configuration; source and destination are two databases of it. {(quick ? "Quick mode (small sizes): not for comparison." : string.Empty)}\n\n"));
        text.Append("Configurations: plain = no replication (the baseline); seed = the article's per-row dblink trigger (bench/RoslynPgSync.Bench/SeedBaseline.cs); sync and async = RoslynPgSync through the generated installer; native = logical replication (publication + subscription, slot made beforehand).\n\n");
        text.Append(BulkBenchmark.Markdown(bulk, rows, repetitions));
        text.Append(DrainBenchmark.Markdown(drain, rows));
        text.Append("\nNot measured yet: the oltp and generator workloads.\n");
        return (text.ToString(), bulk.All(r => r.Steps.All(s => s.Equal)) && drain.All(d => d.Equal));
    }
}
