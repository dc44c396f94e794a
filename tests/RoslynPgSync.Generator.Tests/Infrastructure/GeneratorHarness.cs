using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RoslynPgSync.Generator;
using RoslynPgSync.Testing;

namespace RoslynPgSync.Generator.Tests.Infrastructure;

/// <summary>Runs the generator over C# source the way a consumer's build would.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Model{i}.cs")),
            ConsumerReferences.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new PgSyncGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>
    /// Runs the generator and returns its result and the compilation with the generated code. Every
    /// run also proves the pipeline incremental for these sources: the driver re-runs on a copy with
    /// an unrelated file added, and every named step must be reused (<see cref="IncrementalAssert"/>).
    /// </summary>
    public static GeneratorRun Run(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult();
        IncrementalAssert.CachedAfterUnrelatedEdit(driver, compilation);
        return new GeneratorRun(result, output, generatorDiagnostics);
    }
}

/// <summary>One generator run: what it produced and the compilation that includes it.</summary>
internal sealed record GeneratorRun(GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public IReadOnlyDictionary<string, string> Sources =>
        Result.Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    /// <summary>Errors and warnings of the whole compilation, generated code included.</summary>
    public IReadOnlyList<Diagnostic> CompilationProblems =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>Emits and loads the compilation, then reads <c>PgSyncInstaller.Tables</c> from it.</summary>
    public IReadOnlyList<ReplicatedTable> LoadTables()
    {
        using var stream = new MemoryStream();
        var emit = Output.Emit(stream);
        if (!emit.Success)
        {
            throw new InvalidOperationException("Compilation failed: " + string.Join(Environment.NewLine, emit.Diagnostics));
        }

        var context = new System.Runtime.Loader.AssemblyLoadContext("consumer", isCollectible: true);
        try
        {
            stream.Position = 0;
            var assembly = context.LoadFromStream(stream);
            var installer = assembly.GetType("RoslynPgSync.Generated.PgSyncInstaller", throwOnError: true)!;
            var tables = installer.GetProperty("Tables", BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
            return ((IReadOnlyList<ReplicatedTable>)tables!).ToList();
        }
        finally
        {
            context.Unload();
        }
    }
}
