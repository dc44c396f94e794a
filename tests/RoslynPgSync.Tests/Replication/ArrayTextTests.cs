using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// Arrays travel as their text (RemoteSql.TravelsAsText). As JSON arrays (row_to_json's) they lost what JSON
/// has no word for: an element that is the JSON value null of a json or jsonb array arrived as SQL NULL, and
/// a lower bound other than 1 (<c>[0:1]={1,2}</c>) arrived as 1, a value PostgreSQL does not call equal
/// (review findings). Each path that writes a row's JSON: a single-row statement (compact entry), a
/// statement of several rows, a delete by key, a Sync commit and the restore of an aborted one.
/// </summary>
public sealed class ArrayTextTests
{
    private const string Shape =
        "SELECT string_agg(id || ':' || coalesce(array_to_string(ARRAY(SELECT coalesce(e::text, 'SQL NULL') FROM unnest(raw) AS e), ','), '-') || '/' || " +
        "coalesce(array_to_string(ARRAY(SELECT coalesce(e::text, 'SQL NULL') FROM unnest(docs) AS e), ','), '-') || '/' || " +
        "coalesce(numbers::text, '-') || '/' || coalesce(days::text, '-') || '/' || coalesce(grid::text, '-'), ';' ORDER BY id) FROM ";

    [Fact]
    public async Task Json_null_elements_and_lower_bounds_arrive_as_the_source_holds_them()
    {
        await using var pair = await TestBed.Create().Pair("arr_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        // Single-row statements (compact entries) ...
        await Db.ExecuteAsync(local,
            "INSERT INTO arr.arrays VALUES (1, ARRAY['null'::json, NULL, '{\"a\" :  1}'], ARRAY['null'::jsonb, NULL, '[null]'], '[0:1]={1,2}', '[-2:-1]={2024-02-01,NULL}', '[0:1][5:5]={{1},{2}}')");
        // ... a statement of several rows ...
        await Db.ExecuteAsync(local,
            "INSERT INTO arr.arrays VALUES (2, ARRAY['null'::json], ARRAY['null'::jsonb], '{5}', '{}', NULL), (3, ARRAY['\"x\"'::json], ARRAY['1'::jsonb], '[3:3]={7}', NULL, '{{1,2},{3,4}}'), (4, NULL, NULL, NULL, NULL, NULL)");
        // ... updates of both kinds, and deletes.
        await Db.ExecuteAsync(local, "UPDATE arr.arrays SET numbers = '[-1:0]={8,9}' WHERE id = 2");
        await Db.ExecuteAsync(local, "UPDATE arr.arrays SET raw = raw || 'null'::json WHERE id IN (1, 3)");
        await Db.ExecuteAsync(local, "INSERT INTO arr.arrays VALUES (5, NULL, NULL, '[0:0]={0}', NULL, NULL), (6, NULL, NULL, NULL, NULL, NULL)");
        await Db.ExecuteAsync(local, "DELETE FROM arr.arrays WHERE id = 5");
        await Db.ExecuteAsync(local, "DELETE FROM arr.arrays WHERE id IN (4, 6)");
        await pair.ReplayAsync();
        Assert.Equal(0, await pair.QueueDepthAsync());

        Assert.Equal(
            "1:null,SQL NULL,{\"a\" :  1},null/null,SQL NULL,[null]/[0:1]={1,2}/[-2:-1]={2024-02-01,NULL}/[0:1][5:5]={{1},{2}};" +
            "2:null/null/[-1:0]={8,9}/{}/-;3:\"x\",null/1/[3:3]={7}/-/{{1,2},{3,4}}",
            await Db.ScalarAsync<string?>(local, Shape + "arr.arrays"));
        Assert.Equal(await Db.ScalarAsync<string?>(local, Shape + "arr.arrays"), await Db.ScalarAsync<string?>(pair.Remote.ConnectionString, Shape + "arr_copy.arrays"));
        // Array equality compares bounds too: the rows are equal as PostgreSQL sees them.
        Assert.True(await pair.EqualAsync("arr.arrays", "arr_copy.arrays", "id"));
    }

    [Fact]
    public async Task Dates_in_arrays_arrive_whatever_datestyle_the_writer_and_the_destination_use()
    {
        await using var pair = await TestBed.Create().Pair("arr_dst").InstallAsync(PgSyncInstaller.Tables);
        // 1 February, printed "01/02/2024" under SQL, DMY, reads as 2 January to an MDY session.
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, $"ALTER DATABASE \"{pair.Remote.Name}\" SET DateStyle = 'SQL, MDY'");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "SET DateStyle = 'SQL, DMY'; INSERT INTO arr.arrays (id, days) VALUES (1, ARRAY['2024-02-01'::date, '2024-12-31'])");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "SET DateStyle = 'German'; INSERT INTO arr.arrays (id, days) VALUES (2, ARRAY['2024-02-03'::date]), (3, '{2024-03-04}')");
        await pair.ReplayAsync();
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal("1:{2024-02-01,2024-12-31};2:{2024-02-03};3:{2024-03-04}",
            await Db.ScalarAsync<string?>(pair.Remote.ConnectionString, "SET DateStyle = 'ISO, MDY'; SELECT string_agg(id || ':' || days::text, ';' ORDER BY id) FROM arr_copy.arrays"));
    }

    [Fact]
    public async Task A_sync_commit_and_the_restore_of_an_aborted_one_keep_json_nulls_and_bounds()
    {
        await using var pair = await TestBed.Create().Pair("arr_sync").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        const string Rows = "SELECT string_agg(id || ':' || coalesce(array_to_string(ARRAY(SELECT coalesce(e::text, 'SQL NULL') FROM unnest(raw) AS e), ','), '-') || '/' || coalesce(numbers::text, '-'), ';' ORDER BY id) FROM ";
        await Db.ExecuteAsync(local, "INSERT INTO arr.arrays_sync VALUES (1, ARRAY['null'::json, NULL], '[0:1]={1,2}'), (2, ARRAY['1'::json], '[5:5]={5}')");
        Assert.Equal("1:null,SQL NULL/[0:1]={1,2};2:1/[5:5]={5}", await Db.ScalarAsync<string?>(pair.Remote.ConnectionString, Rows + "arr_copy.arrays_sync"));

        // Sent at the commit, which then fails (a deferred constraint): the restore writes the source's rows back.
        await Db.ExecuteAsync(pair.Local.AdminConnectionString,
            "CREATE TABLE arr.parent (id int PRIMARY KEY); CREATE TABLE arr.child (id int REFERENCES arr.parent DEFERRABLE INITIALLY DEFERRED); GRANT ALL ON arr.parent, arr.child TO PUBLIC");
        await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(local,
            "BEGIN; UPDATE arr.arrays_sync SET numbers = '{9}', raw = NULL; DELETE FROM arr.arrays_sync WHERE id = 2; INSERT INTO arr.child VALUES (99); COMMIT"));
        Assert.Equal("1:/{9}", await Db.ScalarAsync<string?>(pair.Remote.ConnectionString, Rows + "arr_copy.arrays_sync"));
        await Db.ExecuteAsync(local, "SELECT pgsync.resolve_applied('arr_sync')");

        Assert.Equal("1:null,SQL NULL/[0:1]={1,2};2:1/[5:5]={5}", await Db.ScalarAsync<string?>(pair.Remote.ConnectionString, Rows + "arr_copy.arrays_sync"));
        Assert.True(await pair.EqualAsync("arr.arrays_sync", "arr_copy.arrays_sync", "id"));
    }
}
