using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RoslynPgSync.TestCluster;

namespace RoslynPgSync.Bench;

/// <summary>
/// dotnet run -c Release --project bench/RoslynPgSync.Bench [-- --quick] [--only bulk,oltp,drain,copy,depth,conflicts,generator] [--configurations sync,async,...] [--copy-rows N] [--depth-entries 1000000] [--output bench/results/latest.md]
/// (or -- --write-generator-corpus DIR [--types N]: only writes the generator workload's sources, for bench/generator-cold-build.sh)
/// Starts one throwaway cluster (fsync off for every configuration alike, wal_level logical for the
/// native configuration), runs the workloads and writes a markdown report with ratios to plain.
/// --copy-rows (or BENCH_COPY_ROWS) sets the copy workload's table size: 1,000,000 by default, e.g.
/// 100000 for a short form.
/// </summary>
public static class BenchProgram
{
    /// <summary>Every workload, in the order they run and appear in the report.</summary>
    public static readonly IReadOnlyList<string> Workloads = new[] { "bulk", "oltp", "drain", "copy", "depth", "conflicts", "generator" };

    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        if (Argument(args, "--write-generator-corpus") is { } corpusDirectory)
        {
            // bench/generator-cold-build.sh: the generator workload's sources, to build as a real project.
            GeneratorCorpus.WriteTo(corpusDirectory, int.Parse(Argument(args, "--types") ?? "500", CultureInfo.InvariantCulture));
            return 0;
        }

        var quick = args.Contains("--quick");
        var output = Argument(args, "--output") ?? Path.Combine("bench", "results", quick ? "quick.md" : "latest.md");
        var only = Argument(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? Workloads.ToArray();
        var unknown = only.Except(Workloads, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            await Console.Error.WriteLineAsync($"unknown workload(s): {string.Join(", ", unknown)}; known: {string.Join(", ", Workloads)}");
            return 2;
        }

        if (Argument(args, "--configurations") is { } chosen)
        {
            BenchSetup.Chosen = chosen.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        }

        if (Argument(args, "--depth-entries") is { } depthEntries)
        {
            DepthEntries = int.Parse(depthEntries, CultureInfo.InvariantCulture);
        }

        var copyRows = Argument(args, "--copy-rows") ?? Environment.GetEnvironmentVariable("BENCH_COPY_ROWS");
        var command = "dotnet run -c Release --project bench/RoslynPgSync.Bench -- " + string.Join(' ', args);
        var report = await RunAsync(quick, Console.Out, cancellation.Token, only, copyRows is null ? null : int.Parse(copyRows, CultureInfo.InvariantCulture), command);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, report.Markdown);
        Console.WriteLine("report: " + output);
        return report.AllEqual ? 0 : 1;
    }

    /// <summary>
    /// Runs the harness; quick mode uses small sizes (the test suite runs it so the harness cannot
    /// rot). AllEqual is false when a destination ended different from its source or a workload
    /// could not check what it measured. <paramref name="copyRows"/>: the copy workload's table size
    /// (null: 1,000,000, or 5,000 when quick); <paramref name="command"/>: how the run was started, for the report.
    /// </summary>
    public static async Task<(string Markdown, bool AllEqual)> RunAsync(bool quick, TextWriter log, CancellationToken ct, IReadOnlyCollection<string>? only = null, int? copyRows = null, string? command = null)
    {
        only ??= Workloads.ToArray();
        var text = new StringBuilder();
        var ok = true;
        var sections = new StringBuilder();
        string? postgres = null;
        var rows = quick ? 2_000 : 100_000;
        var repetitions = quick ? 1 : 3;
        if (only.Any(w => w != "generator"))
        {
            var options = new PostgresClusterOptions();
            options.Settings["wal_level"] = "logical";
            options.Settings["max_replication_slots"] = "10";
            options.Settings["max_wal_senders"] = "10";
            await using var cluster = await PostgresCluster.StartAsync(options, ct);
            postgres = cluster.Version;
            await log.WriteLineAsync($"PostgreSQL {cluster.Version}, {Environment.ProcessorCount} cores, {rows:N0} rows for bulk and drain{(quick ? " (quick)" : string.Empty)}");
            if (only.Contains("bulk"))
            {
                var bulk = await BulkBenchmark.RunAsync(cluster, rows, repetitions, log, ct);
                sections.Append(BulkBenchmark.Markdown(bulk, rows, repetitions));
                ok &= bulk.All(r => r.Steps.All(s => s.Equal));
            }

            if (only.Contains("oltp"))
            {
                var oltp = await OltpBenchmark.RunAsync(cluster, quick ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(10), log, ct);
                sections.Append(OltpBenchmark.Markdown(oltp));
                ok &= oltp.All(r => r.Equal);
            }

            if (only.Contains("drain"))
            {
                var drain = await DrainBenchmark.RunAsync(cluster, rows, repetitions, log, ct);
                sections.Append(DrainBenchmark.Markdown(drain, rows));
                ok &= drain.All(d => d.Equal);
            }

            if (only.Contains("copy"))
            {
                var copy = await CopyBenchmark.RunAsync(cluster, copyRows ?? (quick ? 5_000 : 1_000_000), repetitions, quick ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(10), log, ct);
                sections.Append(CopyBenchmark.Markdown(copy));
                ok &= copy.Ok;
            }

            if (only.Contains("conflicts"))
            {
                var conflicts = await ConflictBenchmark.RunAsync(cluster, rows, repetitions, log, ct);
                sections.Append(ConflictBenchmark.Markdown(conflicts, rows));
                ok &= conflicts.All(c => c.Equal) && conflicts.Where(c => c.Configuration.EndsWith("conflicting", StringComparison.Ordinal)).All(c => c.Conflicts == rows);
            }

            if (only.Contains("depth"))
            {
                var depth = await DepthBenchmark.RunAsync(cluster, quick ? 5_000 : DepthEntries, log, ct);
                sections.Append(DepthBenchmark.Markdown(depth));
                ok &= depth.Equal;
            }
        }

        if (only.Contains("generator"))
        {
            var generator = await GeneratorBenchmark.RunAsync(quick, log, ct);
            sections.Append(generator.Markdown);
            ok &= generator.Ok;
        }

        text.Append("# RoslynPgSync benchmarks\n\n");
        text.Append(string.Create(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}{(postgres is null ? string.Empty : $"; PostgreSQL {postgres}; one throwaway cluster with fsync off for every configuration; source and destination are two databases of it")}. {(quick ? "Quick mode (small sizes): not for comparison." : string.Empty)}\n\n"));
        if (command is not null)
        {
            text.Append("Command: `").Append(command).Append("`\n\n");
        }

        if (postgres is not null)
        {
            text.Append("Configurations: plain = no replication (the baseline); seed = the article's per-row dblink trigger (bench/RoslynPgSync.Bench/SeedBaseline.cs); sync and async = RoslynPgSync through the generated installer (sync-unbounded, oltp only: Sync with CommitTimeout = null, committers waiting without a bound); native = logical replication (publication + subscription, slot made beforehand).\n\n");
        }

        text.Append(sections);
        return (text.ToString(), ok);
    }

    /// <summary>Entries the depth workload queues (--depth-entries; 1,000,000 by default).</summary>
    private static int DepthEntries { get; set; } = 1_000_000;

    private static string? Argument(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
