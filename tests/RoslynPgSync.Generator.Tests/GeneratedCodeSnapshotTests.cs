using System.Linq;
using RoslynPgSync.Generator.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Generator.Tests;

/// <summary>The generated C# for representative models, compared with the checked-in snapshots.</summary>
public sealed class GeneratedCodeSnapshotTests
{
    [Theory]
    [InlineData(nameof(TestModels.LocTest), "Seed.LocTest.g.cs")]
    [InlineData(nameof(TestModels.SingleKeyByConvention), "Shop.Orders.OrderLine.g.cs")]
    [InlineData(nameof(TestModels.TwoDestinationsWithWhere), "Billing.Invoice.g.cs")]
    [InlineData(nameof(TestModels.NotMappedAndRenamed), "Crm.Customer.g.cs")]
    [InlineData(nameof(TestModels.AwkwardIdentifiers), "Awkward.OrderItem.g.cs")]
    [InlineData(nameof(TestModels.AllTypes), "Types.Everything.g.cs")]
    [InlineData(nameof(TestModels.Conflicting), "Mesh.Item.g.cs")]
    [InlineData(nameof(TestModels.Forwarding), "Relay.Parcel.g.cs")]
    public void Generated_table_source_matches_snapshot_and_compiles_cleanly(string model, string hintName)
    {
        var run = GeneratorHarness.Run(Source(model), TestModels.EfCoreAttributes);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
        Assert.Equal(new[] { hintName, "RoslynPgSync.Generated.PgSyncInstaller.g.cs" }.Order(), run.Sources.Keys.Order());
        Snapshot.Match(run.Sources[hintName], model + ".verified.cs");
    }

    [Fact]
    public void Installer_lists_every_table_ordered_by_hint_name()
    {
        var run = GeneratorHarness.Run(TestModels.TwoDestinationsWithWhere, TestModels.LocTest, TestModels.EfCoreAttributes, TestModels.SingleKeyByConvention);

        Assert.Empty(run.CompilationProblems);
        Snapshot.Match(run.Sources["RoslynPgSync.Generated.PgSyncInstaller.g.cs"], "PgSyncInstaller.verified.cs");
    }

    private static string Source(string model) =>
        (string)typeof(TestModels).GetField(model)!.GetValue(null)!;
}
