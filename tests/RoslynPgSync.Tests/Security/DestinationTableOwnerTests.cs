using System;
using System.Linq;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Verification;
using Xunit;

namespace RoslynPgSync.Tests.Security;

/// <summary>
/// Found in review: the destination applies every change as the user mapping's role (one login for every
/// target table), and a table's triggers run as the role that writes it. A target table owned by another
/// role ran that role's triggers in the apply with the apply's rights: the owner of one table got the
/// replication role's, which may write every other target table and the destination's applied_entry (what
/// the source takes as applied, and dequeues), and on a multi-master node is a member of that node's
/// installing role (docs/security.md). PostgreSQL 16's logical replication applies as the table's owner
/// for this reason; a trigger here could undo a SET ROLE, so such a table is refused instead: by every
/// apply, at install (and so at every start of the hosted worker) and by the verifier.
/// </summary>
public sealed class DestinationTableOwnerTests
{
    [Fact]
    public async Task A_target_table_owned_by_a_role_without_the_replication_roles_rights_is_refused()
    {
        await using var hostile = await (await RoslynPgSync.TestCluster.SharedCluster.GetAsync()).CreateRoleAsync("owner");
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var table = PgSyncInstaller.Tables.Single(t => t.EntityType == typeof(Models.HostileAsync));
        // The target table goes to another team's role, which lets the replication role write it, and
        // which puts a trigger on it that reads what only the replication role may.
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, $"""
            ALTER TABLE copy.hostile_async OWNER TO "{hostile.Name}";
            GRANT SELECT, INSERT, UPDATE, DELETE ON copy.hostile_async TO "{pair.Remote.OwnerRole}";
            CREATE TABLE public.loot (who text, what text);
            ALTER TABLE public.loot OWNER TO "{hostile.Name}";
            GRANT USAGE ON SCHEMA copy TO "{hostile.Name}";
            GRANT CREATE ON SCHEMA public TO "{hostile.Name}";
            """);
        await Db.ExecuteAsync(hostile.ConnectionStringFor(pair.Remote.Name), """
            GRANT INSERT ON public.loot TO PUBLIC;
            CREATE FUNCTION public.on_apply() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
                INSERT INTO public.loot
                SELECT current_user::text, 'applied_entry rows: ' || (SELECT pg_catalog.count(*) FROM pgsync.applied_entry)::text;
                RETURN NULL;
            END $f$;
            CREATE TRIGGER on_apply AFTER INSERT ON copy.hostile_async FOR EACH STATEMENT EXECUTE FUNCTION public.on_apply();
            """);
        // (The owner itself may not read the replication's record.)
        var denied = await Assert.ThrowsAsync<Npgsql.PostgresException>(
            () => Db.ScalarAsync<long>(hostile.ConnectionStringFor(pair.Remote.Name), "SELECT count(*) FROM pgsync.applied_entry"));
        Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);

        // The apply refuses the table: nothing of the change is written, its trigger does not run, and
        // the entry waits with the reason.
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (1, 'k', 'v')");
        await pair.ReplayAsync();
        Assert.Equal(1, await pair.QueueDepthAsync());
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.AdminConnectionString, "SELECT count(*) FROM copy.hostile_async"));
        Assert.Null(await Db.ScalarAsync<string?>(pair.Remote.AdminConnectionString, "SELECT string_agg(who || ': ' || what, '; ') FROM public.loot"));
        var reason = await Db.ScalarAsync<string?>(pair.Local.ConnectionString, "SELECT string_agg(last_error, '; ') FROM pgsync.status");
        Assert.Contains($"table copy.hostile_async is owned by role \"{hostile.Name}\"", reason, StringComparison.Ordinal);

        // The next install (the hosted worker's start) refuses it too, naming it, its owner and the fix.
        var refused = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options));
        Assert.Contains($"Table copy.hostile_async in the destination server 'async_dst' is owned by role \"{hostile.Name}\"", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"OWNER TO \"{pair.Remote.OwnerRole}\"", refused.Message, StringComparison.Ordinal);
        // And the verifier reports it as drift.
        var result = Assert.Single(await new PgSyncVerifier(pair.LocalSource, pair.Options).VerifyAsync([table]));
        Assert.Contains(result.SchemaProblems, p => p.Contains($"owned by role \"{hostile.Name}\"", StringComparison.Ordinal));

        // Given back to the replication role (and the trigger dropped), the waiting change is applied.
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, $"DROP TRIGGER on_apply ON copy.hostile_async; ALTER TABLE copy.hostile_async OWNER TO \"{pair.Remote.OwnerRole}\"");
        await pair.ReplayAsync();
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.True((await new PgSyncVerifier(pair.LocalSource, pair.Options).VerifyAsync([table])).Single().IsEqual);
    }
}
