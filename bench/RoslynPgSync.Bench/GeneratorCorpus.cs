using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RoslynPgSync.Generator;
using RoslynPgSync.Testing;

namespace RoslynPgSync.Bench;

/// <summary>
/// A consumer's project for the generator workload: <c>types</c> <c>[Replicate]</c> classes in the
/// style of <see cref="SeedShape"/>, ten to a file, plus one unrelated file whose method body the
/// "unrelated edit" changes.
/// </summary>
internal sealed class GeneratorCorpus
{
    public const int TypesPerFile = 10;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private GeneratorCorpus(int types, CSharpCompilation compilation, SyntaxTree unrelated, SyntaxTree editedUnrelated)
    {
        Types = types;
        Compilation = compilation;
        Unrelated = unrelated;
        EditedUnrelated = editedUnrelated;
    }

    /// <summary>The number of <c>[Replicate]</c> types.</summary>
    public int Types { get; }

    /// <summary>The project before the edit.</summary>
    public CSharpCompilation Compilation { get; }

    /// <summary>The file that no <c>[Replicate]</c> type lives in.</summary>
    public SyntaxTree Unrelated { get; }

    /// <summary>The same file with one statement added inside a method body.</summary>
    public SyntaxTree EditedUnrelated { get; }

    /// <summary>One generated file per type plus the installer.</summary>
    public int ExpectedGeneratedFiles => Types + 1;

    public static GeneratorCorpus Create(int types)
    {
        var trees = new List<SyntaxTree>();
        for (var first = 0; first < types; first += TypesPerFile)
        {
            var source = ModelFile(first, Math.Min(types, first + TypesPerFile));
            trees.Add(CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Models/Batch{first / TypesPerFile:D3}.cs", encoding: Encoding.UTF8));
        }

        var unrelated = CSharpSyntaxTree.ParseText(UnrelatedFile(edited: false), ParseOptions, path: "Util/Checksum.cs", encoding: Encoding.UTF8);
        var editedUnrelated = CSharpSyntaxTree.ParseText(UnrelatedFile(edited: true), ParseOptions, path: "Util/Checksum.cs", encoding: Encoding.UTF8);
        trees.Add(unrelated);

        var compilation = CSharpCompilation.Create(
            "BenchConsumer",
            trees,
            ConsumerReferences.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return new GeneratorCorpus(types, compilation, unrelated, editedUnrelated);
    }

    /// <summary>
    /// Writes the same sources under <paramref name="directory"/> (Models/BatchNNN.cs, Util/Checksum.cs), for
    /// bench/generator-cold-build.sh, which builds them as a consumer project with the command-line compiler.
    /// </summary>
    public static void WriteTo(string directory, int types)
    {
        Directory.CreateDirectory(Path.Combine(directory, "Models"));
        Directory.CreateDirectory(Path.Combine(directory, "Util"));
        for (var first = 0; first < types; first += TypesPerFile)
        {
            var path = Path.Combine(directory, "Models", string.Create(CultureInfo.InvariantCulture, $"Batch{first / TypesPerFile:D3}.cs"));
            File.WriteAllText(path, ModelFile(first, Math.Min(types, first + TypesPerFile)));
        }

        File.WriteAllText(Path.Combine(directory, "Util", "Checksum.cs"), UnrelatedFile(edited: false));
    }

    /// <summary>A new compilation with the unrelated edit, as the IDE makes one per keystroke.</summary>
    public CSharpCompilation Edited() => Compilation.ReplaceSyntaxTree(Unrelated, EditedUnrelated);

    /// <summary>A driver as the command-line compiler creates it (no step tracking) or as the caching check needs it.</summary>
    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new PgSyncGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    private static string ModelFile(int first, int end)
    {
        var text = new StringBuilder();
        text.Append("""
            using System;
            using System.ComponentModel.DataAnnotations;
            using System.ComponentModel.DataAnnotations.Schema;
            using RoslynPgSync;

            namespace Consumer.Models;

            """);
        for (var i = first; i < end; i++)
        {
            text.Append('\n').Append(ModelType(i));
        }

        return text.ToString();
    }

    /// <summary>
    /// Modes cycle; every fourth type is renamed on the destination and every fifth has a Where
    /// filter, so that the SQL builder's branches all run.
    /// </summary>
    private static string ModelType(int i)
    {
        var mode = (i % 3) switch
        {
            0 => "ReplicationMode.Async",
            1 => "ReplicationMode.Sync",
            _ => "ReplicationMode.Strict",
        };
        var target = i % 4 == 3 ? $", TargetSchema = \"remote\", TargetTable = \"r_{i}\"" : string.Empty;
        var where = i % 5 == 4 ? ", Where = \"amount > 0\"" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $$"""
            /// <summary>Benchmark table {{i}}.</summary>
            [Table("t_{{i}}", Schema = "bench")]
            [Replicate("dst", Mode = {{mode}}{{target}}{{where}})]
            public sealed class Table{{i:D4}}
            {
                [Key, Column(Order = 0)] public int TenantId { get; set; }
                [Key, Column(Order = 1)] public string Code { get; set; } = "";
                [Key, Column(Order = 2)] public long Id { get; set; }
                public string? Info { get; set; }
                public decimal Amount { get; set; }
                public bool Active { get; set; }
                public Guid Reference { get; set; }
                public short? Quantity { get; set; }
                [Column(TypeName = "timestamp(0) without time zone")] public DateTime? CrtTime { get; set; }
                [Column("modified_at")] public DateTimeOffset ModTime { get; set; }
            }

            """);
    }

    private static string UnrelatedFile(bool edited) => $$"""
        namespace Consumer.Util;

        /// <summary>Nothing to do with replication.</summary>
        public static class Checksum
        {
            public static int Of(string text)
            {
                var hash = 17;
                foreach (var c in text)
                {
                    hash = unchecked(hash * 31 + c);
                }
        {{(edited ? "        hash ^= text.Length;\n" : string.Empty)}}
                return hash;
            }
        }
        """;
}
