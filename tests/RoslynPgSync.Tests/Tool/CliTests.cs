using System;
using System.Threading;
using System.Threading.Tasks;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Tool;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Tool;

/// <summary>The pgsync tool against this test assembly's generated tables, as a DBA would run it.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Script_status_replay_verify_and_uninstall_work_from_the_app_assembly_and_its_configuration()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        using var cli = await CliRun.ConfigureAsync(pair, "async_dst");
        var (app, config) = (cli.Assembly, cli.Config);

        var script = await CliRun.RunAsync("script", "--assembly", app, "--config", config);
        Assert.Equal(0, script.Code);
        Assert.Contains("CREATE TRIGGER \"pgsync_capture_insert\" AFTER INSERT ON \"app\".\"hostile_async\"", script.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(pair.Remote.OwnerPassword, script.Output, StringComparison.Ordinal);

        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code) VALUES (1, 'a'), (2, 'b')");
        var status = await CliRun.RunAsync("status", "--assembly", app, "--config", config);
        Assert.Matches(@"async_dst\s+1\s", status.Output);
        // A capture trigger its owner switched off is shown, and stays shown until a verification finds the table equal.
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "ALTER TABLE app.hostile_async DISABLE TRIGGER pgsync_capture_truncate");
        Assert.Contains(
            "error: the capture of app.hostile_async is off (capture trigger pgsync_capture_truncate was disabled",
            (await CliRun.RunAsync("status", "--assembly", app, "--config", config)).Output,
            StringComparison.Ordinal);
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "ALTER TABLE app.hostile_async ENABLE TRIGGER pgsync_capture_truncate");
        Assert.Contains("warning: the capture of app.hostile_async was off", (await CliRun.RunAsync("status", "--assembly", app, "--config", config)).Output, StringComparison.Ordinal);

        Assert.Contains("applied 1 entries", (await CliRun.RunAsync("replay", "--assembly", app, "--config", config, "--limit", "10")).Output, StringComparison.Ordinal);
        var verify = await CliRun.RunAsync("verify", "--assembly", app, "--config", config);
        Assert.Equal(0, verify.Code);
        Assert.Contains("app.hostile_async -> async_dst:copy.hostile_async: equal (2 rows)", verify.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("capture of", (await CliRun.RunAsync("status", "--assembly", app, "--config", config)).Output, StringComparison.Ordinal);

        await Db.ExecuteAsync(pair.Remote.ConnectionString, "DELETE FROM copy.hostile_async WHERE id = 2");
        verify = await CliRun.RunAsync("verify", "--assembly", app, "--config", config);
        Assert.Equal(1, verify.Code);
        Assert.Contains("missing (2,b)", verify.Output, StringComparison.Ordinal);

        Assert.Equal(0, (await CliRun.RunAsync("uninstall", "--assembly", app, "--config", config)).Code);
        Assert.Null(await Db.ScalarAsync<string?>(pair.Local.ConnectionString, "SELECT nspname::text FROM pg_namespace WHERE nspname = 'pgsync'"));
    }

    [Fact]
    public async Task Bad_usage_and_a_missing_assembly_say_what_is_wrong()
    {
        Assert.Equal(2, (await CliRun.RunAsync()).Code);
        var unknown = await CliRun.RunAsync("frobnicate", "--assembly", typeof(CliTests).Assembly.Location);
        Assert.Equal(2, unknown.Code);
        Assert.Contains("Unknown command 'frobnicate'", unknown.Error, StringComparison.Ordinal);
        var missing = await CliRun.RunAsync("status", "--assembly", "/nonexistent/App.dll");
        Assert.Equal(1, missing.Code);
        Assert.Contains("/nonexistent/App.dll' does not exist", missing.Error, StringComparison.Ordinal);
    }
}
