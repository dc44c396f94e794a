using System;
using System.Threading.Tasks;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Security;

/// <summary>
/// Objects that shadow what RoslynPgSync calls (a <c>dblink_exec</c>, <c>hashtext</c>, an <c>=</c> that is
/// always false) placed first on the search_path of both roles change nothing: every function pins its
/// search_path and the destination's transaction pins its own.
/// </summary>
public sealed class HostileSearchPathTests
{
    private const string Hostile = """
        CREATE SCHEMA evil;
        CREATE FUNCTION evil.dblink_exec(text, text, boolean) RETURNS text LANGUAGE sql AS $$ SELECT 'hijacked'::text $$;
        CREATE FUNCTION evil.dblink_connect(text, text) RETURNS text LANGUAGE sql AS $$ SELECT 'hijacked'::text $$;
        CREATE FUNCTION evil.hashtext(text) RETURNS integer LANGUAGE sql AS $$ SELECT 42 $$;
        CREATE FUNCTION evil.never(integer, integer) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$;
        CREATE OPERATOR evil.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = evil.never);
        CREATE FUNCTION evil.never_text(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$;
        CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.never_text);
        """;

    [Fact]
    public async Task Shadowing_functions_and_operators_on_the_search_path_change_nothing()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        foreach (var database in new[] { pair.Local, pair.Remote })
        {
            await Db.ExecuteAsync(database.ConnectionString, Hostile);
            await Db.ExecuteAsync(database.AdminConnectionString, $"ALTER ROLE \"{database.OwnerRole}\" SET search_path = evil, pg_catalog, public");
        }

        await pair.EndRemoteSessionsAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
        Assert.False(await Db.ScalarAsync<bool>(pair.Local.ConnectionString, "SELECT 1 = 1"), "the hostile = is what an unqualified session sees");

        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_sync (id, code, body) SELECT g, 'k' || g, 'v' FROM generate_series(1, 20) AS g");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "UPDATE app.hostile_sync SET id = id + 100, body = 'moved' WHERE id <= 5");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "DELETE FROM app.hostile_sync WHERE id BETWEEN 6 AND 10");

        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(
            await TestBed.RowsAsync(pair.Local.ConnectionString, "app.hostile_sync", "id OPERATOR(pg_catalog.+) 0, code"),
            await TestBed.RowsAsync(pair.Remote.ConnectionString, "copy.hostile_sync", "id OPERATOR(pg_catalog.+) 0, code"));
        Assert.Equal(15L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));
    }
}
