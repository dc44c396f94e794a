using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace RoslynPgSync.Generator.Tests.Infrastructure;

/// <summary>
/// The generator stays incremental: after an unrelated edit every named pipeline step is
/// <c>Cached</c> or <c>Unchanged</c>, and no step output holds a Roslyn symbol, syntax node or
/// compilation (which would keep old compilations alive and defeat the cache).
/// <see cref="GeneratorHarness.Run"/> checks this for every model it runs, snapshots included.
/// </summary>
internal static class IncrementalAssert
{
    /// <summary>Prefix of our tracking names; Roslyn names its own inner steps too.</summary>
    private const string OurPrefix = "PgSync.";

    /// <summary>Every <c>WithTrackingName</c> name of the pipeline, as declared in <see cref="PgSyncGenerator.Steps"/>.</summary>
    public static readonly IReadOnlyList<string> NamedSteps = typeof(PgSyncGenerator.Steps)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();

    /// <summary>
    /// Re-runs <paramref name="driver"/> (which has run over <paramref name="compilation"/>) on a copy
    /// with one unrelated file added, and asserts the second run reused everything.
    /// </summary>
    public static void CachedAfterUnrelatedEdit(GeneratorDriver driver, Compilation compilation)
    {
        var first = driver.GetRunResult().Results.Single();
        OutputsHoldNoRoslynObjects(first);

        var unrelated = CSharpSyntaxTree.ParseText(
            "namespace PgSync.CachingCheck { internal static class Unrelated { public const int Value = 1; } }",
            GeneratorHarness.ParseOptions,
            path: "Unrelated.cs");
        var second = driver.RunGenerators(compilation.Clone().AddSyntaxTrees(unrelated)).GetRunResult().Results.Single();

        StepsCachedOrUnchanged(first, second);
    }

    /// <summary>Every named step of <paramref name="second"/> reused what <paramref name="first"/> computed, and so did every source output.</summary>
    public static void StepsCachedOrUnchanged(GeneratorRunResult first, GeneratorRunResult second)
    {
        var ours = OurSteps(first);
        Assert.Contains(PgSyncGenerator.Steps.RuntimeReferenced, ours);
        Assert.Equal(ours, OurSteps(second));

        foreach (var step in ours)
        {
            foreach (var output in second.TrackedSteps[step].SelectMany(r => r.Outputs))
            {
                Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {step} re-ran after an unrelated edit: {output.Reason}");
            }
        }

        foreach (var output in second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs))
        {
            Assert.True(output.Reason == IncrementalStepRunReason.Cached, $"a source output was {output.Reason} after an unrelated edit");
        }
    }

    /// <summary>No output of a named step holds anything Roslyn-owned.</summary>
    public static void OutputsHoldNoRoslynObjects(GeneratorRunResult result)
    {
        foreach (var step in OurSteps(result))
        {
            var i = 0;
            foreach (var output in result.TrackedSteps[step].SelectMany(r => r.Outputs))
            {
                HoldsNoRoslynObjects(output.Value, $"{step}[{i++}]");
            }
        }
    }

    /// <summary>Walks <paramref name="value"/>'s object graph by reflection, failing on anything Roslyn-owned.</summary>
    public static void HoldsNoRoslynObjects(object? value, string path) =>
        Walk(value, new HashSet<object>(ReferenceEqualityComparer.Instance), path);

    private static List<string> OurSteps(GeneratorRunResult result)
    {
        var ours = result.TrackedSteps.Keys.Where(k => k.StartsWith(OurPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.All(ours, step => Assert.True(NamedSteps.Contains(step), $"step {step} is not declared in PgSyncGenerator.Steps"));
        return ours;
    }

    private static void Walk(object? value, HashSet<object> visited, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !visited.Add(value))
        {
            return;
        }

        var type = value.GetType();
        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or Location or SyntaxTree,
            $"{path} holds a {type.FullName}");
        Assert.False(type.Namespace?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true,
            $"{path} holds a Roslyn type {type.FullName}");

        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                Walk(item, visited, $"{path}[{i++}]");
            }
        }

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            Walk(field.GetValue(value), visited, $"{path}.{field.Name}");
        }
    }
}
