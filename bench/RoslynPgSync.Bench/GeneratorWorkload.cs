using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;

namespace RoslynPgSync.Bench;

/// <summary>
/// The BenchmarkDotNet class of the generator workload (public and unsealed, as BenchmarkDotNet requires).
/// Each invocation gets a new <see cref="Compilation"/> object, as a build or an IDE edit would give the
/// generator: the parsed trees are shared, the symbols are not, so the binding the generator asks for counts.
/// </summary>
[MemoryDiagnoser]
public class GeneratorWorkload
{
    private GeneratorCorpus _corpus = null!;
    private GeneratorDriver _warmed = null!;

    /// <summary>The number of <c>[Replicate]</c> types in the compilation.</summary>
    [ParamsSource(nameof(TypeCounts))]
    public int Types { get; set; }

    /// <summary>The sizes measured.</summary>
    public virtual IEnumerable<int> TypeCounts => new[] { 1, 100, 500 };

    [GlobalSetup]
    public void Setup()
    {
        _corpus = GeneratorCorpus.Create(Types);
        _warmed = GeneratorCorpus.CreateDriver().RunGenerators(_corpus.Compilation);
    }

    /// <summary>A cold driver over the whole compilation: what a build does.</summary>
    [Benchmark]
    public GeneratorDriver FullRun() => GeneratorCorpus.CreateDriver().RunGenerators(_corpus.Compilation.Clone());

    /// <summary>
    /// The driver that already ran on the compilation, run on the compilation after the unrelated edit.
    /// Drivers are immutable and the result is discarded, so every invocation is the same incremental step.
    /// </summary>
    [Benchmark]
    public GeneratorDriver AfterUnrelatedEdit() => _warmed.RunGenerators(_corpus.Edited());
}

/// <summary>Quick mode (the test suite): small sizes, so that the harness cannot rot.</summary>
public class GeneratorWorkloadQuick : GeneratorWorkload
{
    /// <inheritdoc />
    public override IEnumerable<int> TypeCounts => new[] { 1, 10 };
}
