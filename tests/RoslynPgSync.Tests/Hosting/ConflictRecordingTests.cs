using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using RoslynPgSync.Hosting;
using RoslynPgSync.Sql;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Tests.Tool;
using Xunit;

namespace RoslynPgSync.Tests.Hosting;

/// <summary>
/// Issue 17 point 4: the conflicts a node meets as a destination are recorded in its conflict log,
/// counted by its worker in <c>pgsync.conflicts</c> (per table, kind and resolution), listed by the
/// monitor, <c>pgsync status</c> and <c>pgsync conflicts</c>; the worker removes conflict records
/// and tombstones past their retention, and keeps younger ones.
/// </summary>
public sealed class ConflictRecordingTests
{
    private static readonly string Versions = "pgsync." + PgSql.QuoteIdentifier(SqlNames.RowVersions("mm", "lww_item"));

    [Fact]
    public async Task Conflicts_are_counted_listed_and_kept_for_their_retention_as_tombstones_are()
    {
        await using var pair = await TestBed.Create().Replicate("local", "remote", "lww_peer").Replicate("remote", "local", "lww_peer").InstallAsync(RoslynPgSync.Generated.PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO mm.lww_item (id, info) VALUES (1, 'base'), (2, 'base'), (3, 'base')");
        await pair.Node("local").ReplayAsync();

        // An old conflict on local (backdated past the retention), an old tombstone and a young one.
        await Db.ExecuteAsync(pair.Local.ConnectionString, "UPDATE mm.lww_item SET info = 'local, earlier' WHERE id = 1");
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "UPDATE mm.lww_item SET info = 'remote, later' WHERE id = 1");
        await pair.Node("remote").ReplayAsync();
        Assert.Equal(1, await Db.ExecuteAsync(pair.Local.ConnectionString, "UPDATE pgsync.conflict_log SET logged_at = now() - interval '8 days'"));
        await Db.ExecuteAsync(pair.Local.ConnectionString, "DELETE FROM mm.lww_item WHERE id IN (2, 3)");
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"UPDATE {Versions} SET pgsync_at = now() - interval '8 days' WHERE id = 2");

        using var conflicts = new ConflictCounter();
        using var host = await StartWorkerAsync(pair);

        // The first purge (at start): the old conflict and the old tombstone go, the young tombstone stays.
        await WorkerHost.Eventually(
            async () => await Db.ScalarAsync<long>(pair.Local.ConnectionString, "SELECT count(*) FROM pgsync.conflict_log") == 0 &&
                        !await Db.ScalarAsync<bool>(pair.Local.ConnectionString, $"SELECT EXISTS (SELECT 1 FROM {Versions} WHERE id = 2)"));
        Assert.True(await Db.ScalarAsync<bool>(pair.Local.ConnectionString, $"SELECT pgsync_deleted FROM {Versions} WHERE id = 3"));

        // A conflict while the worker runs: remote writes key 1, local writes it later (the worker sends
        // that on), then remote's change arrives at local, which holds the later write.
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "UPDATE mm.lww_item SET info = 'remote again' WHERE id = 1");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "UPDATE mm.lww_item SET info = 'local again' WHERE id = 1");
        await WorkerHost.Eventually(async () => await pair.QueueDepthAsync() == 0);
        await pair.Node("remote").ReplayAsync();

        await WorkerHost.Eventually(
            () => Task.FromResult(conflicts.Total("mm.lww_item", "update_origin_differs", "keep_local") == 1),
            () => string.Join(", ", conflicts.All()));
        var monitor = host.Services.GetRequiredService<PgSyncMonitor>();
        var record = Assert.Single(await monitor.GetConflictsAsync(10, "lww_item"));
        Assert.Equal(("mm.lww_item", "{\"id\" : 1}", "update_origin_differs", "keep_local"), (record.Table, record.Key, record.Kind, record.Resolution));
        Assert.Contains("local again", record.LocalRow, StringComparison.Ordinal);
        Assert.Contains("remote again", record.RemoteRow, StringComparison.Ordinal);
        Assert.Equal(await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT origin FROM pgsync.node"), record.RemoteOrigin);
        Assert.True(record.LocalAt > record.RemoteAt);
        Assert.Equal(1L, Assert.Single(await monitor.GetConflictCountsAsync()).Count);
        await host.StopAsync();

        // The tool shows them too.
        using var cli = await CliRun.ConfigureAsync(pair, "lww_peer");
        var status = await CliRun.RunAsync("status", "--assembly", cli.Assembly, "--config", cli.Config);
        Assert.Matches(@"mm\.lww_item\s+update_origin_differs\s+keep_local\s+1\s", status.Output);
        var listed = await CliRun.RunAsync("conflicts", "--assembly", cli.Assembly, "--config", cli.Config, "--table", "mm.lww_item");
        Assert.Equal(0, listed.Code);
        Assert.Contains("mm.lww_item key {\"id\" : 1}: update_origin_differs, keep_local", listed.Output, StringComparison.Ordinal);
        Assert.Contains("local again", listed.Output, StringComparison.Ordinal);
        Assert.Contains("No conflicts recorded for mm.other.", (await CliRun.RunAsync("conflicts", "--assembly", cli.Assembly, "--config", cli.Config, "--table", "mm.other")).Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A conflict record whose transaction commits after one holding a later id is counted all the same:
    /// the metric reads totals kept as records commit, not records past the last id it saw (which missed
    /// this one). The records are written as the apply writes them, into the log, by the replication's
    /// role; two appliers of different origins can commit in either order.
    /// </summary>
    [Fact]
    public async Task A_conflict_record_that_commits_after_a_later_one_is_counted_and_the_count_outlives_the_records()
    {
        await using var pair = await TestBed.Create().Replicate("local", "remote", "lww_peer").Replicate("remote", "local", "lww_peer").InstallAsync(RoslynPgSync.Generated.PgSyncInstaller.Tables);
        const string Record = "INSERT INTO pgsync.conflict_log (nsp_name, table_name, key, kind, resolution, remote_origin, remote_at) " +
                              "VALUES ('mm', 'late_item', '{\"id\" : 1}', 'update_origin_differs', 'keep_local', @origin, now())";

        using var conflicts = new ConflictCounter();
        using var host = await StartWorkerAsync(pair);
        long Counted() => conflicts.Total("mm.late_item", "update_origin_differs", "keep_local");

        // The worker's first look only notes the totals: record until one is counted.
        var recorded = 0;
        await WorkerHost.Eventually(async () =>
        {
            await Db.ExecuteAsync(pair.Local.ConnectionString, Record.Replace("@origin", "'first'", StringComparison.Ordinal));
            recorded++;
            await Task.Delay(300);
            return Counted() > 0;
        });
        var before = Counted();
        Assert.InRange(before, 1, recorded);

        // A recorder takes an id and holds its transaction open; another takes a later id and commits.
        await using var slow = new NpgsqlConnection(pair.Local.ConnectionString);
        await slow.OpenAsync();
        await using var held = await slow.BeginTransactionAsync();
        var heldId = await new NpgsqlCommand(Record.Replace("@origin", "'slow'", StringComparison.Ordinal) + " RETURNING id", slow, held).ExecuteScalarAsync();
        var laterId = await Db.ScalarAsync<long>(pair.Local.ConnectionString, Record.Replace("@origin", "'fast'", StringComparison.Ordinal) + " RETURNING id");
        Assert.True(laterId > (long)heldId!);
        await WorkerHost.Eventually(() => Task.FromResult(Counted() == before + 1), () => string.Join(", ", conflicts.All()));

        // The held one commits after the worker has counted the later one: it is counted too, once.
        await held.CommitAsync();
        await WorkerHost.Eventually(() => Task.FromResult(Counted() == before + 2), () => string.Join(", ", conflicts.All()));
        await Task.Delay(500);
        Assert.Equal(before + 2, Counted());

        // The totals are kept per origin, and stay when the records go (retention): the next record adds one.
        Assert.Equal(
            $"fast=1,first={recorded},slow=1",
            await Db.ScalarAsync<string>(pair.Local.ConnectionString, "SELECT string_agg(remote_origin || '=' || recorded, ',' ORDER BY remote_origin) FROM pgsync.conflict_counts WHERE table_name = 'late_item'"));
        await Db.ExecuteAsync(pair.Local.ConnectionString, "DELETE FROM pgsync.conflict_log WHERE table_name = 'late_item'");
        await Db.ExecuteAsync(pair.Local.ConnectionString, Record.Replace("@origin", "'fast'", StringComparison.Ordinal));
        await WorkerHost.Eventually(() => Task.FromResult(Counted() == before + 3), () => string.Join(", ", conflicts.All()));
        await host.StopAsync();
    }

    /// <summary>Local's replay worker for the pair, installed already, looking every 100 ms.</summary>
    private static async Task<IHost> StartWorkerAsync(TestBed pair)
    {
        var host = WorkerHost.ForPair(new CollectingLoggerProvider(), pair, ["lww_peer"], h =>
        {
            h.InstallOnStart = false;
            h.PollInterval = TimeSpan.FromMilliseconds(100);
        });
        await host.StartAsync();
        return host;
    }

    /// <summary>Sums <c>pgsync.conflicts</c> per table, kind and resolution (the meter is process-wide: other tests' tables differ).</summary>
    private sealed class ConflictCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Tags, long Value)> _values = new();

        public ConflictCounter()
        {
            _listener.InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == PgSyncMetrics.MeterName && i.Name == "pgsync.conflicts")
                {
                    l.EnableMeasurementEvents(i);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                var found = new Dictionary<string, object?>();
                foreach (var tag in tags)
                {
                    found[tag.Key] = tag.Value;
                }

                _values.Enqueue(($"{found.GetValueOrDefault("pgsync.table")}|{found.GetValueOrDefault("pgsync.conflict.kind")}|{found.GetValueOrDefault("pgsync.conflict.resolution")}", value));
            });
            _listener.Start();
        }

        public long Total(string table, string kind, string resolution) => _values.Where(v => v.Tags == $"{table}|{kind}|{resolution}").Sum(v => v.Value);

        public IEnumerable<string> All() => _values.Select(v => v.Tags + " " + v.Value);

        public void Dispose() => _listener.Dispose();
    }
}
