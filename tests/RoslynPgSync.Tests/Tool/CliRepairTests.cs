using System;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Tool;

/// <summary><c>pgsync verify --repair</c>: a dry run that prints the SQL and changes nothing, then <c>--apply</c>.</summary>
public sealed class CliRepairTests
{
    [Fact]
    public async Task Verify_repair_prints_the_sql_changing_nothing_and_with_apply_makes_the_destination_equal()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        using var cli = await CliRun.ConfigureAsync(pair, "async_dst");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (1, 'a', 'one'), (2, 'b', 'two')");
        await pair.ReplayAsync();
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "UPDATE copy.hostile_async SET body = 'wrong' WHERE id = 1; INSERT INTO copy.hostile_async (id, code) VALUES (3, 'c')");

        var dry = await cli.RunAsync("verify", "--repair");

        Assert.Equal(1, dry.Code);
        Assert.Contains("changed (1,a)", dry.Output, StringComparison.Ordinal);
        Assert.Contains("extra (3,c)", dry.Output, StringComparison.Ordinal);
        Assert.Contains("-- repair on async_dst (dry run", dry.Output, StringComparison.Ordinal);
        Assert.Contains("\"one\"", dry.Output, StringComparison.Ordinal); // the source's row, in the upsert
        Assert.Equal("wrong", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT body FROM copy.hostile_async WHERE id = 1"));
        Assert.Equal(0, await pair.QueueDepthAsync());

        var usage = await cli.RunAsync("verify", "--apply");
        Assert.Equal(2, usage.Code);
        Assert.Contains("--repair --apply", usage.Error, StringComparison.Ordinal);

        var applied = await cli.RunAsync("verify", "--repair", "--apply");

        Assert.Equal(0, applied.Code);
        Assert.Contains("app.hostile_async -> async_dst:copy.hostile_async: equal (2 rows)", applied.Output, StringComparison.Ordinal);
        Assert.True(await pair.EqualAsync("app.hostile_async", "copy.hostile_async", "id, code"));
        Assert.Equal(0, (await cli.RunAsync("verify")).Code);
    }
}
