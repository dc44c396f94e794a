using RoslynPgSync.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace RoslynPgSync.Generator.Tests;

/// <summary>
/// A type the generator cannot model produces no table output, and nothing broken: the consumer's
/// compilation stays free of errors from generated code (the analyzers report why, separately).
/// </summary>
public sealed class InvalidModelTests
{
    private const string Usings = """
        using System;
        using System.ComponentModel.DataAnnotations;
        using System.ComponentModel.DataAnnotations.Schema;
        using Microsoft.EntityFrameworkCore;
        using RoslynPgSync;
        namespace Bad;

        """;

    [Theory]
    [InlineData("no key", """[Replicate("dst")] public class T { public int Value { get; set; } }""")]
    [InlineData("composite key without order", """[Replicate("dst")] public class T { [Key] public int A { get; set; } [Key] public int B { get; set; } }""")]
    [InlineData("composite key with duplicate order", """[Replicate("dst")] public class T { [Key, Column(Order = 1)] public int A { get; set; } [Key, Column(Order = 1)] public int B { get; set; } }""")]
    [InlineData("primary key names a missing member", """[Replicate("dst"), PrimaryKey("Nope")] public class T { public int A { get; set; } }""")]
    [InlineData("primary key names a not-mapped member", """[Replicate("dst"), PrimaryKey(nameof(A))] public class T { [NotMapped] public int A { get; set; } public int B { get; set; } }""")]
    [InlineData("nullable key", """[Replicate("dst")] public class T { public int? Id { get; set; } }""")]
    [InlineData("nullable reference key", """[Replicate("dst")] public class T { [Key] public string? Code { get; set; } }""")]
    [InlineData("json key", """[Replicate("dst")] public class T { [Key, Column(TypeName = "json")] public string Doc { get; set; } = ""; }""")]
    [InlineData("unmappable member", """[Replicate("dst")] public class T { public int Id { get; set; } public object Blob { get; set; } = new(); }""")]
    [InlineData("unmappable multi-dimensional array", """[Replicate("dst")] public class T { public int Id { get; set; } public int[,]? Grid { get; set; } }""")]
    [InlineData("hostile TypeName", """[Replicate("dst")] public class T { public int Id { get; set; } [Column(TypeName = "text); drop table x; --")] public string? S { get; set; } }""")]
    [InlineData("two members, one column", """[Replicate("dst")] public class T { public int Id { get; set; } [Column("id")] public int Other { get; set; } }""")]
    [InlineData("column name over 63 bytes", """[Replicate("dst")] public class T { public int Id { get; set; } [Column("ääääääääääääääääääääääääääääääääää")] public int X { get; set; } }""")]
    [InlineData("empty server", """[Replicate("")] public class T { public int Id { get; set; } }""")]
    [InlineData("same server and target twice", """[Replicate("dst"), Replicate("dst")] public class T { public int Id { get; set; } }""")]
    [InlineData("generic type", """[Replicate("dst")] public class T<TX> { public int Id { get; set; } }""")]
    [InlineData("abstract type", """[Replicate("dst")] public abstract class T { public int Id { get; set; } }""")]
    [InlineData("private nested type", """public class Outer { [Replicate("dst")] private sealed class T { public int Id { get; set; } } }""")]
    [InlineData("where with a statement separator", """[Replicate("dst", Where = "a = 1; drop table x")] public class T { public int Id { get; set; } public int A { get; set; } }""")]
    [InlineData("where with an open quote", """[Replicate("dst", Where = "a = 'x")] public class T { public int Id { get; set; } public int A { get; set; } }""")]
    [InlineData("where with a dollar quote", """[Replicate("dst", Where = "a = $$x$$")] public class T { public int Id { get; set; } public int A { get; set; } }""")]
    [InlineData("where with an escape string literal", """[Replicate("dst", Where = "a = E'x'")] public class T { public int Id { get; set; } public string A { get; set; } = ""; }""")]
    [InlineData("where with a backslash in a literal", """[Replicate("dst", Where = "a = 'x\\'")] public class T { public int Id { get; set; } public string A { get; set; } = ""; }""")]
    [InlineData("undefined mode", """[Replicate("dst", Mode = (ReplicationMode)7)] public class T { public int Id { get; set; } }""")]
    public void Invalid_model_yields_no_table_and_no_compiler_errors(string why, string model)
    {
        var run = GeneratorHarness.Run(Usings + model, TestModels.EfCoreAttributes);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationProblems.Count == 0, why + ": " + string.Join("; ", run.CompilationProblems));
        Assert.Equal(new[] { "RoslynPgSync.Generated.PgSyncInstaller.g.cs" }, run.Sources.Keys);
        Assert.Empty(run.LoadTables());
    }

    [Fact]
    public async System.Threading.Tasks.Task Invalid_model_shows_only_our_diagnostic_and_no_compiler_error()
    {
        var run = GeneratorHarness.Run(Usings + """[Replicate("dst")] public class NoKey { public int Value { get; set; } }""", TestModels.EfCoreAttributes);
        var analyzers = System.Collections.Immutable.ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(new ReplicateAnalyzer());

        var diagnostics = await run.Output.WithAnalyzers(analyzers).GetAllDiagnosticsAsync();

        var only = Assert.Single(diagnostics, d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning);
        Assert.Equal("PGSYNC001", only.Id);
        Assert.Contains("'NoKey' has no primary key", only.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_table_beside_an_invalid_one_is_still_generated()
    {
        var run = GeneratorHarness.Run(
            Usings + """[Replicate("dst")] public class NoKey { public int Value { get; set; } }""",
            TestModels.LocTest,
            TestModels.EfCoreAttributes);

        Assert.Empty(run.CompilationProblems);
        Assert.Equal("loc_test", Assert.Single(run.LoadTables()).SourceTable);
    }

    [Fact]
    public void Nested_public_type_is_generated_under_its_containing_type_name()
    {
        var run = GeneratorHarness.Run(Usings + """public static class Outer { [Replicate("dst")] public sealed class Inner { public int Id { get; set; } } }""", TestModels.EfCoreAttributes);

        Assert.Empty(run.CompilationProblems);
        Assert.Contains("Bad.Outer.Inner.g.cs", run.Sources.Keys);
        Assert.Equal("inner", Assert.Single(run.LoadTables()).SourceTable);
    }

    [Fact]
    public void Without_replicate_attributes_the_installer_lists_no_table()
    {
        var run = GeneratorHarness.Run("namespace X; public class Plain { public int Id { get; set; } }");

        Assert.Equal(new[] { "RoslynPgSync.Generated.PgSyncInstaller.g.cs" }, run.Sources.Keys);
        Assert.Empty(run.LoadTables());
    }
}
