using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Validators;
using Microsoft.CodeAnalysis.CSharp;

namespace RoslynPgSync.Bench;

/// <summary>
/// The generator workload: BenchmarkDotNet, in process, over <see cref="GeneratorWorkload"/> (a full
/// run and a run after an unrelated edit, for each size), plus <see cref="GeneratorCachingCheck"/>
/// for what the timings cannot show. Targets are reported, never asserted.
/// </summary>
internal static class GeneratorBenchmark
{
    private const int WarmupCount = 3;
    private const int IterationCount = 12;
    private const double FullRunTargetMs = 1000;
    private const double SpeedupTarget = 20;
    private const int TargetTypes = 500;

    private static readonly string Targets = string.Create(
        CultureInfo.InvariantCulture,
        $"{TargetTypes} types: full run under {FullRunTargetMs / 1000:0.#} s; after an unrelated edit every output cached and at least {SpeedupTarget:0}x faster than the full run");

    public static async Task<(string Markdown, bool Ok)> RunAsync(bool quick, TextWriter log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var workload = quick ? typeof(GeneratorWorkloadQuick) : typeof(GeneratorWorkload);
        var sizes = (quick ? new GeneratorWorkloadQuick() : new GeneratorWorkload()).TypeCounts.ToList();

        var checks = new List<GeneratorCachingCheck>();
        foreach (var size in sizes)
        {
            var check = await Task.Run(() => GeneratorCachingCheck.Run(size, ct), ct);
            await log.WriteLineAsync($"generator check, {size} types: {check.GeneratedFiles} files, {check.CachedOutputs}/{check.Outputs} outputs cached after the edit; {string.Join("; ", check.StepReasons)}");
            foreach (var problem in check.Problems)
            {
                await log.WriteLineAsync($"generator check, {size} types: PROBLEM {problem}");
            }

            checks.Add(check);
        }

        var artifacts = Path.Combine(Path.GetTempPath(), "roslynpgsync-bench-generator-" + Guid.NewGuid().ToString("N"));
        Summary summary;
        try
        {
            summary = await Task.Run(() => BenchmarkRunner.Run(workload, Config(quick, log, artifacts)), ct);
        }
        finally
        {
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }

        var (markdown, ok) = Markdown(quick, sizes, summary, checks);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"generator workload took {clock.Elapsed.TotalSeconds:F1} s"));
        return (markdown, ok);
    }

    private static ManualConfig Config(bool quick, TextWriter log, string artifacts)
    {
        // Quick: one cold invocation per case, no warmup. Full: UnrollFactor 1 so that a 500-type full
        // run (hundreds of ms) is not repeated 16 times per iteration.
        var job = quick
            ? Job.Dry.WithWarmupCount(0).WithToolchain(InProcessEmitToolchain.DontLogOutput).WithId("quick")
            : Job.Default.WithWarmupCount(WarmupCount).WithIterationCount(IterationCount).WithUnrollFactor(1)
                .WithToolchain(InProcessEmitToolchain.Instance).WithId("generator");
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddLogger(new GeneratorBenchLogger(log, warningsOnly: quick))
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.DisableLogFile);

        // The test suite runs quick mode from a Debug build; a full run must be optimized to count.
        return quick
            ? config.WithOptions(ConfigOptions.DisableOptimizationsValidator)
            : config.AddValidator(JitOptimizationsValidator.FailOnError);
    }

    private static (string Markdown, bool Ok) Markdown(bool quick, List<int> sizes, Summary summary, List<GeneratorCachingCheck> checks)
    {
        var problems = new List<string>();
        problems.AddRange(summary.ValidationErrors.Where(e => e.IsCritical)
            .Select(e => "BenchmarkDotNet validation: " + string.Join(' ', e.Message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))));
        problems.AddRange(checks.SelectMany(c => c.Problems.Select(p => $"{c.Types} types: {p}")));

        var text = new StringBuilder("\n## generator\n\n");
        text.Append(CultureInfo.InvariantCulture, $"BenchmarkDotNet {Version(typeof(BenchmarkRunner).Assembly)}, in process ({nameof(InProcessEmitToolchain)}), ");
        text.Append(quick
            ? "quick job (one cold invocation per case, no warmup)"
            : string.Create(CultureInfo.InvariantCulture, $"{WarmupCount} warmup and {IterationCount} measured iterations"));
        text.Append(CultureInfo.InvariantCulture, $", MemoryDiagnoser; the generator runs on Microsoft.CodeAnalysis {Version(typeof(CSharpCompilation).Assembly)}. ");
        text.Append(CultureInfo.InvariantCulture, $"The compilation holds N `[Replicate]` classes ({GeneratorCorpus.TypesPerFile} to a file; `[Table]`, a three-column `[Key, Column(Order)]` key, ten columns, modes cycled, some renamed or filtered) and one unrelated file. ");
        text.Append("*Full run*: a new driver over a new Compilation object (parsed trees shared, symbols not). ");
        text.Append("*After unrelated edit*: the driver that already ran on the compilation, over `ReplaceSyntaxTree` of the unrelated file with one statement added to a method body. ");
        text.Append("*Outputs cached*: a separate run with step tracking; Cached or Unchanged of all output steps, same generated text.\n\n");

        text.Append("| types | full run (mean) | allocated | after unrelated edit (mean) | allocated | full / incremental | outputs cached |\n");
        text.Append("|---:|---:|---:|---:|---:|---:|---|\n");
        var rows = new Dictionary<int, (double? Full, double? Edit, GeneratorCachingCheck Check)>();
        foreach (var size in sizes)
        {
            var full = Report(summary, size, nameof(GeneratorWorkload.FullRun), problems);
            var edit = Report(summary, size, nameof(GeneratorWorkload.AfterUnrelatedEdit), problems);
            var check = checks.Single(c => c.Types == size);
            var ratio = full.Mean is { } f && edit.Mean is { } e && e > 0 ? (f / e).ToString("F1", CultureInfo.InvariantCulture) + "x" : "n/a";
            var cached = (check.AllCached ? "yes" : "NO") + string.Create(CultureInfo.InvariantCulture, $" ({check.CachedOutputs}/{check.Outputs})");
            text.Append(CultureInfo.InvariantCulture, $"| {size} | {Time(full.Mean)} | {Bytes(full.Allocated)} | {Time(edit.Mean)} | {Bytes(edit.Allocated)} | {ratio} | {cached} |\n");
            rows[size] = (full.Mean, edit.Mean, check);
        }

        text.Append('\n').Append(quick
            ? string.Create(CultureInfo.InvariantCulture, $"Quick mode ({string.Join(" and ", sizes)} types, Debug builds allowed): not for comparison; the targets ({Targets}) are judged by a full run only.\n")
            : TargetVerdict(rows));

        var largest = sizes.Max();
        var steps = rows[largest].Check.StepReasons;
        if (steps.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nNamed steps of the tracked run after the edit ({largest} types; one run with tracking, times not a measurement; Unchanged = re-ran with an equal result, Cached = not re-run): {string.Join("; ", steps)}.\n");
        }

        if (problems.Count > 0)
        {
            text.Append("\n**Problems:**\n\n");
            foreach (var problem in problems)
            {
                text.Append("- ").Append(problem).Append('\n');
            }
        }

        return (text.ToString(), problems.Count == 0);
    }

    private static string TargetVerdict(Dictionary<int, (double? Full, double? Edit, GeneratorCachingCheck Check)> rows)
    {
        var (fullMean, editMean, check) = rows[TargetTypes];
        var fullVerdict = fullMean is not { } full
            ? "**not judged** (no result)"
            : (full / 1e6 < FullRunTargetMs ? "**met**" : "**not met**") + $" ({Time(full)})";
        var editVerdict = fullMean is not { } a || editMean is not { } b || b <= 0
            ? "**not judged** (no result)"
            : (check.AllCached && a / b >= SpeedupTarget ? "**met**" : "**not met**") +
              string.Create(CultureInfo.InvariantCulture, $" ({(check.AllCached ? "all cached" : "not all cached")}, {a / b:F1}x)");
        return $"Targets ({Targets}): full run {fullVerdict}; after an unrelated edit {editVerdict}.\n";
    }

    private static (double? Mean, long? Allocated) Report(Summary summary, int size, string method, List<string> problems)
    {
        var report = summary.Reports.FirstOrDefault(r =>
            r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method &&
            Equals(r.BenchmarkCase.Parameters["Types"], size));
        if (report is null || !report.Success || report.ResultStatistics is null)
        {
            problems.Add($"{size} types: BenchmarkDotNet has no result for {method}{(report is null ? string.Empty : " (the run failed)")}");
            return (null, null);
        }

        return (report.ResultStatistics.Mean, report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase));
    }

    /// <summary>Nanoseconds as µs below 1 ms, else as ms with two decimals.</summary>
    private static string Time(double? nanoseconds) => nanoseconds switch
    {
        null => "n/a",
        < 1e6 => (nanoseconds.Value / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " µs",
        _ => (nanoseconds.Value / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " ms",
    };

    private static string Bytes(long? bytes) => bytes switch
    {
        null => "n/a",
        < 1024 * 1024 => (bytes.Value / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KB",
        _ => (bytes.Value / (1024.0 * 1024)).ToString("F2", CultureInfo.InvariantCulture) + " MB",
    };

    private static string Version(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString(3) ?? "?";
    }
}
