using System;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// A statement of one row is queued as compact entries (the row, or the key it deletes, as JSON, and
/// the key of its target's statements); the apply builds the SQL and sends consecutive entries of one
/// statement and kind as one statement. Order, the last write of a key, and every value must survive.
/// </summary>
public sealed class CompactEntryTests
{
    private const string Source = "app.hostile_async";
    private const string Target = "copy.hostile_async";
    private const string Key = "id, code";

    [Fact]
    public async Task A_backlog_of_single_row_transactions_goes_as_one_statement_per_run_and_arrives_as_the_source_has_it()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        var remote = pair.Remote.ConnectionString;
        // Counts the statements the apply runs on the target (not its rows).
        await Db.ExecuteAsync(remote, """
            CREATE TABLE public.statements (kind text);
            CREATE FUNCTION public.count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO public.statements VALUES (TG_OP); RETURN NULL; END $$;
            CREATE TRIGGER count_insert AFTER INSERT ON copy.hostile_async FOR EACH STATEMENT EXECUTE FUNCTION public.count_statement();
            CREATE TRIGGER count_delete AFTER DELETE ON copy.hostile_async FOR EACH STATEMENT EXECUTE FUNCTION public.count_statement();
            """);

        // Each its own transaction: 200 inserts, then 50 updates of key 1 (one key, many times, in
        // the same run as the inserts: the last must win), then a delete and re-insert of key 2, a
        // key change of 3, and a row that is deleted for good.
        for (var i = 1; i <= 200; i++)
        {
            await Db.ExecuteAsync(local, $"INSERT INTO {Source} (id, code, body) VALUES ({i}, 'c{i}', 'row {i}')");
        }

        for (var i = 1; i <= 50; i++)
        {
            await Db.ExecuteAsync(local, $"UPDATE {Source} SET body = 'update {i}' WHERE id = 1");
        }

        await Db.ExecuteAsync(local, $"DELETE FROM {Source} WHERE id = 2");
        await Db.ExecuteAsync(local, $"INSERT INTO {Source} (id, code, body) VALUES (2, 'c2', 'again')");
        await Db.ExecuteAsync(local, $"UPDATE {Source} SET id = 1003 WHERE id = 3");
        await Db.ExecuteAsync(local, $"DELETE FROM {Source} WHERE id = 4");

        // One entry per row change (the key change is a delete and an upsert), all compact.
        Assert.Equal(255L, await Db.ScalarAsync<long>(local, "SELECT count(*) FROM pgsync.sync_err_rec WHERE op IS NOT NULL AND statement IS NOT NULL"));
        Assert.Equal(255L, await pair.QueueDepthAsync());

        Assert.Equal(255, await pair.ReplayAsync(10_000));

        Assert.Equal(await TestBed.RowsAsync(local, Source, Key), await TestBed.RowsAsync(remote, Target, Key));
        Assert.Equal("update 50", await Db.ScalarAsync<string>(remote, $"SELECT body FROM {Target} WHERE id = 1"));
        // Runs: upserts (250), delete 2, upsert 2, delete 3, upsert 1003, delete 4: one statement each.
        Assert.Equal("INSERT,DELETE,INSERT,DELETE,INSERT,DELETE", await Db.ScalarAsync<string>(remote, "SELECT string_agg(kind, ',' ORDER BY ctid) FROM public.statements"));
    }

    [Theory]
    [InlineData("async_dst", "hostile_async")]
    [InlineData("sync_dst", "hostile_sync")]
    public async Task Hostile_values_arrive_intact_through_single_row_updates_key_changes_and_deletes(string server, string table)
    {
        await using var pair = await TestBed.Create().Pair(server).InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        var source = "app." + table;
        var target = "copy." + table;
        await HostileValues.InsertAsync(local, source, table); // one statement per row
        var ids = await Db.ScalarAsync<int[]>(local, $"SELECT array_agg(id ORDER BY id) FROM {source}");
        foreach (var id in ids)
        {
            await Db.ExecuteAsync(local, id % 2 == 0
                ? $"UPDATE {source} SET id = id + 1000, code = code || E',}}\"''\\\\', body = body || E'\\\\!' WHERE id = {id}"
                : $"UPDATE {source} SET words = words || 'x'::text, ratio = 'NaN' WHERE id = {id}");
        }

        await Db.ExecuteAsync(local, $"DELETE FROM {source} WHERE id = {ids[^1]}");
        await pair.ReplayAsync();

        Assert.Equal(0, await pair.QueueDepthAsync());
        var expected = await HostileValues.DigestAsync(local, source);
        Assert.False(string.IsNullOrEmpty(expected));
        Assert.Equal(expected, await HostileValues.DigestAsync(pair.Remote.ConnectionString, target));
    }

    [Fact]
    public async Task An_entry_whose_statements_are_not_recorded_stops_its_stream_with_a_clear_error_and_stays_queued()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, $"INSERT INTO {Source} (id, code, body) VALUES (1, 'a', 'x')");
        await Db.ExecuteAsync(local, "DELETE FROM pgsync.entry_statement");

        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => pair.ReplayAsync());

        Assert.Contains("has no record of", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(1L, await pair.QueueDepthAsync());
        Assert.Empty(await TestBed.RowsAsync(pair.Remote.ConnectionString, Target, Key));
    }
}
