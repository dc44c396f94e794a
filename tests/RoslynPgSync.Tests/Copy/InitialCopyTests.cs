using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RoslynPgSync.Hosting;
using RoslynPgSync.Copy;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace RoslynPgSync.Tests.Copy;

/// <summary>
/// Rows a table held before replication was installed reach the destination (PgSyncOptions.InitialCopy):
/// online, under writers, resumable after a kill, and recorded honestly (pgsync.copy_status).
/// </summary>
[Collection(CopyWorkers.Name)]
public sealed class InitialCopyTests(ITestOutputHelper output)
{
    private const string Items = "cp.items";
    private const string ItemsCopy = "cp_copy.items";
    private const string Server = "copy_async";
    private const int Rows = 200_000;

    [Fact]
    public async Task Rows_that_existed_before_the_install_arrive_and_the_copy_is_recorded_done()
    {
        var logs = new CollectingLoggerProvider();
        await using var bed = await TestBed.Create().Pair(Server).BuildAsync();
        await CopyItems.FillAsync(bed, Rows);
        await Db.ExecuteAsync(
            bed.Local.ConnectionString,
            PgSyncInstaller.Tables.Single(t => t.SourceTable == "pairs").CreateTableSql +
            "INSERT INTO cp.pairs SELECT g % 10, 'k' || g, g % 3 <> 0, repeat('n', g % 50) FROM generate_series(1, 3000) AS g");

        var watch = Stopwatch.StartNew();
        await PgSyncInstallation.InstallAsync(bed.LocalSource, bed.Options, PgSyncInstaller.Tables, logs.CreateLogger("install"));
        output.WriteLine($"install with the copy of {Rows} rows: {watch.ElapsedMilliseconds} ms");

        Assert.Equal(await CopyItems.DigestAsync(bed.Local.ConnectionString, Items), await CopyItems.DigestAsync(bed.Remote.ConnectionString, ItemsCopy));
        Assert.Equal(
            await TestBed.RowsAsync(bed.Local.ConnectionString, "(SELECT * FROM cp.pairs WHERE kept)", "k1, k2"),
            await TestBed.RowsAsync(bed.Remote.ConnectionString, "cp_copy.pairs", "k1, k2"));
        Assert.Equal(2000L, await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM cp_copy.pairs"));
        var copies = await new PgSyncCopier(bed.LocalSource, bed.Options).GetProgressAsync();
        var items = Assert.Single(copies, c => c.Table == Items);
        Assert.Equal(CopyStatus.Done, items.Status);
        Assert.Equal(Rows, items.RowsCopied);
        Assert.Equal(Rows / bed.Options.InitialCopyChunkRows, items.Chunks);
        Assert.True(items.RowsPerSecond > 0 && items.FinishedAt is not null && items.Remaining is null, items.ToString());
        Assert.Equal(CopyStatus.Done, Assert.Single(copies, c => c.Table == "cp.pairs").Status);
        Assert.Equal(0, await bed.QueueDepthAsync());
        Assert.Contains(logs.Messages, m => m.EventId.Id == PgSyncEventIds.CopyStarted && m.Message.Contains(Items, StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.EventId.Id == PgSyncEventIds.CopyDone && m.Message.Contains($"{Rows} rows", StringComparison.Ordinal));

        // Recorded once: a re-install copies nothing again, and changes flow as before.
        await Db.ExecuteAsync(bed.Local.ConnectionString, "UPDATE cp.items SET version = 2 WHERE id <= 10");
        await PgSyncInstaller.InstallAsync(bed.LocalSource, bed.Options);
        Assert.Equal(Rows, (await new PgSyncCopier(bed.LocalSource, bed.Options).GetProgressAsync()).Single(c => c.Table == Items).RowsCopied);
        await bed.ReplayAsync();
        Assert.Equal(10L, await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM cp_copy.items WHERE version = 2"));
    }

    [Fact]
    public async Task A_target_that_has_rows_is_left_alone_and_the_copy_recorded_as_skipped_until_a_replace()
    {
        var logs = new CollectingLoggerProvider();
        await using var bed = await TestBed.Create().Pair(Server).BuildAsync();
        await CopyItems.FillAsync(bed, 1000);
        var target = PgSyncInstaller.Tables.Single(t => t.SourceTable == "items").Targets[0];
        await Db.ExecuteAsync(bed.Remote.ConnectionString, target.CreateTableSql + "INSERT INTO cp_copy.items VALUES (1, 99, 'the destination''s own'), (5000, 1, 'not in the source')");

        await PgSyncInstallation.InstallAsync(bed.LocalSource, bed.Options, PgSyncInstaller.Tables, logs.CreateLogger("install"));

        Assert.Equal(2L, await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM cp_copy.items"));
        var skipped = (await new PgSyncCopier(bed.LocalSource, bed.Options).GetProgressAsync()).Single(c => c.Table == Items);
        Assert.Equal(CopyStatus.Skipped, skipped.Status);
        Assert.Contains("already had rows", skipped.Reason, StringComparison.Ordinal);
        Assert.Contains("pgsync copy --replace", skipped.Reason, StringComparison.Ordinal);
        Assert.Contains(logs.Messages, m => m.EventId.Id == PgSyncEventIds.CopySkipped && m.Message.Contains("cp_copy.items", StringComparison.Ordinal));

        var copier = new PgSyncCopier(bed.LocalSource, bed.Options);
        await copier.RestartAsync(PgSyncInstaller.Tables, replace: true, table: Items);
        var done = (await copier.RunAsync(PgSyncInstaller.Tables)).Single(c => c.Table == Items);
        Assert.Equal(CopyStatus.Done, done.Status);
        Assert.True(done.Replace);
        Assert.Equal(await CopyItems.DigestAsync(bed.Local.ConnectionString, Items), await CopyItems.DigestAsync(bed.Remote.ConnectionString, ItemsCopy));
    }

    [Fact]
    public async Task Replace_makes_the_target_equal_to_the_source_and_Never_copies_nothing()
    {
        await using var replaced = await TestBed.Create().Pair(Server).Configure("local", o => o.InitialCopy = InitialCopyMode.Replace).BuildAsync();
        await using var never = await TestBed.Create().Pair(Server).Configure("local", o => o.InitialCopy = InitialCopyMode.Never).BuildAsync();
        var target = PgSyncInstaller.Tables.Single(t => t.SourceTable == "items").Targets[0];
        foreach (var bed in new[] { replaced, never })
        {
            await CopyItems.FillAsync(bed, 5000);
            await Db.ExecuteAsync(bed.Remote.ConnectionString, target.CreateTableSql + "INSERT INTO cp_copy.items VALUES (1, 99, 'stale'), (9000, 1, 'not in the source')");
            await PgSyncInstaller.InstallAsync(bed.LocalSource, bed.Options);
        }

        Assert.Equal(await CopyItems.DigestAsync(replaced.Local.ConnectionString, Items), await CopyItems.DigestAsync(replaced.Remote.ConnectionString, ItemsCopy));
        Assert.Equal(CopyStatus.Done, (await new PgSyncCopier(replaced.LocalSource, replaced.Options).GetProgressAsync()).Single(c => c.Table == Items).Status);

        Assert.Equal(2L, await Db.ScalarAsync<long>(never.Remote.ConnectionString, "SELECT count(*) FROM cp_copy.items"));
        Assert.Empty(await new PgSyncCopier(never.LocalSource, never.Options).GetProgressAsync());
    }

    [Fact]
    public async Task The_copy_runs_online_under_four_writers_and_the_destination_ends_equal()
    {
        await using var bed = await TestBed.Create().Pair(Server).Configure("local", o => o.InitialCopyChunkRows = 2000).BuildAsync();
        await CopyItems.FillAsync(bed, Rows);
        await PgSyncInstallation.InstallAsync(bed.LocalSource, bed.Options, PgSyncInstaller.Tables, logger: null, copy: false, CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var writes = new long[4];
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() => WriteAsync(bed.Local.ConnectionString, w, writes, stop.Token))).ToList();
        var replay = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await bed.ReplayAsync(1000);
                await Task.Delay(20);
            }
        });
        await Task.Delay(300); // writers under way before the copy starts

        var watch = Stopwatch.StartNew();
        var copy = (await new PgSyncCopier(bed.LocalSource, bed.Options).RunAsync(PgSyncInstaller.Tables)).Single(c => c.Table == Items);
        var during = writes.Sum();
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        await replay;
        while (await bed.ReplayAsync() > 0)
        {
        }

        output.WriteLine($"copy of {Rows} rows in {watch.ElapsedMilliseconds} ms ({copy.Chunks} chunks) under {during} writes");
        Assert.Equal(CopyStatus.Done, copy.Status);
        Assert.True(during > 100, $"only {during} writes ran during the copy");
        Assert.Equal(await CopyItems.DigestAsync(bed.Local.ConnectionString, Items), await CopyItems.DigestAsync(bed.Remote.ConnectionString, ItemsCopy));
    }

    [Fact]
    public async Task A_copy_killed_mid_way_resumes_after_its_last_chunk_and_counts_each_row_once()
    {
        await using var bed = await TestBed.Create().Pair(Server).BuildAsync();
        await CopyItems.FillAsync(bed, Rows);
        await PgSyncInstallation.InstallAsync(bed.LocalSource, bed.Options, PgSyncInstaller.Tables, logger: null, copy: false, CancellationToken.None);

        // pgsync copy in a process of its own, small chunks, killed (SIGKILL) part-way.
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { System.IO.Path.Combine(AppContext.BaseDirectory, "RoslynPgSync.Tool.dll"), "copy", "--assembly", typeof(PgSyncInstaller).Assembly.Location },
            Environment =
            {
                ["PgSync__LocalConnectionString"] = bed.Local.ConnectionString,
                ["PgSync__Servers__copy_async"] = bed.Remote.ConnectionString,
                ["PgSync__InitialCopyChunkRows"] = "1000",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await WorkerHost.Eventually(async () => await ChunksAsync(bed) >= 20, seconds: 60);
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();

        var killed = (await new PgSyncCopier(bed.LocalSource, bed.Options).GetProgressAsync()).Single(c => c.Table == Items);
        output.WriteLine($"killed at {killed}");
        Assert.Equal(CopyStatus.Copying, killed.Status);
        Assert.InRange(killed.RowsCopied, 20_000, Rows - 1000);
        Assert.Equal(killed.Chunks * 1000, killed.RowsCopied);
        Assert.True(await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM cp_copy.items") < Rows, "the destination is not complete yet");

        var options = bed.Options;
        options.InitialCopyChunkRows = 1000;
        var done = (await new PgSyncCopier(bed.LocalSource, options).RunAsync(PgSyncInstaller.Tables)).Single(c => c.Table == Items);

        Assert.Equal(CopyStatus.Done, done.Status);
        Assert.Equal(Rows, done.RowsCopied);
        Assert.Equal(Rows / 1000, done.Chunks);
        Assert.Equal(await CopyItems.DigestAsync(bed.Local.ConnectionString, Items), await CopyItems.DigestAsync(bed.Remote.ConnectionString, ItemsCopy));
    }

    [Fact]
    public async Task A_copy_is_done_only_when_every_chunk_is_applied_and_failed_when_an_operator_skips_one()
    {
        await using var bed = await TestBed.Create().Pair(Server).BuildAsync();
        await CopyItems.FillAsync(bed, 3000);
        var target = PgSyncInstaller.Tables.Single(t => t.SourceTable == "items").Targets[0];
        // The destination rejects row 2500 (in the third chunk of 1000) while its table is still empty at install.
        await Db.ExecuteAsync(
            bed.Remote.ConnectionString,
            target.CreateTableSql +
            "CREATE FUNCTION cp_copy.reject() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 2500 THEN RAISE EXCEPTION 'row 2500 is refused'; END IF; RETURN NEW; END $$; " +
            "CREATE TRIGGER reject BEFORE INSERT ON cp_copy.items FOR EACH ROW EXECUTE FUNCTION cp_copy.reject()");
        var options = bed.Options;
        options.InitialCopyChunkRows = 1000;
        await PgSyncInstallation.InstallAsync(bed.LocalSource, options, PgSyncInstaller.Tables, logger: null, copy: false, CancellationToken.None);

        var logs = new CollectingLoggerProvider();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new PgSyncCopier(bed.LocalSource, options, logs.CreateLogger("copy")).RunAsync(PgSyncInstaller.Tables, ct: timeout.Token));
        }

        var stuck = (await new PgSyncCopier(bed.LocalSource, options).GetProgressAsync()).Single(c => c.Table == Items);
        Assert.Equal(CopyStatus.Copying, stuck.Status);
        Assert.Contains(logs.Messages, m => m.EventId.Id == PgSyncEventIds.CopyWaiting && m.Message.Contains("row 2500 is refused", StringComparison.Ordinal));
        Assert.Equal(2000L, await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM cp_copy.items"));

        // An operator skips the chunk the destination refuses: the copy cannot be done, and says so.
        var entry = await Db.ScalarAsync<long>(bed.Local.ConnectionString, "SELECT last_error_entry FROM pgsync.dst_state WHERE dst_server = $1", Server);
        await Db.ExecuteAsync(bed.Local.ConnectionString, "SELECT pgsync.skip_entry($1)", entry);
        var failed = (await new PgSyncCopier(bed.LocalSource, options).RunAsync(PgSyncInstaller.Tables)).Single(c => c.Table == Items);
        Assert.Equal(CopyStatus.Failed, failed.Status);
        Assert.Contains($"queue entry {entry} of the copy (1000 rows) was skipped", failed.Reason, StringComparison.Ordinal);
        Assert.Null(failed.FinishedAt);
    }

    [Fact]
    public async Task The_hosted_worker_copies_in_the_background_and_its_health_check_is_degraded_until_the_copy_is_done()
    {
        await using var bed = await TestBed.Create().Pair(Server).BuildAsync();
        await CopyItems.FillAsync(bed, Rows);
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.Build(logs, services =>
        {
            services.AddPgSync(
                PgSyncInstaller.Tables,
                o => { o.NodeName = "local"; o.CreateMissingTables = true; o.InitialCopyChunkRows = 2000; o.AddServer(Server, bed.Remote.ConnectionString); },
                h => { h.LocalConnectionString = bed.Local.ConnectionString; h.PollInterval = TimeSpan.FromMilliseconds(100); });
            services.AddHealthChecks().AddPgSync();
        });
        var health = host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();
        var monitor = host.Services.GetRequiredService<RoslynPgSync.Hosting.PgSyncMonitor>();

        await host.StartAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));
        var degraded = (await health.CheckHealthAsync()).Entries["pgsync"];
        var during = (await monitor.GetCopiesAsync()).Single(c => c.Table == Items);
        // Every copy of the node (cp.items, then the empty cp.pairs) has ended.
        await WorkerHost.Eventually(async () => !(await monitor.GetCopiesAsync()).Any(c => c.IsRunning), seconds: 120);
        var healthy = (await health.CheckHealthAsync()).Entries["pgsync"];
        await host.StopAsync();

        // Read right after the install: the copy of 200,000 rows in chunks of 2,000 has not finished by then.
        Assert.True(during.IsRunning, during.ToString());
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, degraded.Status);
        Assert.Contains($"initial copy of {Items} to {Server} running", degraded.Description, StringComparison.Ordinal);
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, healthy.Status);
        Assert.Equal(CopyStatus.Done, (await monitor.GetCopiesAsync()).Single(c => c.Table == Items).Status);
        Assert.Equal(await CopyItems.DigestAsync(bed.Local.ConnectionString, Items), await CopyItems.DigestAsync(bed.Remote.ConnectionString, ItemsCopy));
        Assert.Contains(logs.Messages, m => m.EventId.Id == PgSyncEventIds.CopyDone);
    }

    [Fact]
    public async Task The_copy_gauges_show_the_hosted_workers_copy_running_and_then_done_with_every_row()
    {
        const int chunkRows = 5000;
        var watch = Stopwatch.StartNew();
        await using var bed = await TestBed.Create().Pair(Server).BuildAsync();
        await CopyItems.FillAsync(bed, Rows);
        using var gauges = new CopyGauges();
        using var host = WorkerHost.Build(new CollectingLoggerProvider(), services => services.AddPgSync(
            PgSyncInstaller.Tables,
            o => { o.NodeName = "local"; o.CreateMissingTables = true; o.InitialCopyChunkRows = chunkRows; o.AddServer(Server, bed.Remote.ConnectionString); },
            h => { h.LocalConnectionString = bed.Local.ConnectionString; h.PollInterval = TimeSpan.FromMilliseconds(100); }));
        var monitor = host.Services.GetRequiredService<PgSyncMonitor>();

        await host.StartAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));
        // While it runs: a reading with the copy running, part of the rows copied, and the estimate.
        CopyGauges.Reading? during = null;
        await WorkerHost.Eventually(
            () => Task.FromResult((during = gauges.Read()) is { Running: 1, Rows: > 0 and < Rows, Estimate: not null }),
            () => $"last reading {during}",
            seconds: 60);
        await WorkerHost.Eventually(async () => !(await monitor.GetCopiesAsync()).Any(c => c.IsRunning), seconds: 60);
        // The worker observes the copies every cycle: once it saw the copy done, the gauges say so.
        CopyGauges.Reading? after = null;
        await WorkerHost.Eventually(() => Task.FromResult((after = gauges.Read()) is { Running: 0 }), () => $"last reading {after}");
        await host.StopAsync();
        output.WriteLine($"during: {during}; after: {after}; {watch.ElapsedMilliseconds} ms");

        Assert.Equal(1, during!.Running);
        Assert.Equal("copying", during.Status);
        Assert.InRange(during.Rows!.Value, 1, Rows - 1);
        Assert.Equal(0, during.Rows % chunkRows);
        // reltuples, or a count while the table was never analyzed: within a tenth of the rows either way.
        Assert.InRange(during.Estimate!.Value, Rows * 9 / 10, Rows * 11 / 10);
        Assert.Equal(0, after!.Running);
        Assert.Equal("done", after.Status);
        Assert.Equal(Rows, after.Rows);
        Assert.Equal(during.Estimate, after.Estimate);
        Assert.Equal(await Db.ScalarAsync<long>(bed.Local.ConnectionString, "SELECT count(*) FROM cp.items"), after.Rows);
    }

    /// <summary>
    /// The RoslynPgSync meter's copy gauges (pgsync.copy.rows, .rows_estimate, .running) for cp.items to
    /// copy_async, read on demand. The meter is process-wide; the tests with copy_async workers run one at a time.
    /// </summary>
    private sealed class CopyGauges : IDisposable
    {
        private readonly MeterListener _listener = new();
        private Reading _reading = new(null, null, null, null);

        public CopyGauges()
        {
            _listener.InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == PgSyncMetrics.MeterName && i.Name.StartsWith("pgsync.copy.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(i);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i.Name, value, tags));
            _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Record(i.Name, value, tags));
            _listener.Start();
        }

        /// <summary>One collection of the gauges: null for one that reported nothing for the copy.</summary>
        public Reading Read()
        {
            lock (_listener)
            {
                _reading = new Reading(null, null, null, null);
                _listener.RecordObservableInstruments();
                return _reading;
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Record(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? destination = null, table = null, status = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "pgsync.destination": destination = tag.Value as string; break;
                    case "pgsync.table": table = tag.Value as string; break;
                    case "pgsync.copy.status": status = tag.Value as string; break;
                }
            }

            if (destination != Server || table != Items)
            {
                return;
            }

            _reading = instrument switch
            {
                "pgsync.copy.rows" => _reading with { Rows = value, Status = status },
                "pgsync.copy.rows_estimate" => _reading with { Estimate = value },
                "pgsync.copy.running" => _reading with { Running = (int)value },
                _ => _reading,
            };
        }

        public sealed record Reading(long? Rows, long? Estimate, int? Running, string? Status);
    }

    private static Task<long> ChunksAsync(TestBed bed) =>
        Db.ScalarAsync<long>(bed.Local.ConnectionString, "SELECT COALESCE((SELECT chunks FROM pgsync.copy_state WHERE table_name = 'items'), 0)");

    /// <summary>One writer until stopped: inserts above the copied range, updates, deletes and key changes anywhere in it, one per transaction.</summary>
    private static async Task WriteAsync(string connectionString, int writer, long[] writes, CancellationToken stop)
    {
        var random = new Random(writer);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        var next = 1_000_000 + (writer * 1_000_000);
        while (!stop.IsCancellationRequested)
        {
            var id = random.Next(1, Rows + 1);
            var sql = random.Next(4) switch
            {
                0 => $"INSERT INTO cp.items VALUES ({next++}, 1, 'inserted by {writer}')",
                1 => $"UPDATE cp.items SET version = version + 1, payload = 'updated by {writer}' WHERE id = {id}",
                2 => $"DELETE FROM cp.items WHERE id = {id}",
                _ => $"UPDATE cp.items SET id = {next++} WHERE id = {id}",
            };
            try
            {
                await Db.ExecuteAsync(connection, sql);
                Interlocked.Increment(ref writes[writer]);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
            }

            // About 300 writes/s each: the load of a busy table, leaving the copy a share of two cores.
            await Task.Delay(2, CancellationToken.None);
        }
    }
}
