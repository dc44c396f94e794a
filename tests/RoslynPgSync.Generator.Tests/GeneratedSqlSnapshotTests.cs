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
    [InlineData(nameof(TestModels.LastWriterWins))]
    [InlineData(nameof(TestModels.Forwarding))]
    public void Install_sql_matches_snapshot(string model)
    {
        var run = GeneratorHarness.Run((string)typeof(TestModels).GetField(model)!.GetValue(null)!, TestModels.EfCoreAttributes);
        Assert.Empty(run.CompilationProblems);
        var table = Assert.Single(run.LoadTables());

        var sql = "-- install\n" + table.GetInstallSql("pgsync") +
                  "\n-- uninstall\n" + table.GetUninstallSql("pgsync") +
                  "\n-- create missing source table\n" + table.CreateTableSql + "\n" +
                  string.Concat(table.Targets.Select(t => "\n-- create missing target table on " + t.Server + "\n" + t.CreateTableSql + "\n")) +
                  string.Concat(table.Targets.Where(t => t.RowVersionsSql is not null).Select(t => "\n-- row versions on " + t.Server + "\n" + t.RowVersionsSql!("\"pgsync\"")));

        Snapshot.Match(sql, model + ".verified.sql");
    }

    [Fact]
    public void Schema_is_spliced_as_a_quoted_identifier()
    {
        var run = GeneratorHarness.Run(TestModels.LocTest);
        var table = Assert.Single(run.LoadTables());

        var sql = table.GetInstallSql("My \"Sync\"");

        Assert.Contains("CREATE OR REPLACE FUNCTION \"My \"\"Sync\"\"\".\"capture_loc_test_", sql, System.StringComparison.Ordinal);
        Assert.Contains("PERFORM \"My \"\"Sync\"\"\".\"enqueue\"('local', 'loc_test', 'dst', '', 's', ", sql, System.StringComparison.Ordinal);
        Assert.DoesNotContain("\0", sql, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_code_knows_the_queue_only_by_its_entry_points()
    {
        var run = GeneratorHarness.Run(TestModels.TwoDestinationsWithWhere, TestModels.EfCoreAttributes);
        var table = run.LoadTables().Single(t => t.Targets.Count == 2);

        var sql = table.GetInstallSql("pgsync") + table.GetUninstallSql("pgsync");

        // No table of the runtime's (its layout may change from one runtime to the next); only its functions.
        foreach (var name in new[] { "sync_err_rec", "sync_pending", "replicated_table", "dst_state", "applied_entry" })
        {
            Assert.DoesNotContain(name, sql, System.StringComparison.Ordinal);
        }

        Assert.Contains("\"pgsync\".\"enqueue\"(", sql, System.StringComparison.Ordinal);
        Assert.Contains("\"pgsync\".\"register_table\"(", sql, System.StringComparison.Ordinal);
    }
}
