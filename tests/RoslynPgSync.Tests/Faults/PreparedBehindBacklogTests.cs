using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// A Sync or Strict transaction prepared (<c>PREPARE TRANSACTION</c>) while older entries are queued for
/// its destination. Its flush used to take the ordered path: the stream's lock (a transaction-level
/// advisory lock) and the older entries' deletes, which PostgreSQL hands on to the prepared transaction;
/// until COMMIT PREPARED the worker skipped the stream and every other Sync commit to the destination
/// waited inside its commit, unbounded (review finding). Now a prepared Sync transaction's entries stay
/// queued behind the backlog and go once COMMIT PREPARED makes them visible, and a Strict one is refused
/// at PREPARE.
/// </summary>
public sealed class PreparedBehindBacklogTests(OwnClusterFixture source) : IClassFixture<OwnClusterFixture>
{
    private const string Dst = "mix_dst";

    private async Task<TestBed> CreatePairAsync()
    {
        var pair = await TestBed.Create().Node("local", source.Cluster).Pair(Dst).InstallAsync(PgSyncInstaller.Tables);
        await pair.LogApplicationsAsync("mix_copy.mixed_sync");
        return pair;
    }

    private static async Task<string> RowsAsync(string connectionString, string table) =>
        await Db.ScalarAsync<string?>(connectionString, $"SELECT string_agg(id || '|' || coalesce(note, ''), ';' ORDER BY id) FROM {table}") ?? string.Empty;

    [Fact]
    public async Task A_prepared_sync_transaction_holds_neither_the_stream_nor_other_sync_commits()
    {
        await using var pair = await CreatePairAsync();
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "INSERT INTO mix.mixed_async VALUES (1, 'queued async')");
        Assert.Equal(1L, await pair.QueueDepthAsync());
        await Db.ExecuteAsync(local, "BEGIN; INSERT INTO mix.mixed_sync VALUES (10, 'prepared'); PREPARE TRANSACTION 'backlog_sync'");
        try
        {
            // Prepared behind the backlog: nothing of it reached the destination.
            Assert.Equal(string.Empty, await RowsAsync(pair.Remote.ConnectionString, "mix_copy.mixed_sync"));

            // Another application's Sync commit returns (statement_timeout would not bound its wait: PostgreSQL
            // stops the statement's timer before the commit runs the deferred flush) ...
            var commit = Db.ExecuteAsync(local, "INSERT INTO mix.mixed_sync VALUES (11, 'next commit')");
            Assert.True(await Task.WhenAny(commit, Task.Delay(TimeSpan.FromSeconds(20))) == commit, "the other Sync commit waited for the prepared transaction");
            await commit;
            // ... having sent the backlog ahead of it and its own change.
            Assert.Equal(0L, await pair.QueueDepthAsync());
            Assert.Equal("11|next commit", await RowsAsync(pair.Remote.ConnectionString, "mix_copy.mixed_sync"));
            Assert.Equal("1|queued async", await RowsAsync(pair.Remote.ConnectionString, "mix_copy.mixed_async"));

            // The replay takes the stream (nothing to do: the prepared entries are not visible yet).
            await Db.ExecuteAsync(local, "INSERT INTO mix.mixed_async VALUES (2, 'async while prepared')");
            Assert.Equal(1, await pair.ReplayAsync());
        }
        finally
        {
            await Db.ExecuteAsync(pair.Local.AdminConnectionString, "COMMIT PREPARED 'backlog_sync'");
        }

        // Visible now, queued: the replay sends it.
        Assert.Equal(1L, await pair.QueueDepthAsync());
        Assert.Equal(1, await pair.ReplayAsync());
        Assert.Equal(0, await Db.ScalarAsync<int>(local, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal("10|prepared;11|next commit", await RowsAsync(pair.Remote.ConnectionString, "mix_copy.mixed_sync"));
        Assert.True(await pair.EqualAsync("mix.mixed_sync", "mix_copy.mixed_sync", "id"));
        Assert.True(await pair.EqualAsync("mix.mixed_async", "mix_copy.mixed_async", "id"));
        await pair.AssertEachChangeAppliedOnceAsync();
    }

    [Fact]
    public async Task A_prepared_sync_transaction_behind_a_backlog_rolled_back_leaves_nothing()
    {
        await using var pair = await CreatePairAsync();
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "INSERT INTO mix.mixed_sync VALUES (1, 'before')");
        await Db.ExecuteAsync(local, "INSERT INTO mix.mixed_async VALUES (1, 'queued async')");
        await Db.ExecuteAsync(local, "BEGIN; UPDATE mix.mixed_sync SET note = 'prepared' WHERE id = 1; INSERT INTO mix.mixed_sync VALUES (2, 'prepared'); PREPARE TRANSACTION 'backlog_rollback'");
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "ROLLBACK PREPARED 'backlog_rollback'");

        Assert.Equal(1, await pair.ReplayAsync());
        Assert.Equal(0, await Db.ScalarAsync<int>(local, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal(0L, await pair.QueueDepthAsync());
        Assert.Equal("1|before", await RowsAsync(pair.Remote.ConnectionString, "mix_copy.mixed_sync"));
        Assert.True(await pair.EqualAsync("mix.mixed_async", "mix_copy.mixed_async", "id"));
        await pair.AssertEachChangeAppliedOnceAsync();
    }

    [Fact]
    public async Task A_strict_transaction_is_refused_at_prepare_behind_a_backlog_and_leaves_nothing()
    {
        await using var pair = await CreatePairAsync();
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "INSERT INTO mix.mixed_async VALUES (1, 'queued async')");
        await using var writer = new NpgsqlConnection(local);
        await writer.OpenAsync();
        await Db.ExecuteAsync(writer, "BEGIN; INSERT INTO mix.mixed_strict VALUES (1, 'strict')");
        var error = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(writer, "PREPARE TRANSACTION 'backlog_strict'"));
        Assert.Equal("55000", error.SqlState);
        Assert.Contains("mix_dst", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Local.AdminConnectionString, "SELECT count(*) FROM pg_prepared_xacts WHERE gid = 'backlog_strict'"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(local, "SELECT count(*) FROM mix.mixed_strict"));

        // The queue is as it was, and once it is drained the same transaction prepares and goes at PREPARE.
        Assert.Equal(1, await pair.ReplayAsync());
        await Db.ExecuteAsync(writer, "BEGIN; INSERT INTO mix.mixed_strict VALUES (1, 'strict'); PREPARE TRANSACTION 'backlog_strict'");
        Assert.Equal("1|strict", await RowsAsync(pair.Remote.ConnectionString, "mix_copy.mixed_strict"));
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "COMMIT PREPARED 'backlog_strict'");
        Assert.Equal(0, await Db.ScalarAsync<int>(local, "SELECT pgsync.resolve_applied($1)", Dst));
        Assert.Equal(0L, await pair.QueueDepthAsync());
        Assert.True(await pair.EqualAsync("mix.mixed_strict", "mix_copy.mixed_strict", "id"));
    }

    /// <summary>
    /// A commit whose text merely holds the words "prepare transaction" (a note, a comment) is a commit: the
    /// flush used to find them anywhere in the query string and took it for a PREPARE, refusing a Strict
    /// write and leaving a Sync one queued behind a backlog (second review). A PREPARE is now told by the
    /// statement at the string's start or after a semicolon. (psql: the simple query protocol, where
    /// current_query() is the statement at its implicit commit.)
    /// </summary>
    [Theory]
    [InlineData("mix.mixed_strict", "how to PREPARE TRANSACTION safely")]
    [InlineData("mix.mixed_sync", "prepare transaction")]
    public async Task A_commit_whose_text_mentions_prepare_transaction_is_sent_at_commit_behind_a_backlog(string table, string note)
    {
        await using var pair = await CreatePairAsync();
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "INSERT INTO mix.mixed_async VALUES (1, 'queued async')");
        Assert.Equal(1L, await pair.QueueDepthAsync());
        await Psql.RunAsync(pair.Cluster, pair.Local.Name, $"INSERT INTO {table} VALUES (1, '{note}');\n");
        Assert.Equal(0L, await pair.QueueDepthAsync());
        Assert.Equal($"1|{note}", await RowsAsync(pair.Remote.ConnectionString, table.Replace("mix.", "mix_copy.", StringComparison.Ordinal)));
    }
}
