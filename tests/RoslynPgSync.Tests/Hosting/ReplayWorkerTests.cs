using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Hosting;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Hosting;

/// <summary>The hosted replay worker, in a real generic host against real PostgreSQL.</summary>
public sealed class ReplayWorkerTests
{
    private const string Source = "app.hostile_async";
    private const string Target = "copy.hostile_async";

    [Fact]
    public async Task Worker_installs_at_start_from_configuration_and_drains_when_notified()
    {
        await using var dbs = await TestBed.Create().Node("local").Node("remote").BuildAsync();
        var logs = new CollectingLoggerProvider();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PgSync:NodeName"] = "local",
            ["PgSync:CreateMissingTables"] = "true",
            ["PgSync:LocalConnectionString"] = dbs.Local.ConnectionString,
            ["PgSync:Servers:async_dst"] = dbs.Remote.ConnectionString,
            ["PgSync:PollInterval"] = "00:01:00", // only NOTIFY can wake it in time
        }).Build();
        using var host = WorkerHost.Build(logs, services => services.AddPgSync(PgSyncInstaller.Tables, configuration.GetSection("PgSync")));
        await host.StartAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));

        await Db.ExecuteAsync(dbs.Local.ConnectionString, $"INSERT INTO {Source} (id, code) SELECT g, 'k' FROM generate_series(1, 250) g");

        try
        {
            await WorkerHost.Eventually(async () => await Db.ScalarAsync<long>(dbs.Remote.ConnectionString, $"SELECT count(*) FROM {Target}") == 250);
        }
        catch (Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException(string.Join("\n", logs.Messages.Select(m => m.Level + " " + m.Message)));
        }

        await host.StopAsync();
        Assert.Contains(logs.Messages, m => m.Message.Contains("installed 1 table(s) for destination(s) async_dst", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Message.Contains(dbs.Remote.OwnerPassword, StringComparison.Ordinal) || m.Message.Contains(dbs.Local.OwnerPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Destination_outage_logs_once_down_and_once_back_backs_off_and_then_drains()
    {
        await using var dbs = await TestBed.Create().Node("local").Node("remote").BuildAsync();
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.Build(logs, services => services.AddPgSync(
            PgSyncInstaller.Tables,
            o => { o.NodeName = "local"; o.CreateMissingTables = true; o.AddServer("async_dst", dbs.Remote.ConnectionString); },
            h => { h.LocalConnectionString = dbs.Local.ConnectionString; h.PollInterval = TimeSpan.FromMilliseconds(100); h.MinBackoff = TimeSpan.FromMilliseconds(200); h.MaxBackoff = TimeSpan.FromSeconds(1); }));
        using var failures = new MeasurementRecorder("pgsync.apply.failures");
        await host.StartAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));

        await dbs.TakeRemoteDownAsync();
        await Db.ExecuteAsync(dbs.Local.ConnectionString, $"INSERT INTO {Source} (id, code) VALUES (1, 'during outage')");
        await Task.Delay(TimeSpan.FromSeconds(4));

        // A 100 ms poll would try ~40 times; backoff (200 ms doubling to 1 s) allows about 7.
        Assert.True(failures.TotalFor("async_dst") is >= 2 and <= 9, failures.TotalFor("async_dst") + " failures; log:\n" + string.Join("\n", logs.Messages.Select(m => m.Level + " " + m.Message)));
        Assert.Single(logs.Messages, m => m.Message.Contains("Destination async_dst failed", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.Level == LogLevel.Warning && m.Message.Contains("not permitted to log in", StringComparison.Ordinal));

        await dbs.BringRemoteBackAsync();
        string activity = string.Empty;
        await WorkerHost.Eventually(
            async () =>
            {
                activity = await Db.ScalarAsync<string>(dbs.Local.AdminConnectionString, "SELECT string_agg(concat_ws(' | ', pid, datname, usename, state, wait_event_type, wait_event, left(query, 150)), E'\n') FROM pg_stat_activity WHERE backend_type = 'client backend'");
                return await Db.ScalarAsync<long>(dbs.Remote.ConnectionString, $"SELECT count(*) FROM {Target}") == 1;
            },
            () => activity + "\n" + string.Join("\n", logs.Messages.Select(m => m.Level + " " + m.Message)));
        await WorkerHost.Eventually(() => Task.FromResult(logs.Messages.Any(m => m.Message.Contains("Destination async_dst is back", StringComparison.Ordinal))));
        await host.StopAsync();
        Assert.Single(logs.Messages, m => m.Message.Contains("Destination async_dst failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_status_and_health_report_what_happened()
    {
        await using var dbs = await TestBed.Create().Node("local").Node("remote").BuildAsync();
        using var host = WorkerHost.Build(new CollectingLoggerProvider(), services =>
        {
            services.AddPgSync(
                PgSyncInstaller.Tables,
                o => { o.CreateMissingTables = true; o.AddServer("async_dst", dbs.Remote.ConnectionString); },
                h => { h.LocalConnectionString = dbs.Local.ConnectionString; h.PollInterval = TimeSpan.FromMilliseconds(200); h.DegradedLag = TimeSpan.FromSeconds(1); h.MinBackoff = TimeSpan.FromSeconds(30); h.MaxBackoff = TimeSpan.FromSeconds(30); });
            services.AddHealthChecks().AddPgSync();
        });
        using var entries = new MeasurementRecorder("pgsync.entries.applied");
        using var rows = new MeasurementRecorder("pgsync.rows.applied");
        using var depth = new MeasurementRecorder("pgsync.queue.depth");
        await host.StartAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));
        // The worker's background initial copy (of empty tables) first: once it ran, only the changes below are applied.
        var monitor = host.Services.GetRequiredService<PgSyncMonitor>();
        await WorkerHost.Eventually(async () => !(await monitor.GetCopiesAsync()).Any(c => c.IsRunning));

        await Db.ExecuteAsync(dbs.Local.ConnectionString, $"INSERT INTO {Source} (id, code) SELECT g, 'k' FROM generate_series(1, 40) g");
        await Db.ExecuteAsync(dbs.Local.ConnectionString, $"UPDATE {Source} SET body = 'x' WHERE id <= 10");
        await WorkerHost.Eventually(() => Task.FromResult(entries.TotalFor("async_dst") == 2 && rows.TotalFor("async_dst") == 50), () => $"entries {entries.TotalFor("async_dst")}, rows {rows.TotalFor("async_dst")}");
        var health = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

        await dbs.TakeRemoteDownAsync();
        await Db.ExecuteAsync(dbs.Local.ConnectionString, $"DELETE FROM {Source} WHERE id > 30");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var status = Assert.Single(await monitor.GetStatusAsync());
        Assert.Equal(("async_dst", 1L), (status.Server, status.Depth));
        Assert.True(status.OldestAge > TimeSpan.FromSeconds(1), status.OldestAge.ToString());
        Assert.Contains("not permitted to log in", status.LastError, StringComparison.Ordinal);
        Assert.NotNull(status.LastSuccess);
        var report = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Contains("async_dst behind by more than 00:00:01 (1 entries", report.Entries["pgsync"].Description, StringComparison.Ordinal);
        host.Services.GetRequiredService<PgSyncMetrics>(); // the gauges read the worker's latest status
        depth.Observe();
        Assert.Equal(1, depth.Last("async_dst"));
        await host.StopAsync();
        await dbs.BringRemoteBackAsync();
    }

    [Fact]
    public async Task Two_hosts_drain_one_queue_without_applying_anything_twice_and_shutdown_loses_nothing()
    {
        await using var dbs = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);

        // Every row event on the destination is counted: a batch applied twice would show as extra updates.
        // Each event also takes a millisecond, so the drain lasts seconds and the first host is stopped mid-drain
        // on any machine (a fixed delay before the stop raced a fast drain on CI).
        await Db.ExecuteAsync(dbs.Remote.ConnectionString, """
            CREATE TABLE copy.events (n bigint NOT NULL);
            INSERT INTO copy.events VALUES (0);
            CREATE FUNCTION copy.count_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE copy.events SET n = n + 1; PERFORM pg_sleep(0.001); RETURN NULL; END $$;
            CREATE TRIGGER count_event AFTER INSERT OR UPDATE ON copy.hostile_async FOR EACH ROW EXECUTE FUNCTION copy.count_event();
            """);
        // One source transaction per row: a batch never splits a transaction, so one 3,000-row transaction would be one batch.
        await Db.ExecuteAsync(dbs.Local.ConnectionString, $"DO $$ BEGIN FOR i IN 1..3000 LOOP INSERT INTO {Source} (id, code) VALUES (i, 'k'); COMMIT; END LOOP; END $$");

        void Configure(IServiceCollection services) => services.AddPgSync(
            PgSyncInstaller.Tables,
            o => o.AddServer("async_dst", dbs.Remote.ConnectionString),
            h => { h.LocalConnectionString = dbs.Local.ConnectionString; h.BatchSize = 50; h.PollInterval = TimeSpan.FromMilliseconds(100); });
        var firstLogs = new CollectingLoggerProvider();
        var secondLogs = new CollectingLoggerProvider();
        using var first = WorkerHost.Build(firstLogs, Configure);
        using var second = WorkerHost.Build(secondLogs, Configure);
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        await WorkerHost.Eventually(async () => await Db.ScalarAsync<long>(dbs.Remote.ConnectionString, $"SELECT count(*) FROM {Target}") > 0);
        await first.StopAsync(); // mid-drain: its in-flight batch commits or rolls back whole

        Assert.True(await Db.ScalarAsync<long>(dbs.Local.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec") > 0, "stopped before the queue was empty");

        // The second host drains the rest; every row arrives exactly once (one INSERT event each).
        await WorkerHost.Eventually(async () => await Db.ScalarAsync<long>(dbs.Remote.ConnectionString, $"SELECT count(*) FROM {Target}") == 3000);
        await second.StopAsync();
        var problems = string.Join("\n", firstLogs.Messages.Concat(secondLogs.Messages).Where(m => m.Level >= LogLevel.Warning).Select(m => m.Message));
        Assert.True(3000L == await Db.ScalarAsync<long>(dbs.Remote.ConnectionString, "SELECT n FROM copy.events"), "row events on the destination; warnings:\n" + problems);
        Assert.Equal(
            await TestBed.RowsAsync(dbs.Local.ConnectionString, Source, "id, code"),
            await TestBed.RowsAsync(dbs.Remote.ConnectionString, Target, "id, code"));
    }

    [Fact]
    public async Task Missing_servers_fail_the_host_start_with_a_clear_message()
    {
        using var host = WorkerHost.Build(new CollectingLoggerProvider(), services => services.AddPgSync(PgSyncInstaller.Tables, _ => { }, h => h.LocalConnectionString = "Host=127.0.0.1;Database=x;Username=y"));

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("at least one destination server", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Listens to one instrument of the RoslynPgSync meter.</summary>
    private sealed class MeasurementRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(double Value, string? Destination)> _values = new();

        public MeasurementRecorder(string instrument)
        {
            _listener.InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == PgSyncMetrics.MeterName && i.Name == instrument)
                {
                    l.EnableMeasurementEvents(i);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Record(value, tags));
            _listener.SetMeasurementEventCallback<double>((_, value, tags, _) => Record(value, tags));
            _listener.Start();
        }

        /// <summary>The sum for one destination: the meter is process-wide, and other test classes' workers run meanwhile.</summary>
        public double TotalFor(string destination) => _values.Where(v => v.Destination == destination).Sum(v => v.Value);

        public void Observe() => _listener.RecordObservableInstruments();

        public double Last(string destination) => _values.Last(v => v.Destination == destination).Value;

        public void Dispose() => _listener.Dispose();

        private void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? destination = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "pgsync.destination")
                {
                    destination = tag.Value as string;
                }
            }

            _values.Enqueue((value, destination));
        }
    }
}
