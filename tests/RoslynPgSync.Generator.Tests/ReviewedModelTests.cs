using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace RoslynPgSync.Generator.Tests;

/// <summary>Models that got no diagnostic though they cannot work (found in review).</summary>
public sealed class ReviewedModelTests
{
    // PostgreSQL folds the unquoted word IsActive to isactive; the column is "IsActive". The filter
    // names a column the table does not have, yet PGSYNC012 stays silent.
    [Fact]
    public Task Where_unquoted_word_matching_a_mixed_case_column_only_case_insensitively_is_unknown() => VerifyAsync("""
        [{|PGSYNC012:Replicate("dst", Where = "IsActive")|}]
        public class T { public int Id { get; set; } [Column("IsActive")] public bool IsActive { get; set; } }
        """);

    // An array of xml has no btree equality either: PRIMARY KEY on it fails at install.
    [Fact]
    public Task Xml_array_key_is_refused() => VerifyAsync("""
        [Replicate("dst")]
        public class T { [Key, Column(TypeName = "xml[]")] public string[] {|PGSYNC004:Doc|} { get; set; } = new string[0]; }
        """);

    // A schema-qualified json is json.
    [Fact]
    public Task Qualified_json_key_is_refused() => VerifyAsync("""
        [Replicate("dst")]
        public class T { [Key, Column(TypeName = "pg_catalog.json")] public string {|PGSYNC004:Doc|} { get; set; } = ""; }
        """);

    private static Task VerifyAsync(string source)
    {
        var test = new CSharpAnalyzerTest<ReplicateAnalyzer, DefaultVerifier>
        {
            TestCode = AnalyzerTests.Prelude + source,
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
        };
        return test.RunAsync();
    }
}
