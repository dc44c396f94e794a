using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RoslynPgSync.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Sdk;

namespace RoslynPgSync.Generator.Tests;

/// <summary>
/// The pipeline stays incremental: an unrelated edit re-runs the driver with every named step
/// Cached or Unchanged, and no step output holds a Roslyn symbol, syntax node or compilation.
/// (Every <see cref="GeneratorHarness.Run"/> checks the same after adding a file; these tests edit
/// files, and prove that the checks can fail.)
/// </summary>
public sealed class CachingTests
{
    [Fact]
    public void Every_step_named_in_Steps_is_tracked()
    {
        var result = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(TestModels.LocTest)).GetRunResult().Results.Single();

        Assert.NotEmpty(IncrementalAssert.NamedSteps);
        Assert.All(IncrementalAssert.NamedSteps, step => Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} is not tracked"));
    }

    [Fact]
    public void Unrelated_edit_leaves_every_tracked_step_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.Compile(TestModels.LocTest, TestModels.SingleKeyByConvention, "namespace Other; public class Unrelated { }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();

        var unrelated = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(
            unrelated,
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int Added { get; set; } }", GeneratorHarness.ParseOptions, unrelated.FilePath));
        var second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        IncrementalAssert.StepsCachedOrUnchanged(first, second);
    }

    [Fact]
    public void Editing_a_replicated_type_re_runs_only_that_table()
    {
        var (_, second) = RunThenEditOrderLine();

        var reasons = second.TrackedSteps[PgSyncGenerator.Steps.ValidTables].SelectMany(r => r.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains(IncrementalStepRunReason.Cached, reasons);
        Assert.Contains("integer", second.GeneratedSources.Single(s => s.HintName == "Shop.Orders.OrderLine.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_caching_check_fails_when_a_step_re_ran()
    {
        var (first, second) = RunThenEditOrderLine();

        var failure = Assert.ThrowsAny<XunitException>(() => IncrementalAssert.StepsCachedOrUnchanged(first, second));
        Assert.Contains("re-ran", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_step_output_holds_a_roslyn_symbol_syntax_node_or_compilation()
    {
        var compilation = GeneratorHarness.Compile(TestModels.LocTest, TestModels.TwoDestinationsWithWhere, TestModels.EfCoreAttributes);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        Assert.NotEmpty(IncrementalAssert.NamedSteps.SelectMany(s => result.TrackedSteps[s]).SelectMany(r => r.Outputs));
        IncrementalAssert.OutputsHoldNoRoslynObjects(result);
    }

    [Fact]
    public void The_symbol_check_fails_on_a_roslyn_object_deep_in_an_output()
    {
        var tree = CSharpSyntaxTree.ParseText("class C { }");
        var output = (Name: "t", Columns: new List<object> { 1, new { Tree = tree } });

        var failure = Assert.ThrowsAny<XunitException>(() => IncrementalAssert.HoldsNoRoslynObjects(output, "output"));
        Assert.Contains("SyntaxTree", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs over two tables, then changes a column type of one of them.</summary>
    private static (GeneratorRunResult First, GeneratorRunResult Second) RunThenEditOrderLine()
    {
        var compilation = GeneratorHarness.Compile(TestModels.LocTest, TestModels.SingleKeyByConvention);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();

        var tree = compilation.SyntaxTrees.Last();
        var changed = TestModels.SingleKeyByConvention.Replace("public short Quantity", "public int Quantity", StringComparison.Ordinal);
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(changed, GeneratorHarness.ParseOptions, tree.FilePath));
        return (first, driver.RunGenerators(edited).GetRunResult().Results.Single());
    }
}
