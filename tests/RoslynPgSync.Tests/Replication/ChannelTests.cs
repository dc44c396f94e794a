using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RoslynPgSync.Copy;
using RoslynPgSync.Generated;
using RoslynPgSync.Hosting;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// Channels: a destination's entries form independent ordered streams ([Replicate(..., Channel = "...")],
/// the default channel for every table that names none). A backlog, or an entry the destination refuses,
/// in one channel does not hold back a Sync table in another; order across the tables of one channel
/// stays strict.
/// </summary>
public sealed class ChannelTests
{
    private const string Server = "chan_dst";

    [Fact]
    public async Task A_backlog_in_one_channel_does_not_hold_back_a_sync_commit_in_another()
    {
        await using var pair = await TestBed.Create().Pair(Server).InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        // 500 Async transactions in channel "bulk", and nobody replays them.
        await Db.ExecuteAsync(local, "DO $$ BEGIN FOR i IN 1..500 LOOP INSERT INTO chan.bulk (id, amount) VALUES (i, i); COMMIT; END LOOP; END $$");
        Assert.Equal(500L, await Db.ScalarAsync<long>(local, "SELECT count(*) FROM pgsync.sync_err_rec WHERE dst_server = 'chan_dst' AND channel = 'bulk'"));

        // A Sync commit in the default channel goes at once, alone: in one stream with the backlog it would
        // have been queued behind it (and, under a thousand entries, sent after all of it in its commit).
        await Db.ExecuteAsync(local, "INSERT INTO chan.orders (id, item) VALUES (1, 'first')");

        Assert.Equal("first", await Db.ScalarAsync<string?>(pair.Remote.ConnectionString, "SELECT item FROM chan_copy.orders WHERE id = 1"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM chan_copy.bulk"));
        Assert.Equal(500L, await pair.QueueDepthAsync()); // (count(*) per dst_server: every channel's backlog)
        Assert.Equal(0L, await Db.ScalarAsync<long>(local, "SELECT count(*) FROM pgsync.sync_err_rec WHERE channel = ''"));

        // deal_sync_err_rec leaves a stream that another session is applying (here: holds) to it, and
        // applies the others without waiting (a wait would pass the 20 s command timeout) ...
        await Db.ExecuteAsync(local, "INSERT INTO chan.events (id, info) VALUES (1, 'default channel')");
        await using (var holder = new NpgsqlConnection(local))
        {
            await holder.OpenAsync();
            await Db.ExecuteAsync(holder, "BEGIN; SELECT pgsync.lock_stream('chan_dst', 'bulk')");
            Assert.Equal(1, await Db.ScalarAsync<int>(local + ";Command Timeout=20", "SELECT pgsync.deal_sync_err_rec(100000)"));
            await Db.ExecuteAsync(holder, "ROLLBACK");
        }

        // ... and keeps its meaning: up to i_limit entries, over every stream.
        Assert.Equal(500, await Db.ScalarAsync<int>(local, "SELECT pgsync.deal_sync_err_rec(100000)"));
        Assert.True(await pair.EqualAsync("chan.events", "chan_copy.events", "id"));
        Assert.True(await pair.EqualAsync("chan.bulk", "chan_copy.bulk", "id"));
    }

    [Fact]
    public async Task A_channel_stopped_at_a_refused_entry_leaves_the_other_channels_running_under_the_worker()
    {
        await using var pair = await TestBed.Create().Pair(Server).InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        // The destination refuses negative amounts: channel "bulk" stops at its first such entry.
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "ALTER TABLE chan_copy.bulk ADD CONSTRAINT amount_positive CHECK (amount >= 0)");
        await Db.ExecuteAsync(local, "INSERT INTO chan.bulk (id, amount) VALUES (1, 1)");
        await Db.ExecuteAsync(local, "INSERT INTO chan.bulk (id, amount) VALUES (2, -2)");
        await Db.ExecuteAsync(local, "INSERT INTO chan.bulk (id, amount) VALUES (3, 3)");
        var refused = await Db.ScalarAsync<long>(local, "SELECT id FROM pgsync.sync_err_rec WHERE channel = 'bulk' ORDER BY id OFFSET 1 LIMIT 1");

        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, pair, [Server], h =>
        {
            h.InstallOnStart = false;
            h.PollInterval = TimeSpan.FromMilliseconds(100);
            h.MinBackoff = TimeSpan.FromSeconds(30);
            h.MaxBackoff = TimeSpan.FromSeconds(30);
        });
        await host.StartAsync();
        await WorkerHost.Eventually(async () => await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM chan_copy.bulk") == 1);

        // While "bulk" waits at entry 2 (backing off for 30 s), the default channel's Async and Sync tables go on.
        for (var i = 1; i <= 20; i++)
        {
            await Db.ExecuteAsync(local, $"INSERT INTO chan.events (id, info) VALUES ({i}, 'e{i}')");
            await Db.ExecuteAsync(local, $"INSERT INTO chan.orders (id, item) VALUES ({i}, 'o{i}')");
        }

        await WorkerHost.Eventually(
            async () => await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM chan_copy.events") == 20,
            () => string.Join("\n", logs.Messages.TakeLast(10).Select(m => m.Message)));
        Assert.True(await pair.EqualAsync("chan.orders", "chan_copy.orders", "id"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(local, "SELECT count(*) FROM pgsync.sync_err_rec WHERE channel = ''"));

        // The status and the log name the stopped stream, and only it; the default channel's state is clean.
        var status = await host.Services.GetRequiredService<PgSyncMonitor>().GetStatusAsync();
        var bulk = Assert.Single(status, s => s.Channel == "bulk");
        Assert.Equal((Server, 2L, refused, "chan.bulk"), (bulk.Server, bulk.Depth, bulk.LastErrorEntry, bulk.LastErrorTable));
        Assert.Contains("amount_positive", bulk.LastError, StringComparison.Ordinal);
        var main = Assert.Single(status, s => s.Channel.Length == 0);
        Assert.Equal((0L, (string?)null), (main.Depth, main.LastError));
        Assert.Contains(logs.Messages, m => m.Message.StartsWith("Destination chan_dst/bulk failed", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Message.StartsWith("Destination chan_dst failed", StringComparison.Ordinal));

        // Skipping the refused entry lets "bulk" go on, in order, at once (the skip wakes the worker).
        await Db.ExecuteAsync(local, $"SELECT pgsync.skip_entry({refused})");
        await WorkerHost.Eventually(async () => await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM chan_copy.bulk") == 2);
        Assert.Equal("bulk", await Db.ScalarAsync<string>(local, $"SELECT channel FROM pgsync.skipped_entry WHERE id = {refused}"));
        await host.StopAsync();
        Assert.Equal("1 1|3 3", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT string_agg(id || ' ' || amount, '|' ORDER BY id) FROM chan_copy.bulk"));
    }

    [Fact]
    public async Task Order_across_the_tables_of_one_channel_stays_strict()
    {
        await using var pair = await TestBed.Create().Pair(Server).InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        // Immediate on the destination: every entry must arrive after the one it depends on.
        await Db.ExecuteAsync(pair.Remote.ConnectionString,
            "ALTER TABLE chan_copy.child ADD CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES chan_copy.parent (id)");
        // Parent, child, child moved to a new parent, old parent deleted, ...: each its own transaction,
        // alternating between the two tables, a hundred times.
        await Db.ExecuteAsync(local, """
            DO $$ BEGIN
                FOR i IN 1..100 LOOP
                    INSERT INTO chan.parent (id, name) VALUES (i, 'p' || i); COMMIT;
                    IF i = 1 THEN INSERT INTO chan.child (id, parent_id) VALUES (1, 1);
                    ELSE UPDATE chan.child SET parent_id = i WHERE id = 1; END IF;
                    COMMIT;
                    IF i > 1 THEN DELETE FROM chan.parent WHERE id = i - 1; COMMIT; END IF;
                END LOOP;
            END $$
            """);
        Assert.Equal(299L, await Db.ScalarAsync<long>(local, "SELECT count(*) FROM pgsync.sync_err_rec WHERE channel = 'ordered'"));

        // One entry at a time, through the stream's own head: never a child before its parent, never a
        // parent deleted before its child has moved away.
        for (var applied = 0; applied < 299; applied++)
        {
            Assert.Equal(1, await Db.ScalarAsync<int>(local, "SELECT pgsync.apply_pending('chan_dst', 'ordered', 1, false, NULL)"));
        }

        Assert.Null(await Db.ScalarAsync<string?>(local, "SELECT max(last_error) FROM pgsync.dst_state"));
        Assert.True(await pair.EqualAsync("chan.parent", "chan_copy.parent", "id"));
        Assert.Equal("1 100", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT string_agg(id || ' ' || parent_id, '|') FROM chan_copy.child"));
        // The default channel's head saw none of it.
        Assert.Equal(0, await Db.ScalarAsync<int>(local, "SELECT pgsync.apply_pending('chan_dst', '', 1000, false, NULL)"));
    }

    [Fact]
    public async Task An_initial_copy_in_one_channel_does_not_hold_back_the_default_channel()
    {
        await using var bed = await TestBed.Create().Pair(Server).Configure("local", o => o.InitialCopy = InitialCopyMode.Never).BuildAsync();
        var local = bed.Local.ConnectionString;
        var sources = string.Concat(PgSyncInstaller.Tables.Where(t => t.SourceSchema == "chan").Select(t => t.CreateTableSql));
        await Db.ExecuteAsync(local, sources + "INSERT INTO chan.bulk SELECT g, g FROM generate_series(1, 25000) AS g");
        await PgSyncInstallation.InstallAsync(bed.LocalSource, bed.Options, PgSyncInstaller.Tables, logger: null, copy: false, CancellationToken.None);
        await new PgSyncCopier(bed.LocalSource, bed.Options).RestartAsync(PgSyncInstaller.Tables, replace: false, table: "chan.bulk");

        // Channel "bulk" is held (as by a long batch): the copier queues its first chunk there and waits.
        await using var holder = new NpgsqlConnection(local);
        await holder.OpenAsync();
        await Db.ExecuteAsync(holder, "BEGIN; SELECT pgsync.lock_stream('chan_dst', 'bulk')");
        var copy = Task.Run(() => new PgSyncCopier(bed.LocalSource, bed.Options).RunAsync(PgSyncInstaller.Tables));
        await WorkerHost.Eventually(async () => await Db.ScalarAsync<long>(local, "SELECT count(*) FROM pgsync.copy_chunk") == 1, seconds: 60);
        Assert.Equal("bulk", await Db.ScalarAsync<string>(local, "SELECT e.channel FROM pgsync.sync_err_rec AS e JOIN pgsync.copy_chunk AS k ON k.entry_id = e.id"));

        // The default channel goes on meanwhile: its Async entries are applied at once (a wait for the held
        // channel would pass the 20 s command timeout), and a Sync commit arrives with its commit.
        await using var writer = new NpgsqlConnection(local + ";Command Timeout=20");
        await writer.OpenAsync();
        for (var i = 1; i <= 10; i++)
        {
            await Db.ExecuteAsync(writer, $"INSERT INTO chan.events (id, info) VALUES ({i}, 'during the copy')");
        }

        await using (var apply = new NpgsqlCommand("SELECT pgsync.apply_pending('chan_dst', '', 1000, false, NULL)", writer))
        {
            Assert.Equal(10, (int)(await apply.ExecuteScalarAsync())!);
        }

        await Db.ExecuteAsync(writer, "INSERT INTO chan.orders (id, item) VALUES (1, 'during the copy')");
        Assert.True(await bed.EqualAsync("chan.events", "chan_copy.events", "id"));
        Assert.True(await bed.EqualAsync("chan.orders", "chan_copy.orders", "id"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(bed.Remote.ConnectionString, "SELECT count(*) FROM chan_copy.bulk"));

        // Released, the copy ends with the table equal.
        await Db.ExecuteAsync(holder, "ROLLBACK");
        var result = await copy.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Contains(result, c => c.Table == "chan.bulk" && c.Status == CopyStatus.Done);
        Assert.True(await bed.EqualAsync("chan.bulk", "chan_copy.bulk", "id"));
    }
}
