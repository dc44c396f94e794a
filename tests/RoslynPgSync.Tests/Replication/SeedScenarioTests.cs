using System.Threading.Tasks;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// The seed article's own test, multi-master between local.loc_test and remote.rmt_test (composite key
/// pk1 int, pk2 text), with count(*) and sum(hashtext(t.*::text)) equal on both sides after every step,
/// then the remote login taken away while 10,000 single-row statements are written locally.
/// </summary>
public sealed class SeedScenarioTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Sync", "dst", "back", "loc_test", "rmt_test")]
    [InlineData("Async", "dst_async", "back_async", "loc_test_async", "rmt_test_async")]
    public async Task Seed_scenario_converges_after_every_step_and_replays_exactly_the_oldest_entries(
        string mode, string localServer, string remoteServer, string localTable, string remoteTable)
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", localServer).Replicate("remote", "local", remoteServer).InstallAsync(PgSyncInstaller.Tables);
        var local = new Node(nodes.Local.ConnectionString, "local." + localTable);
        var remote = new Node(nodes.Remote.ConnectionString, "remote." + remoteTable);

        async Task StepAsync(Node writer, string sql, string step)
        {
            await Db.ExecuteAsync(writer.ConnectionString, sql.Replace("{t}", writer.Table, System.StringComparison.Ordinal));
            await local.DrainAsync();
            await remote.DrainAsync();
            var (localCount, localHash) = await local.HashAsync();
            var (remoteCount, remoteHash) = await remote.HashAsync();
            output.WriteLine($"{mode} {step} on {writer.Table}: {localCount} rows, hash {localHash} / {remoteCount} rows, hash {remoteHash}");
            Assert.Equal((localCount, localHash), (remoteCount, remoteHash));
        }

        foreach (var (writer, offset) in new[] { (local, 0), (remote, 20000) })
        {
            await StepAsync(writer, $"INSERT INTO {{t}} SELECT g, md5(g::text), md5(random()::text), now(), now() FROM generate_series({offset + 1}, {offset + 10000}) AS g", "insert 10,000");
            await StepAsync(writer, "UPDATE {t} SET info = pk2", "update info = pk2");
            await StepAsync(writer, $"DELETE FROM {{t}} WHERE pk1 < {offset + 1000}", "delete pk1 < 1000");
            Assert.Equal(9001L, await Db.ScalarAsync<long>(writer.ConnectionString, $"SELECT count(*) FROM {writer.Table}"));
            await StepAsync(writer, "TRUNCATE {t}", "truncate");
        }

        // The outage: the remote role may not log in and its sessions end.
        await nodes.Remote.RefuseLoginsAsync();

        // 10,000 single-row transactions, an entry each: every local commit succeeds. (Each its own
        // transaction: a replay takes source transactions whole, so the limit below counts them exactly.)
        // One statement of 10,000 commits, the first thousand of which each try the destination: on a
        // loaded CI machine it took more than the default 30 s command timeout; it is bounded by the test's.
        await Db.ExecuteAsync(local.ConnectionString + ";Command Timeout=300", $"DO $$ BEGIN FOR i IN 1..10000 LOOP INSERT INTO {local.Table} VALUES (i, md5(i::text), 'during outage', now(), now()); COMMIT; END LOOP; END $$");
        Assert.Equal(10000L, await Db.ScalarAsync<long>(local.ConnectionString, $"SELECT count(*) FROM {local.Table}"));
        Assert.Equal(10000L, await Db.ScalarAsync<long>(local.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec"));

        await nodes.Remote.AllowLoginsAsync();
        Assert.Equal(1000, await Db.ScalarAsync<int>(local.ConnectionString, "SELECT pgsync.deal_sync_err_rec(1000)"));
        Assert.Equal(
            "1000 1 1000",
            await Db.ScalarAsync<string>(remote.ConnectionString, $"SELECT count(*) || ' ' || min(pk1) || ' ' || max(pk1) FROM {remote.Table}"));

        Assert.Equal(9000, await Db.ScalarAsync<int>(local.ConnectionString, "SELECT pgsync.deal_sync_err_rec(100000)"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(local.ConnectionString, "SELECT count(*) FROM pgsync.sync_err_rec"));
        Assert.Equal(await local.HashAsync(), await remote.HashAsync());
    }

    private sealed record Node(string ConnectionString, string Table)
    {
        public async Task<(long Count, long Hash)> HashAsync()
        {
            var result = await Db.ScalarAsync<string>(ConnectionString, $"SELECT count(*) || ' ' || coalesce(sum(hashtext(t.*::text)), 0) FROM {Table} AS t");
            var parts = result.Split(' ');
            return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        /// <summary>Replays whatever this node queued (Async); Sync leaves nothing to replay.</summary>
        public Task<int> DrainAsync() => Db.ScalarAsync<int>(ConnectionString, "SELECT pgsync.deal_sync_err_rec(1000000)");
    }
}
