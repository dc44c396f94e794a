using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace RoslynPgSync.Generator.Tests;

/// <summary>Each diagnostic is reported where it belongs, and a valid model stays silent.</summary>
public sealed class AnalyzerTests
{
    /// <summary>The attributes under their metadata names: the analyzer, like the generator, needs nothing else.</summary>
    internal const string Prelude = """
        using System;
        using System.ComponentModel.DataAnnotations;
        using System.ComponentModel.DataAnnotations.Schema;
        using Microsoft.EntityFrameworkCore;
        using RoslynPgSync;

        namespace RoslynPgSync
        {
            public enum ReplicationMode { Async, Sync, Strict }

            public enum ConflictPolicy { ApplyRemote, LastWriterWins, KeepLocal, Error }

            [AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
            public sealed class ReplicateAttribute : Attribute
            {
                public ReplicateAttribute(string server) { }
                public string? TargetSchema { get; set; }
                public string? TargetTable { get; set; }
                public ReplicationMode Mode { get; set; }
                public string? Where { get; set; }
                public string? Channel { get; set; }
                public ConflictPolicy Conflicts { get; set; }
                public bool Forward { get; set; }
            }
        }

        namespace Microsoft.EntityFrameworkCore
        {
            [AttributeUsage(AttributeTargets.Class)]
            public sealed class PrimaryKeyAttribute : Attribute
            {
                public PrimaryKeyAttribute(string propertyName, params string[] additionalPropertyNames) { }
            }
        }

        """;

    [Fact]
    public Task Valid_models_stay_silent() => VerifyAsync("""
        [Table("loc_test", Schema = "local")]
        [Replicate("dst", TargetSchema = "remote", TargetTable = "rmt_test", Mode = ReplicationMode.Sync, Where = "pk1 > 0 AND info IS NOT NULL")]
        [Replicate("other")]
        public sealed class LocTest
        {
            [Key, Column(Order = 0)] public int Pk1 { get; set; }
            [Key, Column(Order = 1)] public string Pk2 { get; set; } = "";
            public string? Info { get; set; }
            [NotMapped] public object? Ignored { get; set; }
        }

        [Replicate("dst"), PrimaryKey(nameof(B), nameof(A))]
        public class ByEfKey { public int A { get; set; } public long B { get; set; } }

        [Replicate("dst")]
        public record class ByConvention { public Guid ByConventionId { get; set; } }

        public class NotReplicated { public object? Anything { get; set; } }
        """);

    [Fact]
    public Task PGSYNC001_no_primary_key() => VerifyAsync("""
        [Replicate("dst")]
        public class {|PGSYNC001:NoKey|} { public int Value { get; set; } }
        """);

    [Fact]
    public Task PGSYNC002_composite_key_without_order() => VerifyAsync("""
        [Replicate("dst")]
        public class Composite { [Key] public int {|PGSYNC002:A|} { get; set; } [Key] public int B { get; set; } }
        """);

    [Fact]
    public Task PGSYNC002_composite_key_with_duplicate_order() => VerifyAsync("""
        [Replicate("dst")]
        public class Composite { [Key, Column(Order = 1)] public int {|PGSYNC002:A|} { get; set; } [Key, Column(Order = 1)] public int B { get; set; } }
        """);

    [Fact]
    public Task PGSYNC003_primary_key_names_a_not_mapped_member() => VerifyAsync("""
        [Replicate("dst"), {|PGSYNC003:PrimaryKey(nameof(A))|}]
        public class T { [NotMapped] public int A { get; set; } public int B { get; set; } }
        """);

    [Fact]
    public Task PGSYNC004_nullable_key_and_json_key() => VerifyAsync("""
        [Replicate("dst")]
        public class T { public int? {|PGSYNC004:Id|} { get; set; } }

        [Replicate("dst")]
        public class U { [Key, Column(TypeName = "json")] public string {|PGSYNC004:Doc|} { get; set; } = ""; }
        """);

    [Fact]
    public Task PGSYNC005_unmappable_member() => VerifyAsync("""
        [Replicate("dst")]
        public class T { public int Id { get; set; } public object {|PGSYNC005:Blob|} { get; set; } = new(); }
        """);

    [Fact]
    public Task PGSYNC006_two_members_one_column() => VerifyAsync("""
        [Replicate("dst")]
        public class T { public int Id { get; set; } [Column("id")] public int {|PGSYNC006:Other|} { get; set; } }
        """);

    [Fact]
    public Task PGSYNC007_column_name_over_63_bytes() => VerifyAsync("""
        [Replicate("dst")]
        public class T { public int Id { get; set; } [Column("ääääääääääääääääääääääääääääääääää")] public int {|PGSYNC007:X|} { get; set; } }
        """);

    [Fact]
    public Task PGSYNC008_empty_server() => VerifyAsync("""
        [{|PGSYNC008:Replicate("")|}]
        public class T { public int Id { get; set; } }
        """);

    [Fact]
    public Task PGSYNC009_same_destination_twice() => VerifyAsync("""
        [Replicate("dst"), {|PGSYNC009:Replicate("dst")|}]
        public class T { public int Id { get; set; } }
        """);

    [Fact]
    public Task PGSYNC010_generic_and_abstract_types() => VerifyAsync("""
        [Replicate("dst")]
        public class {|PGSYNC010:G|}<TX> { public int Id { get; set; } }

        [Replicate("dst")]
        public abstract class {|PGSYNC010:A|} { public int Id { get; set; } }

        public class Outer { [Replicate("dst")] private sealed class {|PGSYNC010:Hidden|} { public int Id { get; set; } } }
        """);

    [Fact]
    public Task PGSYNC011_malformed_where() => VerifyAsync("""
        [{|PGSYNC011:Replicate("dst", Where = "a = 1; drop table x")|}]
        public class T { public int Id { get; set; } public int A { get; set; } }
        """);

    [Fact]
    public Task PGSYNC012_where_names_an_unknown_column() => VerifyAsync("""
        [{|PGSYNC012:Replicate("dst", Where = "statuz <> 'draft' AND lower(name) = 'x'")|}]
        public class T { public int Id { get; set; } public string Status { get; set; } = ""; public string Name { get; set; } = ""; }
        """);

    [Fact]
    public Task PGSYNC013_type_name_that_is_not_a_type() => VerifyAsync("""
        [Replicate("dst")]
        public class T { public int Id { get; set; } [Column(TypeName = "text); drop table x; --")] public string? {|PGSYNC013:S|} { get; set; } }
        """);

    [Fact]
    public Task PGSYNC014_undefined_mode() => VerifyAsync("""
        [{|PGSYNC014:Replicate("dst", Mode = (ReplicationMode)7)|}]
        public class T { public int Id { get; set; } }
        """);

    [Fact]
    public Task PGSYNC015_invalid_channel() => VerifyAsync("""
        [{|PGSYNC015:Replicate("dst", Channel = "bulk/nightly")|}]
        [{|PGSYNC015:Replicate("other", Channel = "")|}]
        public class T { public int Id { get; set; } }
        """);

    [Fact]
    public Task PGSYNC016_one_table_in_two_channels_of_one_destination() => VerifyAsync("""
        [Replicate("dst", Channel = "orders")]
        [{|PGSYNC016:Replicate("dst", TargetTable = "t_copy")|}]
        [Replicate("other", Channel = "bulk")]
        public class T { public int Id { get; set; } }
        """);

    [Fact]
    public Task PGSYNC017_undefined_conflict_policy() => VerifyAsync("""
        [{|PGSYNC017:Replicate("dst", Conflicts = (ConflictPolicy)9)|}]
        public class T { public int Id { get; set; } }
        """);

    [Fact]
    public Task PGSYNC018_a_version_member_that_cannot_order_writes() => VerifyAsync("""
        [Replicate("dst", Conflicts = ConflictPolicy.LastWriterWins)]
        public class TwoVersions
        {
            public int Id { get; set; }
            [ConcurrencyCheck] public long Version { get; set; }
            [Timestamp] public DateTime {|PGSYNC018:ChangedAt|} { get; set; }
        }

        [Replicate("dst")]
        public class KeyVersion { [Key, ConcurrencyCheck] public int {|PGSYNC018:Id|} { get; set; } }

        [Replicate("dst")]
        public class NullableVersion { public int Id { get; set; } [ConcurrencyCheck] public long? {|PGSYNC018:Version|} { get; set; } }

        [Replicate("dst")]
        public class TextVersion { public int Id { get; set; } [ConcurrencyCheck] public string {|PGSYNC018:Stamp|} { get; set; } = ""; }

        [Replicate("dst")]
        public class SystemColumnVersion { public int Id { get; set; } [Timestamp, Column("xmin", TypeName = "xid")] public uint {|PGSYNC018:Version|} { get; set; } }
        """);

    [Fact]
    public Task PGSYNC020_a_LastWriterWins_target_that_would_write_without_stamps() => VerifyAsync("""
        [{|PGSYNC020:Replicate("dst", Mode = ReplicationMode.Sync, Conflicts = ConflictPolicy.LastWriterWins)|}]
        public class SyncTarget { public int Id { get; set; } }

        [{|PGSYNC020:Replicate("dst", Where = "id > 0", Conflicts = ConflictPolicy.LastWriterWins)|}]
        public class FilteredTarget { public int Id { get; set; } }

        [{|PGSYNC020:Replicate("dst", Mode = ReplicationMode.Strict, Conflicts = ConflictPolicy.Error)|}]
        [{|PGSYNC020:Replicate("dst2", Where = "id > 0", Conflicts = ConflictPolicy.KeepLocal)|}]
        public class OtherPolicies { public int Id { get; set; } }

        [{|PGSYNC020:Replicate("dst", Conflicts = ConflictPolicy.LastWriterWins)|}]
        [Replicate("copy", Mode = ReplicationMode.Sync, Where = "id > 0")]
        public class ReservedColumn { public int Id { get; set; } public System.DateTime PgsyncAt { get; set; } }
        """);

    [Fact]
    public Task PGSYNC021_a_forwarding_target_that_is_not_Async() => VerifyAsync("""
        [{|PGSYNC021:Replicate("next", Mode = ReplicationMode.Sync, Forward = true)|}]
        public class SyncForward { public int Id { get; set; } }

        [{|PGSYNC021:Replicate("next", Mode = ReplicationMode.Strict, Forward = true)|}]
        [Replicate("other", Mode = ReplicationMode.Strict)]
        public class StrictForward { public int Id { get; set; } }

        [Replicate("next", Forward = true)]
        [Replicate("ring", Forward = true, Conflicts = ConflictPolicy.LastWriterWins)]
        [Replicate("copy", Mode = ReplicationMode.Sync, Forward = false)]
        public class AsyncForward { public int Id { get; set; } }
        """);

    [Fact]
    public Task A_version_member_of_an_integer_or_timestamp_is_accepted() => VerifyAsync("""
        [Replicate("dst", Conflicts = ConflictPolicy.LastWriterWins)]
        public class Versioned { public int Id { get; set; } [ConcurrencyCheck] public long Version { get; set; } }

        [Replicate("dst", Conflicts = ConflictPolicy.LastWriterWins)]
        public class Stamped { public int Id { get; set; } [Timestamp] public DateTimeOffset ChangedAt { get; set; } }
        """);

    [Fact]
    public Task PGSYNC019_a_multi_master_pair_that_keeps_ApplyRemote_is_warned_on_each_side_that_does() => VerifyAsync("""
        [Table("items", Schema = "node_a")]
        [{|#0:Replicate("b", TargetSchema = "node_b")|}]
        public class ItemA { public int Id { get; set; } public string? Name { get; set; } }

        // (The other side has the same class name, in another namespace; its table is named by a constant.)
        namespace Mirror
        {
            [Table(Names.Items, Schema = "node_b")]
            [Replicate("a", TargetSchema = "node_a", Conflicts = ConflictPolicy.LastWriterWins)]
            [Replicate("archive", TargetSchema = "archive")]
            public class ItemA { public int Id { get; set; } public string? Name { get; set; } }

            public static class Names { public const string Items = "items"; }
        }

        [Table("orders", Schema = "node_a")]
        [{|#1:Replicate("b", TargetSchema = "node_b", Conflicts = ConflictPolicy.ApplyRemote)|}]
        public class OrderA { public int Id { get; set; } }

        [Table("orders", Schema = "node_b")]
        [{|#2:Replicate("a", TargetSchema = "node_a")|}]
        public class OrderB { public int Id { get; set; } }

        // One-way copies, and one type whose target has its own name: no pair this compilation can see.
        [Table("logs", Schema = "node_a")]
        [Replicate("b", TargetSchema = "node_b")]
        public class LogA { public int Id { get; set; } }

        [Table("same")]
        [Replicate("peer")]
        public class Same { public int Id { get; set; } }
        """,
        Warning019(0, "ItemA", "node_a.items", "b", "ItemA", "a"),
        Warning019(1, "OrderA", "node_a.orders", "b", "OrderB", "a"),
        Warning019(2, "OrderB", "node_b.orders", "a", "OrderA", "b"));

    private static DiagnosticResult Warning019(int location, string type, string table, string server, string other, string back) =>
        new DiagnosticResult("PGSYNC019", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
            .WithLocation(location)
            .WithArguments(type, table, "\"" + server + "\"", other, "\"" + back + "\"");

    private static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<ReplicateAnalyzer, DefaultVerifier>
        {
            TestCode = Prelude + source,
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
        };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private static Task VerifyAsync(string source)
    {
        var test = new CSharpAnalyzerTest<ReplicateAnalyzer, DefaultVerifier>
        {
            TestCode = Prelude + source,
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
        };
        return test.RunAsync();
    }
}
