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
/// Row-level security filters what a statement sees without an error. A policy on a target (FORCE'd,
/// so that it binds its owner, the replication role, too) that hid a row from DELETE made the apply of
/// the source's delete delete nothing: the entry counted as applied, the queue drained, and the
/// destination kept a row the source no longer had. Every remote transaction that writes rows now runs
/// with row_security off, so any statement on a table whose policies bind the replication role fails and
/// its entry waits with the reason; the install refuses such a target and the verifier reports it (the
/// restore function, the copier and the verifier read with row_security off too: a filtered read fails
/// instead of going short).
/// </summary>
public sealed class RowSecurityTests
{
    [Fact]
    public async Task A_policy_that_would_hide_a_row_from_the_apply_stops_it_with_the_reason_instead_of_losing_the_change()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var table = PgSyncInstaller.Tables.Single(t => t.EntityType == typeof(Models.HostileAsync));
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, """
            ALTER TABLE copy.hostile_async ENABLE ROW LEVEL SECURITY;
            ALTER TABLE copy.hostile_async FORCE ROW LEVEL SECURITY;
            CREATE POLICY see ON copy.hostile_async FOR SELECT USING (true);
            CREATE POLICY add ON copy.hostile_async FOR INSERT WITH CHECK (true);
            CREATE POLICY change ON copy.hostile_async FOR UPDATE USING (true);
            CREATE POLICY remove ON copy.hostile_async FOR DELETE USING (id < 100);
            """);

        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (1, 'k', 'v'), (200, 'k', 'v')");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "DELETE FROM app.hostile_async WHERE id = 200");
        await pair.ReplayAsync();

        // Nothing counted as applied that was not: with a policy that binds the replication role no
        // statement can be trusted to see every row, so both entries wait, with the reason.
        Assert.Equal(2, await pair.QueueDepthAsync());
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.AdminConnectionString, "SELECT count(*) FROM copy.hostile_async"));
        var reason = await Db.ScalarAsync<string?>(pair.Local.ConnectionString, "SELECT string_agg(last_error, '; ') FROM pgsync.status");
        Assert.Contains("row-level security", reason, StringComparison.Ordinal);

        // The next install (the hosted worker's start) refuses the table, naming it and the fixes; the
        // verifier reports it as drift.
        var refused = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options));
        Assert.Contains("Table copy.hostile_async in the destination server 'async_dst' has row-level security that applies to the replication role", refused.Message, StringComparison.Ordinal);
        Assert.Contains("BYPASSRLS", refused.Message, StringComparison.Ordinal);
        var drift = Assert.Single(await new PgSyncVerifier(pair.LocalSource, pair.Options).VerifyAsync([table]));
        Assert.Contains(drift.SchemaProblems, p => p.Contains("row-level security", StringComparison.Ordinal));

        // Row security off again, the waiting entries apply in order and the sides are equal.
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, "ALTER TABLE copy.hostile_async DISABLE ROW LEVEL SECURITY");
        await pair.ReplayAsync();
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(new[] { 1L }, (await Db.ScalarAsync<long[]>(pair.Remote.AdminConnectionString, "SELECT array_agg(id::bigint ORDER BY id) FROM copy.hostile_async")));
        Assert.True((await new PgSyncVerifier(pair.LocalSource, pair.Options).VerifyAsync([table])).Single().IsEqual);
    }
}
