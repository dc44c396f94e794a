using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RoslynPgSync.Bench;

/// <summary>
/// What the timings cannot show, checked outside them with step tracking on: the full run produced
/// one file per type and the installer, threw nothing, reported no error and compiles; after the
/// unrelated edit every output step is Cached or Unchanged and the generated text is the same.
/// </summary>
internal sealed record GeneratorCachingCheck(
    int Types,
    int GeneratedFiles,
    int Outputs,
    int CachedOutputs,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> StepReasons)
{
    /// <summary>Every output of the run after the edit was Cached or Unchanged.</summary>
    public bool AllCached => Outputs > 0 && CachedOutputs == Outputs;

    public bool Ok => Problems.Count == 0;

    public static GeneratorCachingCheck Run(int types, CancellationToken ct)
    {
        var corpus = GeneratorCorpus.Create(types);
        var problems = new List<string>();

        var driver = GeneratorCorpus.CreateDriver(trackSteps: true)
            .RunGeneratorsAndUpdateCompilation(corpus.Compilation, out var output, out var generatorDiagnostics, ct);
        var full = driver.GetRunResult().Results.Single();
        if (full.Exception is { } exception)
        {
            problems.Add($"the generator threw {exception.GetType().Name}: {exception.Message}");
        }

        problems.AddRange(generatorDiagnostics.Concat(full.Diagnostics)
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Distinct()
            .Select(d => "generator error " + Format(d)));
        if (full.GeneratedSources.Length != corpus.ExpectedGeneratedFiles)
        {
            problems.Add($"the full run generated {full.GeneratedSources.Length} files, expected {corpus.ExpectedGeneratedFiles}");
        }

        var compileErrors = output.GetDiagnostics(ct).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (compileErrors.Count > 0)
        {
            problems.Add($"{compileErrors.Count} compile error(s) with the generated code, first: {Format(compileErrors[0])}");
        }

        var edited = driver.RunGenerators(corpus.Edited(), ct).GetRunResult().Results.Single();
        var outputs = edited.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs).ToList();
        var cached = outputs.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
        if (outputs.Count == 0 || cached != outputs.Count)
        {
            var reasons = string.Join(", ", outputs.GroupBy(o => o.Reason).Select(g => $"{g.Count()} {g.Key}"));
            problems.Add($"after the unrelated edit not every output was cached ({reasons})");
        }

        if (!SameSources(full, edited))
        {
            problems.Add("the generated sources differ after the unrelated edit");
        }

        return new GeneratorCachingCheck(types, full.GeneratedSources.Length, outputs.Count, cached, problems, StepSummary(edited));
    }

    private static string Format(Diagnostic diagnostic) => CSharpDiagnosticFormatter.Instance.Format(diagnostic, CultureInfo.InvariantCulture);

    private static bool SameSources(GeneratorRunResult before, GeneratorRunResult after) =>
        before.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString()))
            .SequenceEqual(after.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())));

    /// <summary>Per named step of the run after the edit: how many outputs had which reason, and its time.</summary>
    private static List<string> StepSummary(GeneratorRunResult result) =>
        result.TrackedSteps
            .Where(s => s.Key.StartsWith("PgSync.", StringComparison.Ordinal))
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s =>
            {
                var reasons = string.Join(", ", s.Value.SelectMany(r => r.Outputs).GroupBy(o => o.Reason).Select(g => $"{g.Count()} {g.Key}"));
                var elapsed = s.Value.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.ElapsedTime);
                return string.Create(CultureInfo.InvariantCulture, $"{s.Key}: {reasons} in {elapsed.TotalMilliseconds:F2} ms");
            })
            .ToList();
}
