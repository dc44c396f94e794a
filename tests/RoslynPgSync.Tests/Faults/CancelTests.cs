using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// Cancels (statement_timeout, pg_cancel_backend, a client's command timeout) of the replication's own
/// work, at the worst moment: inside a remote transaction that spans several messages. Nothing of a
/// cancelled batch may stay behind on the session's connection for its next use to commit.
/// </summary>
public sealed class CancelTests
{
    /// <summary>
    /// A cancel (statement_timeout, pg_cancel_backend, a client's command timeout) is no error PL/pgSQL's
    /// WHEN OTHERS takes. One that lands between two messages of one batch (send_entries: the first
    /// message, BEGIN, the ledger of every entry of the batch and the first entries, has run; the rest
    /// not yet sent) left the session's named connection open inside that remote transaction, and the
    /// session's next use of it (resolve_applied, as the hosted worker runs it on a pooled connection)
    /// read the uncommitted ledger, took every entry of the batch for applied and deleted them, and its
    /// own remote COMMIT committed the half batch: the entries never sent were lost (found in review;
    /// the destination held nothing of rows 1 to 5). Now the cancel drops the connection, and the remote
    /// transaction with it. (A lock on pgsync.entry_statement, which building the first compact entry's
    /// SQL needs, holds the flush in exactly that gap.)
    /// </summary>
    [Fact]
    public async Task A_cancel_between_two_messages_of_a_batch_loses_no_entry_and_applies_none_twice()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;

        await QueueOneTransactionOfThreeEntriesAsync(pair);

        await using var writer = new NpgsqlConnection(local);
        await writer.OpenAsync();
        int pid;
        await using (var command = new NpgsqlCommand("SELECT pg_backend_pid()", writer))
        {
            pid = (int)(await command.ExecuteScalarAsync())!;
        }

        // One entry per message (any session may bound its own batches so).
        await Db.ExecuteAsync(writer, "SET pgsync.batch_bytes = '1'");

        // Hold the flush after its first message: building the compact entry's SQL reads entry_statement.
        await using var holder = await HoldEntryStatementAsync(pair);

        // The writer's commit goes the ordered way (the backlog first), message by message.
        var commit = Db.ExecuteAsync(writer, "INSERT INTO app.hostile_sync (id, code) VALUES (6, 'a'), (7, 'a')");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await Db.ScalarAsync<string>(pair.Local.AdminConnectionString, "SELECT coalesce(wait_event_type, '') FROM pg_stat_activity WHERE pid = $1", pid) != "Lock")
        {
            Assert.True(DateTime.UtcNow < deadline, "the flush never waited for the lock (commit: " + commit.Status + ")");
            await Task.Delay(20);
        }

        // The destination has the first message's remote transaction open (rows 1 and 2, uncommitted).
        await Db.ScalarAsync<bool>(pair.Local.AdminConnectionString, "SELECT pg_cancel_backend($1)", pid);
        var error = await Assert.ThrowsAsync<PostgresException>(() => commit);
        Assert.Equal(PostgresErrorCodes.QueryCanceled, error.SqlState);
        await Db.ExecuteAsync(holder, "ROLLBACK");

        // The session is used again (the worker's pooled connections are): the replication's own settling.
        await using (var command = new NpgsqlCommand("SELECT pgsync.resolve_applied('sync_dst')", writer))
        {
            await command.ExecuteScalarAsync();
        }

        await pair.ReplayAsync();
        await Db.ScalarAsync<int>(local, "SELECT pgsync.resolve_applied('sync_dst')");
        await pair.ReplayAsync();

        Assert.Equal("1,2,3,4,5", await Db.ScalarAsync<string>(local, "SELECT string_agg(id::text, ',' ORDER BY id) FROM app.hostile_sync"));
        Assert.Equal("1,2,3,4,5", await DestinationIdsAsync(pair));
    }

    /// <summary>
    /// The same gap in the hosted worker: its batch is cancelled (pg_cancel_backend of its session; before,
    /// also Npgsql's default 30 s command timeout, which the worker's apply no longer has) while it waits
    /// between two messages of one remote transaction. Its pooled session, used again for the next batch
    /// and for settling, must not find the half-sent transaction: everything arrives once, the queue empties.
    /// (Found in review: the destination held rows 1 and 2 of 5, with an empty queue.)
    /// </summary>
    [Fact]
    public async Task The_worker_cancelled_between_two_messages_of_a_batch_loses_no_entry()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        await QueueOneTransactionOfThreeEntriesAsync(pair);

        await using var holder = await HoldEntryStatementAsync(pair);

        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, pair, ["sync_dst"], h =>
        {
            h.InstallOnStart = false;
            h.BatchBytes = 1; // one entry per message (so that a small test has a batch of several)
        });
        await host.StartAsync();
        try
        {
            // The worker waits for the lock between its first and its second message ...
            const string Waiting = "SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%apply_pending%'";
            await WorkerHost.Eventually(async () => await Db.ScalarAsync<int>(pair.Local.AdminConnectionString, Waiting) != 0);
            Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));
            // ... and is cancelled there.
            var pid = await Db.ScalarAsync<int>(pair.Local.AdminConnectionString, Waiting);
            Assert.True(await Db.ScalarAsync<bool>(pair.Local.AdminConnectionString, "SELECT pg_cancel_backend($1)", pid));
            await WorkerHost.Eventually(async () => await Db.ScalarAsync<int>(pair.Local.AdminConnectionString, Waiting) != pid);
            await Db.ExecuteAsync(holder, "ROLLBACK");

            await WorkerHost.Eventually(
                async () => await DestinationIdsAsync(pair) == "1,2,3,4,5"
                            && await pair.QueueDepthAsync() == 0,
                () => "destination: " + DestinationIdsAsync(pair).Result
                    + "; queue: " + pair.QueueDepthAsync().Result,
                seconds: 60);
            // No session of the destination is left inside a remote transaction.
            Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.AdminConnectionString,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>
    /// A backlog of one committed source transaction (rows 1 to 5 of app.hostile_sync): two multi-row
    /// statements (entries that hold SQL), then a single-row one (a compact entry). A batch never splits a
    /// source transaction, so with a small byte bound it goes in several messages of one remote transaction.
    /// </summary>
    private static async Task QueueOneTransactionOfThreeEntriesAsync(TestBed pair)
    {
        await pair.TakeRemoteDownAsync();
        await Db.ExecuteAsync(pair.Local.ConnectionString,
            "BEGIN; INSERT INTO app.hostile_sync (id, code) VALUES (1, 'a'), (2, 'a'); INSERT INTO app.hostile_sync (id, code) VALUES (3, 'a'), (4, 'a'); " +
            "INSERT INTO app.hostile_sync (id, code) VALUES (5, 'a'); COMMIT");
        Assert.Equal(3, await pair.QueueDepthAsync());
        await pair.BringRemoteBackAsync();
    }

    /// <summary>An open transaction that holds pgsync.entry_statement, which building a compact entry's SQL reads: an apply waits there, between two messages.</summary>
    private static async Task<NpgsqlConnection> HoldEntryStatementAsync(TestBed pair)
    {
        var holder = new NpgsqlConnection(pair.Local.AdminConnectionString);
        await holder.OpenAsync();
        await Db.ExecuteAsync(holder, "BEGIN");
        await Db.ExecuteAsync(holder, "LOCK TABLE pgsync.entry_statement IN ACCESS EXCLUSIVE MODE");
        return holder;
    }

    /// <summary>The keys the destination holds, in order, joined by commas.</summary>
    private static Task<string> DestinationIdsAsync(TestBed pair) =>
        Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM copy.hostile_sync");
}
