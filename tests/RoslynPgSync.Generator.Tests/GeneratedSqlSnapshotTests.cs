using System.Linq;
using RoslynPgSync.Generator.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Generator.Tests;

/// <summary>
/// The SQL computed at build time for representative models, as a DBA reviews it: the capture
/// function and triggers (with the schema rendered as <c>pgsync</c>) and the target DDL.
/// </summary>
public sealed class GeneratedSqlSnapshotTests
{
    [Theory]
    [InlineData(nameof(TestModels.LocTest))]
    [InlineData(nameof(TestModels.SingleKeyByConvention))]
    [InlineData(nameof(TestModels.TwoDestinationsWithWhere))]
    [InlineData(nameof(TestModels.NotMappedAndRenamed))]
    [InlineData(nameof(TestModels.AwkwardIdentifiers))]
    public void Install_sql_matches_snapshot(string model)
    {
        var run = GeneratorHarness.Run((string)typeof(TestModels).GetField(model)!.GetValue(null)!, TestModels.EfCoreAttributes);
        Assert.Empty(run.CompilationProblems);
        var table = Assert.Single(run.LoadTables());

        var sql = "-- install\n" + table.GetInstallSql("pgsync") +
                  "\n-- uninstall\n" + table.GetUninstallSql("pgsync") +
                  "\n-- create missing source table\n" + table.CreateTableSql + "\n" +
                  string.Concat(table.Targets.Select(t => "\n-- create missing target table on " + t.Server + "\n" + t.CreateTableSql + "\n"));

        Snapshot.Match(sql, model + ".verified.sql");
    }

    [Fact]
    public void Schema_is_spliced_as_a_quoted_identifier()
    {
        var run = GeneratorHarness.Run(TestModels.LocTest);
        var table = Assert.Single(run.LoadTables());

        var sql = table.GetInstallSql("My \"Sync\"");

        Assert.Contains("CREATE OR REPLACE FUNCTION \"My \"\"Sync\"\"\".\"capture_loc_test_", sql, System.StringComparison.Ordinal);
        Assert.Contains("INSERT INTO \"My \"\"Sync\"\"\".\"sync_pending\"", sql, System.StringComparison.Ordinal);
        Assert.DoesNotContain("\0", sql, System.StringComparison.Ordinal);
    }
}
