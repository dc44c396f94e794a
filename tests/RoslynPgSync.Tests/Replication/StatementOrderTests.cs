using System.Collections.Generic;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// Two writes of one key in one top-level statement whose captures run the other way round: a
/// data-modifying WITH that the statement reads only in part ends after it, and a write made by an AFTER
/// ROW trigger of the statement ends before it. Queued in that order, the destination would end at the
/// earlier write (found by a review: a deleted row the source holds, a value the source overwrote). Such a
/// statement is refused, naming the table and the key, and nothing of it stays; the same writes made in
/// the order they are captured replicate as before.
/// </summary>
public sealed class StatementOrderTests
{
    private const string ChainRows = "SELECT coalesce(string_agg(id || '|' || info, ', ' ORDER BY id), '') FROM fw.chain_item";
    private const string LwwRows = "SELECT coalesce(string_agg(id || '|' || info, ', ' ORDER BY id), '') FROM mm.lww_item";

    [Theory]
    [InlineData("WITH d AS (DELETE FROM {t} WHERE id = 1 RETURNING id) INSERT INTO {t} (id, info) SELECT 1, 'reborn' WHERE EXISTS (SELECT 1 FROM d)")]
    [InlineData("WITH d AS (DELETE FROM {t} WHERE id IN (1, 2) RETURNING id) INSERT INTO {t} (id, info) SELECT id, 'again' FROM d LIMIT 1")]
    [InlineData("WITH d AS (DELETE FROM {t} WHERE id = 1 RETURNING id) UPDATE {t} SET id = 1 WHERE id = 2 AND EXISTS (SELECT 1 FROM d)")]
    public async Task A_write_in_a_partly_read_WITH_that_the_statement_writes_again_is_refused_and_leaves_nothing(string statement)
    {
        // A one-way ApplyRemote table and a LastWriterWins pair: the order is every table's, not a policy's.
        foreach (var (table, rows, build) in new (string, string, System.Func<TestBedBuilder>)[]
        {
            ("fw.chain_item", ChainRows, () => TestBed.Create().Replicate("local", "remote", "chain_next")),
            ("mm.lww_item", LwwRows, () => TestBed.Create().Replicate("local", "remote", "lww_peer").Replicate("remote", "local", "lww_peer")),
        })
        {
            await using var nodes = await build().InstallAsync(PgSyncInstaller.Tables);
            await Db.ExecuteAsync(nodes.Local.ConnectionString, $"INSERT INTO {table} (id, info) VALUES (1, 'one'), (2, 'two'), (3, 'three')");
            await nodes.Node("local").ReplayAsync();
            var depth = await nodes.Node("local").QueueDepthAsync();

            var refused = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(nodes.Local.ConnectionString, statement.Replace("{t}", table, System.StringComparison.Ordinal)));
            Assert.Equal(PostgresErrorCodes.FeatureNotSupported, refused.SqlState);
            Assert.Contains(RoslynPgSync.Sql.PgSql.QualifiedName(table.Split('.')[0], table.Split('.')[1]), refused.MessageText, System.StringComparison.Ordinal);
            Assert.Contains("{\"id\" : 1}", refused.MessageText, System.StringComparison.Ordinal);
            Assert.Contains("wrong order", refused.MessageText, System.StringComparison.Ordinal);

            // Nothing of it stays: the rows, the queue and (LastWriterWins) the stamps are as before.
            Assert.Equal("1|one, 2|two, 3|three", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, rows));
            Assert.Equal(depth, await nodes.Node("local").QueueDepthAsync());
            await nodes.Node("local").ReplayAsync();
            Assert.Equal("1|one, 2|two, 3|three", await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, rows));
        }
    }

    [Theory]
    [InlineData("DELETE", "IF OLD.info <> 'placeholder' THEN INSERT INTO mm.lww_item (id, info) VALUES (OLD.id{0}, 'placeholder'); END IF;", "DELETE FROM mm.lww_item WHERE id = 1", " + 10")]
    [InlineData("UPDATE", "IF NEW.info NOT LIKE '%(normalised)' THEN UPDATE mm.lww_item SET info = NEW.info || ' (normalised)' WHERE id = NEW.id{0}; END IF;", "UPDATE mm.lww_item SET info = 'edited' WHERE id = 1", " + 1")]
    public async Task A_write_whose_AFTER_ROW_trigger_writes_the_same_row_again_is_refused_and_leaves_nothing(string op, string body, string statement, string other)
    {
        // {0}: the trigger writes the statement's own row (empty), or another one (other).
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "lww_peer").Replicate("remote", "local", "lww_peer").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(nodes.Local.ConnectionString, "INSERT INTO mm.lww_item (id, info) VALUES (1, 'one'), (2, 'two')");
        await nodes.Node("local").ReplayAsync();
        await Db.ExecuteAsync(nodes.Local.AdminConnectionString, $"""
            CREATE FUNCTION mm.again() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {string.Format(System.Globalization.CultureInfo.InvariantCulture, body, string.Empty)} RETURN NULL; END $$;
            CREATE TRIGGER again AFTER {op} ON mm.lww_item FOR EACH ROW EXECUTE FUNCTION mm.again();
            """);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(nodes.Local.ConnectionString, statement));
        Assert.Equal(PostgresErrorCodes.FeatureNotSupported, refused.SqlState);
        Assert.Contains("\"mm\".\"lww_item\" with key {\"id\" : 1}", refused.MessageText, System.StringComparison.Ordinal);
        Assert.Equal("1|one, 2|two", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, LwwRows));

        // A trigger that writes another row of the table is no such case: both go.
        await Db.ExecuteAsync(nodes.Local.AdminConnectionString,
            $"CREATE OR REPLACE FUNCTION mm.again() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {string.Format(System.Globalization.CultureInfo.InvariantCulture, body, other)} RETURN NULL; END $$");
        await Db.ExecuteAsync(nodes.Local.ConnectionString, statement);
        Assert.NotEqual("1|one, 2|two", await Db.ScalarAsync<string>(nodes.Local.ConnectionString, LwwRows));
        await nodes.Node("local").ReplayAsync();
        Assert.Equal(await Db.ScalarAsync<string>(nodes.Local.ConnectionString, LwwRows), await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, LwwRows));
    }

    [Fact]
    public async Task Writes_of_one_key_that_are_captured_in_the_order_they_were_made_replicate_as_before()
    {
        await using var nodes = await TestBed.Create().Replicate("local", "remote", "lww_peer").Replicate("remote", "local", "lww_peer").InstallAsync(PgSyncInstaller.Tables);
        var local = nodes.Local.ConnectionString;
        await Db.ExecuteAsync(local, "INSERT INTO mm.lww_item (id, info) VALUES (1, 'one'), (2, 'two'), (3, 'three')");
        // A WITH read whole: the delete ends first, then the insert of the same keys.
        await Db.ExecuteAsync(local, "WITH d AS (DELETE FROM mm.lww_item WHERE id IN (1, 2) RETURNING id, info) INSERT INTO mm.lww_item (id, info) SELECT id, info || ', moved' FROM d");
        // An upsert that inserts one key and updates another (two captures of the table in one statement).
        await Db.ExecuteAsync(local, "INSERT INTO mm.lww_item (id, info) VALUES (3, 'three, upserted'), (4, 'four') ON CONFLICT (id) DO UPDATE SET info = EXCLUDED.info");
        // Statements of one DO block (one top-level statement) writing one key one after another.
        await Db.ExecuteAsync(local, "DO $$ BEGIN UPDATE mm.lww_item SET info = 'first' WHERE id = 4; DELETE FROM mm.lww_item WHERE id = 4; INSERT INTO mm.lww_item (id, info) VALUES (4, 'last'); END $$");
        await nodes.Node("local").ReplayAsync();

        const string Expected = "1|one, moved, 2|two, moved, 3|three, upserted, 4|last";
        Assert.Equal(Expected, await Db.ScalarAsync<string>(local, LwwRows));
        Assert.Equal(Expected, await Db.ScalarAsync<string>(nodes.Remote.ConnectionString, LwwRows));
    }
}
