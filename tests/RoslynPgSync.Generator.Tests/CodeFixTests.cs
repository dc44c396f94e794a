using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using RoslynPgSync.CodeFixes;
using Xunit;

namespace RoslynPgSync.Generator.Tests;

/// <summary>The obvious fixes produce a model the analyzer accepts.</summary>
public sealed class CodeFixTests
{
    [Fact]
    public Task PGSYNC001_makes_the_key_like_member_the_primary_key() => VerifyAsync(
        """
        [Replicate("dst")]
        public class {|PGSYNC001:Order|}
        {
            public string? Note { get; set; }
            public long OrderNo { get; set; }
        }
        """,
        """
        [Replicate("dst")]
        public class Order
        {
            public string? Note { get; set; }
            [Key]
            public long OrderNo { get; set; }
        }
        """);

    [Fact]
    public Task PGSYNC002_orders_the_composite_key_in_declaration_order() => VerifyAsync(
        """
        [Replicate("dst")]
        public class Composite
        {
            [Key] public int {|PGSYNC002:A|} { get; set; }
            [Key, Column("b_col")] public string B { get; set; } = "";
        }
        """,
        """
        [Replicate("dst")]
        public class Composite
        {
            [Key, Column(Order = 0)] public int A { get; set; }
            [Key, Column("b_col", Order = 1)] public string B { get; set; } = "";
        }
        """);

    [Fact]
    public Task PGSYNC005_marks_the_unmappable_member_not_mapped() => VerifyAsync(
        """
        [Replicate("dst")]
        public class T
        {
            public int Id { get; set; }
            public object {|PGSYNC005:Cache|} { get; set; } = new();
        }
        """,
        """
        [Replicate("dst")]
        public class T
        {
            public int Id { get; set; }
            [NotMapped]
            public object Cache { get; set; } = new();
        }
        """);

    [Fact]
    public Task PGSYNC009_removes_the_duplicate_replicate() => VerifyAsync(
        """
        [Replicate("dst"), {|PGSYNC009:Replicate("dst")|}]
        public class T { public int Id { get; set; } }
        """,
        """
        [Replicate("dst")]
        public class T { public int Id { get; set; } }
        """);

    [Fact]
    public Task PGSYNC019_declares_last_writer_wins_on_that_side_of_the_pair() => VerifyAsync(
        """
        [Table("items", Schema = "node_a")]
        [{|PGSYNC019:Replicate("b", TargetSchema = "node_b", Conflicts = ConflictPolicy.ApplyRemote)|}]
        public class ItemA { public int Id { get; set; } }

        [Table("items", Schema = "node_b")]
        [Replicate("a", TargetSchema = "node_a", Conflicts = ConflictPolicy.KeepLocal)]
        public class ItemB { public int Id { get; set; } }
        """,
        """
        [Table("items", Schema = "node_a")]
        [Replicate("b", TargetSchema = "node_b", Conflicts = ConflictPolicy.LastWriterWins)]
        public class ItemA { public int Id { get; set; } }

        [Table("items", Schema = "node_b")]
        [Replicate("a", TargetSchema = "node_a", Conflicts = ConflictPolicy.KeepLocal)]
        public class ItemB { public int Id { get; set; } }
        """);

    [Fact]
    public Task PGSYNC019_adds_the_policy_to_an_attribute_that_has_none() => VerifyAsync(
        """
        [Table("items", Schema = "node_a")]
        [{|PGSYNC019:Replicate("b", TargetSchema = "node_b")|}]
        public class ItemA { public int Id { get; set; } }

        [Table("items", Schema = "node_b")]
        [Replicate("a", TargetSchema = "node_a", Conflicts = ConflictPolicy.LastWriterWins)]
        public class ItemB { public int Id { get; set; } }
        """,
        """
        [Table("items", Schema = "node_a")]
        [Replicate("b", TargetSchema = "node_b", Conflicts = ConflictPolicy.LastWriterWins)]
        public class ItemA { public int Id { get; set; } }

        [Table("items", Schema = "node_b")]
        [Replicate("a", TargetSchema = "node_a", Conflicts = ConflictPolicy.LastWriterWins)]
        public class ItemB { public int Id { get; set; } }
        """);

    [Fact]
    public void Every_fixable_id_is_one_the_analyzer_reports()
    {
        var reported = new ReplicateAnalyzer().SupportedDiagnostics.Select(d => d.Id).ToList();

        Assert.All(new ReplicateCodeFixProvider().FixableDiagnosticIds, id => Assert.Contains(id, reported));
    }

    private static Task VerifyAsync(string source, string fixedSource)
    {
        var test = new CSharpCodeFixTest<ReplicateAnalyzer, ReplicateCodeFixProvider, DefaultVerifier>
        {
            TestCode = AnalyzerTests.Prelude + source,
            FixedCode = AnalyzerTests.Prelude + fixedSource,
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
            CodeActionIndex = 0,
        };
        return test.RunAsync();
    }
}
