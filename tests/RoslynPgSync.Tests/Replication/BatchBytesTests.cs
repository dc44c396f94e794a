using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Hosting;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// Batches are bounded by bytes of remote statements as well as by entries (pgsync.batch_bytes,
/// PgSyncHostOptions.BatchBytes): a batch of large entries stays far below PostgreSQL's 1 GB string
/// limit, and an entry larger than the bound still goes, alone.
/// </summary>
public sealed class BatchBytesTests
{
    private const string Source = "app.hostile_async";
    private const string Target = "copy.hostile_async";

    [Fact]
    public async Task A_batch_stops_before_the_entry_that_would_pass_the_bound_and_a_larger_entry_goes_alone()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        await QueueTenEntriesOfAMegabyteAsync(pair.Local.ConnectionString);
        await using var connection = new NpgsqlConnection(pair.Local.ConnectionString);
        await connection.OpenAsync();

        // About 1 MB each: entries start at 0, 1 and 2 MB into the batch, all under 2.5 MB; the fourth would pass it.
        Assert.Equal(3, await ApplyAsync(connection, "2500000"));
        // A bound smaller than any entry: one goes, alone.
        Assert.Equal(1, await ApplyAsync(connection, "100"));
        // Not a number: the default (16 MiB) holds the rest.
        Assert.Equal(6, await ApplyAsync(connection, "lots"));

        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.True(await pair.EqualAsync(Source, Target, "id, code"));
    }

    [Fact]
    public async Task The_seeds_replay_still_applies_up_to_its_limit_batch_after_batch()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        await QueueTenEntriesOfAMegabyteAsync(pair.Local.ConnectionString);
        await using var connection = new NpgsqlConnection(pair.Local.ConnectionString);
        await connection.OpenAsync();
        await using (var set = new NpgsqlCommand("SELECT pg_catalog.set_config('pgsync.batch_bytes', '2500000', false)", connection))
        {
            await set.ExecuteNonQueryAsync();
        }

        // deal_sync_err_rec(i_limit) keeps its meaning: up to i_limit entries, however many batches that takes.
        await using (var replay = new NpgsqlCommand("SELECT pgsync.deal_sync_err_rec(8)", connection))
        {
            Assert.Equal(8, (int)(await replay.ExecuteScalarAsync())!);
        }

        Assert.Equal(2, await pair.QueueDepthAsync());
        Assert.Equal(2, await pair.ReplayAsync());
        Assert.True(await pair.EqualAsync(Source, Target, "id, code"));
    }

    [Fact]
    public async Task The_hosted_worker_drains_large_entries_in_batches_of_its_BatchBytes()
    {
        await using var dbs = await TestBed.Create().Node("local").Node("remote").BuildAsync();
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.Build(logs, services => services.AddPgSync(
            PgSyncInstaller.Tables,
            // (No initial copy: racing the writes, it queued a chunk of its own, an eleventh entry, now and then.)
            o => { o.NodeName = "local"; o.CreateMissingTables = true; o.InitialCopy = InitialCopyMode.Never; o.AddServer("async_dst", dbs.Remote.ConnectionString); },
            h => { h.LocalConnectionString = dbs.Local.ConnectionString; h.PollInterval = TimeSpan.FromMilliseconds(100); h.BatchBytes = 2_500_000; }));
        await host.StartAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));

        await QueueTenEntriesOfAMegabyteAsync(dbs.Local.ConnectionString);
        await WorkerHost.Eventually(async () => await Db.ScalarAsync<long>(dbs.Remote.ConnectionString, $"SELECT count(*) FROM {Target}") == 10);
        await host.StopAsync();

        var batches = logs.Messages.Where(m => m.EventId.Id == PgSyncEventIds.Applied).Select(m => m.State.First(s => s.Key == "Entries").Value).Select(Convert.ToInt32).ToList();
        Assert.True(batches.Sum() == 10, "batches " + string.Join(", ", batches) + "; the worker logged:\n" + string.Join("\n", logs.Messages.Where(m => m.EventId.Id >= 2000).Select(m => $"{m.Level} {m.EventId.Id} {m.Message}")));
        Assert.All(batches, b => Assert.InRange(b, 1, 3));
        Assert.True(await dbs.EqualAsync(Source, Target, "id, code"));
    }

    /// <summary>Ten transactions of one row with a 1 MB body each: ten queue entries of about 1 MB.</summary>
    private static Task<int> QueueTenEntriesOfAMegabyteAsync(string connectionString) =>
        Db.ExecuteAsync(connectionString,
            $"DO $$ BEGIN FOR i IN 1..10 LOOP INSERT INTO {Source} (id, code, body) VALUES (i, 'big', repeat(md5(i::text), 31250)); COMMIT; END LOOP; END $$");

    private static async Task<int> ApplyAsync(NpgsqlConnection connection, string bound)
    {
        await using (var set = new NpgsqlCommand("SELECT pg_catalog.set_config('pgsync.batch_bytes', $1, false)", connection))
        {
            set.Parameters.Add(new NpgsqlParameter { Value = bound });
            await set.ExecuteNonQueryAsync();
        }

        await using var apply = new NpgsqlCommand("SELECT pgsync.apply_pending('async_dst', '', 1000, false, NULL)", connection);
        return (int)(await apply.ExecuteScalarAsync())!;
    }
}
