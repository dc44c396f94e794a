using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Hosting;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// A destination that rejects an entry for good (a constraint only the target has): its queue stops
/// exactly at that entry, in order, with the entry and table named in status and logs, while the
/// other destination keeps flowing; skipping the entry or fixing the target lets it go on.
/// </summary>
public sealed class RejectionTests
{
    private const string Source = "app.ledger";

    [Fact]
    public async Task Rejected_entry_stops_its_destination_exactly_there_and_skip_entry_lets_the_rest_through()
    {
        await using var pair = await TestBed.Create().Pair("reject_a", "reject_b").InstallAsync(PgSyncInstaller.Tables);
        var rejected = await WriteWithOneRejectedEntryAsync(pair);

        Assert.Equal(1 + 4, await pair.ReplayAsync()); // reject_a: the entry before the rejected one; reject_b: all four

        Assert.Equal(await Rows(pair.Local, Source), await Rows(pair.Remote, "b_copy.ledger"));
        Assert.Equal(["(1,10,a)", "(2,20,b)"], await Rows(pair.Remote, "a_copy.ledger"));
        var status = (await new PgSyncMonitor(pair.LocalSource, Microsoft.Extensions.Options.Options.Create(pair.Options)).GetStatusAsync())
            .Single(s => s.Server == "reject_a");
        Assert.Equal(3, status.Depth);
        Assert.Equal(rejected, status.LastErrorEntry);
        Assert.Equal("app.ledger", status.LastErrorTable);
        Assert.Contains("only_small", status.LastError, StringComparison.Ordinal);

        // Trying again changes nothing: the queue keeps its order and its head.
        Assert.Equal(0, await pair.ReplayAsync());
        Assert.Equal(rejected, await Db.ScalarAsync<long>(pair.Local.ConnectionString, "SELECT min(id) FROM pgsync.sync_err_rec WHERE dst_server = 'reject_a'"));

        await Db.ExecuteAsync(pair.Local.ConnectionString, "SELECT pgsync.skip_entry($1)", rejected);
        Assert.Equal(2, await pair.ReplayAsync());

        Assert.Equal(["(1,11,a)", "(2,20,b)", "(4,30,d)"], await Rows(pair.Remote, "a_copy.ledger"));
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Null(await Db.ScalarAsync<string>(pair.Local.ConnectionString, "SELECT last_error FROM pgsync.status WHERE dst_server = 'reject_a'"));
        var kept = await Db.ScalarAsync<string>(pair.Local.ConnectionString, "SELECT table_name || ' ' || error FROM pgsync.skipped_entry WHERE id = $1", rejected);
        Assert.StartsWith("ledger ", kept, StringComparison.Ordinal);
        Assert.Contains("only_small", kept, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(pair.Local.ConnectionString, "SELECT pgsync.skip_entry(-1)"));
        Assert.Contains("queue entry -1 does not exist", missing.MessageText, StringComparison.Ordinal);
        // Rows given, each once (the one-by-one search for the rejected entry was rolled back): reject_a
        // 3 inserts and 1 update (the rejected row skipped), reject_b 4 inserts and 1 update.
        Assert.Equal(4 + 5, await pair.AssertEachChangeAppliedOnceAsync());
    }

    [Fact]
    public async Task Fixing_the_target_lets_the_rejected_entry_and_everything_after_it_through_in_order()
    {
        await using var pair = await TestBed.Create().Pair("reject_a", "reject_b").InstallAsync(PgSyncInstaller.Tables);
        await WriteWithOneRejectedEntryAsync(pair);
        await pair.ReplayAsync();

        await Db.ExecuteAsync(pair.Remote.ConnectionString, "ALTER TABLE a_copy.ledger DROP CONSTRAINT only_small");
        Assert.Equal(3, await pair.ReplayAsync());

        Assert.Equal(await Rows(pair.Local, Source), await Rows(pair.Remote, "a_copy.ledger"));
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(5 + 5, await pair.AssertEachChangeAppliedOnceAsync());
    }

    [Fact]
    public async Task Worker_logs_the_entry_and_table_and_skip_entry_wakes_it_through_a_long_backoff()
    {
        await using var pair = await TestBed.Create().Pair("reject_a", "reject_b").InstallAsync(PgSyncInstaller.Tables);
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, pair, ["reject_a", "reject_b"], h =>
        {
            h.PollInterval = TimeSpan.FromMilliseconds(100);
            h.MinBackoff = TimeSpan.FromMinutes(10);
            h.MaxBackoff = TimeSpan.FromMinutes(10);
        });
        await host.StartAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));

        var rejected = await WriteWithOneRejectedEntryAsync(pair);
        await WorkerHost.Eventually(async () => await pair.QueueDepthAsync("reject_b") == 0 && await pair.QueueDepthAsync("reject_a") == 3);
        await WorkerHost.Eventually(() => Task.FromResult(logs.Messages.Any(m =>
            m.Message.Contains("Destination reject_a failed", StringComparison.Ordinal)
            && m.Message.Contains($"queue entry {rejected}, table app.ledger", StringComparison.Ordinal)
            && m.Message.Contains("only_small", StringComparison.Ordinal))));

        // Ten minutes of backoff ahead: only the skip's wake-up can make the worker try again now.
        await Db.ExecuteAsync(pair.Local.ConnectionString, "SELECT pgsync.skip_entry($1)", rejected);
        await WorkerHost.Eventually(async () => await pair.QueueDepthAsync() == 0);
        await host.StopAsync();

        Assert.Equal(["(1,11,a)", "(2,20,b)", "(4,30,d)"], await Rows(pair.Remote, "a_copy.ledger"));
        Assert.Equal(await Rows(pair.Local, Source), await Rows(pair.Remote, "b_copy.ledger"));
        Assert.Equal(4 + 5, await pair.AssertEachChangeAppliedOnceAsync());
    }

    /// <summary>Logs what both targets are given, adds a constraint only reject_a's target has, then writes four entries per destination; returns the id of reject_a's rejected one.</summary>
    private static async Task<long> WriteWithOneRejectedEntryAsync(TestBed pair)
    {
        await pair.LogApplicationsAsync("a_copy.ledger");
        await pair.LogApplicationsAsync("b_copy.ledger");
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "ALTER TABLE a_copy.ledger ADD CONSTRAINT only_small CHECK (amount < 1000)");
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, $"INSERT INTO {Source} (id, amount, note) VALUES (1, 10, 'a'), (2, 20, 'b')");
        await Db.ExecuteAsync(local, $"INSERT INTO {Source} (id, amount, note) VALUES (3, 5000, 'c')");
        await Db.ExecuteAsync(local, $"INSERT INTO {Source} (id, amount, note) VALUES (4, 30, 'd')");
        await Db.ExecuteAsync(local, $"UPDATE {Source} SET amount = 11 WHERE id = 1");
        return await Db.ScalarAsync<long>(local, "SELECT id FROM pgsync.sync_err_rec WHERE dst_server = 'reject_a' ORDER BY id OFFSET 1 LIMIT 1");
    }

    private static Task<System.Collections.Generic.List<string>> Rows(TestCluster.TestDatabase database, string table) =>
        TestBed.RowsAsync(database.ConnectionString, table, "id");
}
