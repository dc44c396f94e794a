using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// What the flush at commit tells from the statement that runs it (COMMIT, PREPARE TRANSACTION, or a
/// statement inside the transaction: SET CONSTRAINTS ALL IMMEDIATE). A cluster of the class's own:
/// prepared transactions.
/// </summary>
public sealed class CommitStatementTests(OwnClusterFixture source) : IClassFixture<OwnClusterFixture>
{
    private const string Key = "id, code";

    /// <summary>
    /// The flush takes a query string that starts with COMMIT for the flush at COMMIT, when every
    /// savepoint has ended (so entries are not marked as written in one). A string that only starts with
    /// it goes on: 'COMMIT; BEGIN; SET CONSTRAINTS ALL IMMEDIATE; SAVEPOINT s; INSERT 5; ROLLBACK TO s;
    /// INSERT 6; COMMIT' sent row 5 unmarked, the savepoint's rollback undid it on the source only, and
    /// nothing restored it: the destination kept a row the source never committed (found in review).
    /// The same string without the leading COMMIT always worked.
    /// </summary>
    [Theory]
    [InlineData("COMMIT \\; ")]
    [InlineData("")]
    public async Task A_savepoint_rolled_back_after_an_immediate_flush_is_undone_whatever_the_query_string_starts_with(string prefix)
    {
        await using var pair = await TestBed.Create().Node("local", source.Cluster).Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;

        // One simple-protocol query string (psql's \; joins the statements into one).
        await Psql.RunAsync(pair.Cluster, pair.Local.Name,
            prefix + "BEGIN \\; SET CONSTRAINTS ALL IMMEDIATE \\; SAVEPOINT s \\; " +
            "INSERT INTO app.hostile_sync (id, code, body) VALUES (5, 'k', 'rolled back') \\; " +
            "ROLLBACK TO SAVEPOINT s \\; INSERT INTO app.hostile_sync (id, code, body) VALUES (6, 'k', 'kept') \\; COMMIT\n");

        Assert.Equal("6", await Db.ScalarAsync<string>(local, "SELECT string_agg(id::text, ',' ORDER BY id) FROM app.hostile_sync"));
        await Db.ScalarAsync<int>(local, "SELECT pgsync.resolve_applied('sync_dst')");
        await Db.ScalarAsync<int>(local, "SELECT pgsync.resolve_applied('sync_dst')");
        Assert.Equal(
            await TestBed.RowsAsync(local, "app.hostile_sync", Key),
            await TestBed.RowsAsync(pair.Remote.ConnectionString, "copy.hostile_sync", Key));
    }

    /// <summary>
    /// Sync keeps what its destination does not take queued, and the local commit goes on. Under two-phase
    /// commit it did not: the flush woke the worker with NOTIFY, and PostgreSQL refuses to PREPARE a
    /// transaction that sent one (found in review: Sync behaved as Strict whenever its destination was
    /// down). A flush for PREPARE TRANSACTION now leaves the entries to the worker's next poll.
    /// </summary>
    [Fact]
    public async Task A_sync_transaction_is_prepared_and_committed_while_its_destination_is_down_and_arrives_after()
    {
        await using var pair = await TestBed.Create().Node("local", source.Cluster).Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await pair.TakeRemoteDownAsync();

        await Db.ExecuteAsync(local, "BEGIN; INSERT INTO app.hostile_sync (id, code, body) VALUES (1, 'k', 'prepared'); PREPARE TRANSACTION 'pgsync_prepared_sync'");
        await Db.ExecuteAsync(local, "COMMIT PREPARED 'pgsync_prepared_sync'");
        Assert.Equal(1, await pair.QueueDepthAsync());

        await pair.BringRemoteBackAsync();
        await pair.ReplayAsync();
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(
            await TestBed.RowsAsync(local, "app.hostile_sync", Key),
            await TestBed.RowsAsync(pair.Remote.ConnectionString, "copy.hostile_sync", Key));
    }
}
