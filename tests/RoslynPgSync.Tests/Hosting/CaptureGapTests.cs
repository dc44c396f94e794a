using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using RoslynPgSync.Generated;
using RoslynPgSync.Hosting;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Verification;
using Xunit;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace RoslynPgSync.Tests.Hosting;

/// <summary>
/// A capture trigger that the table's owner disables (a bulk load's <c>ALTER TABLE ... DISABLE TRIGGER
/// USER</c>) lets every change through uncaptured, without an error; the install left a trigger that
/// exists alone, so it stayed off across restarts, and nothing said so. Now the health check reports it
/// (Unhealthy while off), the next install turns it back on and logs the gap, and the gap stays
/// reported (Degraded) until a verification finds every destination equal, which a repair brings.
/// </summary>
public sealed class CaptureGapTests
{
    [Fact]
    public async Task A_disabled_capture_is_reported_turned_back_on_by_the_install_and_reported_until_a_repair_makes_the_destination_equal()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var table = PgSyncInstaller.Tables.Single(t => t.EntityType == typeof(Models.HostileAsync));
        var health = new PgSyncHealthCheck(new PgSyncMonitor(pair.LocalSource, MsOptions.Create(pair.Options)), MsOptions.Create(new PgSyncHostOptions()));
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (1, 'k', 'v')");
        await pair.ReplayAsync();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

        // Off, as a bulk load does it: the change written meanwhile is not captured.
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "ALTER TABLE app.hostile_async DISABLE TRIGGER USER");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (2, 'k', 'uncaptured')");
        Assert.Equal(0, await pair.QueueDepthAsync());
        var off = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, off.Status);
        Assert.Contains("the capture of app.hostile_async is off (capture trigger pgsync_capture_", off.Description, StringComparison.Ordinal);
        Assert.Contains("was disabled", off.Description, StringComparison.Ordinal);

        // The next install (the worker's start) turns it back on and logs the gap.
        var logs = new CollectingLoggerProvider();
        await PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options, logs.CreateLogger("install"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Local.AdminConnectionString, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'app.hostile_async'::regclass AND tgname LIKE 'pgsync_capture_%' AND tgenabled <> 'O'"));
        var warning = Assert.Single(logs.Messages, m => m.EventId.Id == PgSyncEventIds.CaptureWasOff);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("the capture of app.hostile_async was off", warning.Message, StringComparison.Ordinal);
        Assert.Contains("pgsync verify --repair", warning.Message, StringComparison.Ordinal);

        // Captured again; the gap stays reported while the destination lacks what was written meanwhile.
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (3, 'k', 'v')");
        await pair.ReplayAsync();
        var verifier = new PgSyncVerifier(pair.LocalSource, pair.Options);
        var different = Assert.Single(await verifier.VerifyAsync([table]));
        Assert.Equal(["(2,k)"], different.Missing);
        var gap = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, gap.Status);
        Assert.Contains("the capture of app.hostile_async was off", gap.Description, StringComparison.Ordinal);

        // The repair makes it equal, which closes the gap.
        Assert.True(Assert.Single(await verifier.RepairAsync([table])).IsEqual);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
        Assert.Equal(new[] { 1L, 2L, 3L }, await Db.ScalarAsync<long[]>(pair.Remote.AdminConnectionString, "SELECT array_agg(id::bigint ORDER BY id) FROM copy.hostile_async"));
    }

    [Fact]
    public async Task A_capture_trigger_set_to_fire_only_in_replica_sessions_is_off_and_reported_as_such()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var health = new PgSyncHealthCheck(new PgSyncMonitor(pair.LocalSource, MsOptions.Create(pair.Options)), MsOptions.Create(new PgSyncHostOptions()));
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "ALTER TABLE app.hostile_async ENABLE REPLICA TRIGGER pgsync_capture_update");

        var off = await health.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, off.Status);
        Assert.Contains("capture trigger pgsync_capture_update was enabled for replica sessions only", off.Description, StringComparison.Ordinal);
        // (A verification cannot close a gap while the capture is off: the next check records it again.)
        await PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options);
        Assert.Equal("O", await Db.ScalarAsync<string>(pair.Local.AdminConnectionString, "SELECT tgenabled::text FROM pg_trigger WHERE tgrelid = 'app.hostile_async'::regclass AND tgname = 'pgsync_capture_update'"));
    }

    [Fact]
    public async Task A_dropped_capture_trigger_is_created_again_by_the_install_which_logs_the_gap()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "DROP TRIGGER pgsync_capture_delete ON app.hostile_async");

        var logs = new CollectingLoggerProvider();
        await PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options, logs.CreateLogger("install"));

        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Local.AdminConnectionString, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'app.hostile_async'::regclass AND tgname = 'pgsync_capture_delete' AND tgenabled = 'O'"));
        var warning = Assert.Single(logs.Messages, m => m.EventId.Id == PgSyncEventIds.CaptureWasOff);
        Assert.Contains("the capture of app.hostile_async was off (capture trigger pgsync_capture_delete was missing", warning.Message, StringComparison.Ordinal);
    }
}
