using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

using RoslynPgSync.Tests.Copy;

namespace RoslynPgSync.Tests.Tool;

/// <summary>
/// Issue 15, point 4 ("visible"), from the command line: <c>pgsync copy</c> as docs/cli.md describes it,
/// its <c>--table</c> and <c>--replace</c>, its errors and its exit codes.
/// </summary>
public sealed class CliCopyTests(ITestOutputHelper output)
{
    private const string Server = "copy_async";
    private static readonly string App = typeof(PgSyncInstaller).Assembly.Location;

    [Fact]
    public async Task Copy_of_one_table_with_replace_makes_its_target_equal_and_leaves_the_other_table_alone()
    {
        await using var bed = await TestBed.Create().Pair(Server).BuildAsync();
        await CopyItems.FillAsync(bed, 5000);
        var pairs = PgSyncInstaller.Tables.Single(t => t.SourceTable == "pairs");
        await Db.ExecuteAsync(bed.Local.ConnectionString, pairs.CreateTableSql + "INSERT INTO cp.pairs SELECT g % 10, 'k' || g, true, NULL FROM generate_series(1, 300) AS g");
        // Both targets have rows (one the source lacks, one it has otherwise): the install skips both copies.
        var items = PgSyncInstaller.Tables.Single(t => t.SourceTable == "items").Targets[0];
        await Db.ExecuteAsync(
            bed.Remote.ConnectionString,
            items.CreateTableSql + "INSERT INTO cp_copy.items VALUES (1, 99, 'the destination''s own'), (9000, 1, 'not in the source'); " +
            pairs.Targets[0].CreateTableSql + "INSERT INTO cp_copy.pairs VALUES (0, 'own', true, 'the destination''s own')");
        await PgSyncInstallation.InstallAsync(bed.LocalSource, bed.Options, PgSyncInstaller.Tables);
        var pairsState = await StateAsync(bed, "pairs");
        var itemsState = await StateAsync(bed, "items");
        var pairsTarget = await TestBed.RowsAsync(bed.Remote.ConnectionString, "cp_copy.pairs", "k1, k2");
        using var folder = new TempFolder("roslynpgsync-cli-copy-");
        var config = await ConfigAsync(bed, folder);

        var unknown = await CliRun.RunAsync("copy", "--assembly", App, "--config", config, "--table", "no.such");
        var afterUnknown = await StateAsync(bed, "items");
        var copy = await CliRun.RunAsync("copy", "--assembly", App, "--config", config, "--table", "cp.items", "--replace");
        output.WriteLine(copy.Output);

        Assert.Equal(2, unknown.Code);
        Assert.StartsWith("pgsync: No replicated table 'no.such' is installed for the registered servers ('copy_async')", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("cp.items", unknown.Error, StringComparison.Ordinal); // the tables it could have been
        Assert.Equal(itemsState, afterUnknown); // nothing was restarted

        Assert.True(copy.Code == 0, copy.Output + copy.Error);
        Assert.Equal(string.Empty, copy.Error);
        Assert.Contains("cp.items -> copy_async: done, 5000 rows in 5 chunks", copy.Output, StringComparison.Ordinal);
        Assert.Equal(await CopyItems.DigestAsync(bed.Local.ConnectionString, "cp.items"), await CopyItems.DigestAsync(bed.Remote.ConnectionString, "cp_copy.items"));
        Assert.Contains("replace", await StateAsync(bed, "items"), StringComparison.Ordinal);
        // The other table's copy is still the skipped one, and its target untouched.
        Assert.Contains("skipped", pairsState, StringComparison.Ordinal);
        Assert.Equal(pairsState, await StateAsync(bed, "pairs"));
        Assert.Equal(pairsTarget, await TestBed.RowsAsync(bed.Remote.ConnectionString, "cp_copy.pairs", "k1, k2"));
        Assert.Contains("cp.pairs -> copy_async: skipped", copy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_exits_with_1_while_the_destination_is_down_and_a_later_copy_resumes_and_exits_with_0()
    {
        const int rows = 20_000;
        await using var bed = await TestBed.Create().Pair(Server).BuildAsync();
        await CopyItems.FillAsync(bed, rows);
        var target = PgSyncInstaller.Tables.Single(t => t.SourceTable == "items").Targets[0];
        await Db.ExecuteAsync(bed.Remote.ConnectionString, target.CreateTableSql);
        await bed.LogApplicationsAsync("cp_copy.items");
        await PgSyncInstallation.InstallAsync(bed.LocalSource, bed.Options, PgSyncInstaller.Tables, logger: null, copy: false, CancellationToken.None);
        using var folder = new TempFolder("roslynpgsync-cli-copy-");
        var config = await ConfigAsync(bed, folder);
        await bed.TakeRemoteDownAsync();

        // The destination does not come back within --wait: the copy stops where it is, and says so.
        var waited = await CliRun.RunAsync(Timeout(60), "copy", "--assembly", App, "--config", config, "--wait", "1");
        // Ctrl+C while it waits (Program cancels the token): the same, not a stack trace.
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var interrupted = await CliRun.RunAsync(ctrlC.Token, "copy", "--assembly", App, "--config", config);
        var chunks = await Db.ScalarAsync<long>(bed.Local.ConnectionString, "SELECT chunks FROM pgsync.copy_state WHERE table_name = 'items'");
        await bed.BringRemoteBackAsync();
        var resumed = await CliRun.RunAsync(Timeout(60), "copy", "--assembly", App, "--config", config);
        output.WriteLine(waited.Output + waited.Error + interrupted.Output + interrupted.Error + resumed.Output);

        Assert.True(waited.Code == 1, waited.Output + waited.Error);
        Assert.Contains("cp.items -> copy_async: copying, 1000 rows in 1 chunks", waited.Output, StringComparison.Ordinal);
        Assert.Contains("pgsync: the initial copy of cp.items to copy_async stopped: the destination has not applied", waited.Error, StringComparison.Ordinal);
        Assert.Contains("not permitted to log in", waited.Error, StringComparison.Ordinal);
        Assert.True(interrupted.Code == 1, interrupted.Output + interrupted.Error);
        Assert.Contains("cp.items -> copy_async: copying, 1000 rows in 1 chunks", interrupted.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", interrupted.Error, StringComparison.Ordinal);
        Assert.Equal(1, chunks); // the chunk queued while the destination was down was not queued again

        Assert.True(resumed.Code == 0, resumed.Output + resumed.Error);
        Assert.Contains("cp.items -> copy_async: done, 20000 rows in 20 chunks", resumed.Output, StringComparison.Ordinal);
        Assert.Equal(await CopyItems.DigestAsync(bed.Local.ConnectionString, "cp.items"), await CopyItems.DigestAsync(bed.Remote.ConnectionString, "cp_copy.items"));
        Assert.Equal(rows, await bed.AssertEachChangeAppliedOnceAsync());
    }

    private static CancellationToken Timeout(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static async Task<string> ConfigAsync(TestBed bed, TempFolder folder)
    {
        var config = Path.Combine(folder.Path, "appsettings.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            PgSync = new { LocalConnectionString = bed.Local.ConnectionString, InitialCopyChunkRows = 1000, Servers = new { copy_async = bed.Remote.ConnectionString } },
        }));
        return config;
    }

    private static Task<string> StateAsync(TestBed bed, string table) =>
        Db.ScalarAsync<string>(bed.Local.ConnectionString, "SELECT c::text FROM pgsync.copy_state AS c WHERE table_name = $1", table);
}
