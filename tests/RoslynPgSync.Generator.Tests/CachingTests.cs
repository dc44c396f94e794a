using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RoslynPgSync.Generator.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Generator.Tests;

/// <summary>
/// The pipeline stays incremental: an unrelated edit re-runs the driver with every named step
/// Cached or Unchanged, and no step output holds a Roslyn symbol, syntax node or compilation.
/// </summary>
public sealed class CachingTests
{
    private static readonly string[] TrackedSteps =
    {
        PgSyncGenerator.Steps.Tables,
        PgSyncGenerator.Steps.ValidTables,
        PgSyncGenerator.Steps.TableNames,
        PgSyncGenerator.Steps.RuntimeReferenced,
    };

    [Fact]
    public void Unrelated_edit_leaves_every_tracked_step_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.Compile(TestModels.LocTest, TestModels.SingleKeyByConvention, "namespace Other; public class Unrelated { }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        AssertStepsRan(first);

        var unrelated = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(
            unrelated,
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int Added { get; set; } }", GeneratorHarness.ParseOptions, unrelated.FilePath));
        var second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var step in TrackedSteps)
        {
            var runs = second.TrackedSteps[step];
            var reasons = runs.SelectMany(r => r.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(
                r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"step {step} re-ran with {r}"));
        }

        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs), o =>
            Assert.True(o.Reason == IncrementalStepRunReason.Cached, $"an output was {o.Reason}"));
    }

    [Fact]
    public void Editing_a_replicated_type_re_runs_only_that_table()
    {
        var compilation = GeneratorHarness.Compile(TestModels.LocTest, TestModels.SingleKeyByConvention);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var tree = compilation.SyntaxTrees.Last();
        var changed = TestModels.SingleKeyByConvention.Replace("public short Quantity", "public int Quantity", StringComparison.Ordinal);
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(changed, GeneratorHarness.ParseOptions, tree.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var reasons = result.TrackedSteps[PgSyncGenerator.Steps.ValidTables].SelectMany(r => r.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains(IncrementalStepRunReason.Cached, reasons);
        Assert.Contains("integer", result.GeneratedSources.Single(s => s.HintName == "Shop.Orders.OrderLine.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void No_step_output_holds_a_roslyn_symbol_syntax_node_or_compilation()
    {
        var compilation = GeneratorHarness.Compile(TestModels.LocTest, TestModels.TwoDestinationsWithWhere, TestModels.EfCoreAttributes);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        var outputs = result.TrackedSteps.Where(s => TrackedSteps.Contains(s.Key))
            .SelectMany(s => s.Value).SelectMany(r => r.Outputs).Select(o => o.Value).ToList();
        Assert.NotEmpty(outputs);
        foreach (var output in outputs)
        {
            AssertNoRoslynObjects(output, new HashSet<object>(ReferenceEqualityComparer.Instance), "output");
        }
    }

    private static void AssertStepsRan(GeneratorRunResult result)
    {
        foreach (var step in TrackedSteps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} is not tracked");
        }
    }

    /// <summary>Walks an output's object graph by reflection, failing on anything Roslyn-owned.</summary>
    private static void AssertNoRoslynObjects(object? value, HashSet<object> visited, string path)
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
                AssertNoRoslynObjects(item, visited, $"{path}[{i++}]");
            }
        }

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoRoslynObjects(field.GetValue(value), visited, $"{path}.{field.Name}");
        }
    }
}
