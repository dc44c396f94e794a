using System;
using System.Linq;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Verification;
using Xunit;

namespace RoslynPgSync.Tests.Installation;

/// <summary>
/// Found in review: a source table whose primary key is DEFERRABLE INITIALLY DEFERRED let a transaction swap
/// two keys in two UPDATEs (the usual reason for such a key). Between them the table held two rows of key 2;
/// the first capture sent "delete 1, upsert (2, 'one')", which overwrote the destination's row 2, and the
/// second "delete 2, upsert (1, 'two')" then deleted the only row 2 the destination had: the source kept
/// both rows, the destination one, and the queue drained without an error. A deferrable target key made
/// every upsert fail (ON CONFLICT refuses a deferrable arbiter). Both are refused at install, with the
/// statements that make the key immediate, and reported by the verifier.
/// </summary>
public sealed class DeferrableKeyTests
{
    [Theory]
    [InlineData("txn_dst", "txn.parent", "name")]
    [InlineData("txn_sync", "txn.bulk_sync", "info")]
    public async Task A_source_whose_primary_key_is_deferrable_is_refused_at_install_and_reported_by_the_verifier(string server, string source, string column)
    {
        await using var pair = await TestBed.Create().Pair(server).InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, $"INSERT INTO {source} (id, {column}) VALUES (1, 'one'), (2, 'two')");
        await pair.ReplayAsync();
        var pk = await Db.ScalarAsync<string>(local, $"SELECT conname::text FROM pg_constraint WHERE conrelid = '{source}'::regclass AND contype = 'p'");
        await Db.ExecuteAsync(local, $"ALTER TABLE {source} DROP CONSTRAINT \"{pk}\", ADD CONSTRAINT \"{pk}\" PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED");

        var refused = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options));
        Assert.Contains($"Table {source} in the local database", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"has a deferrable primary key (constraint \"{pk}\")", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"ADD CONSTRAINT \"{pk}\" PRIMARY KEY (\"id\")", refused.Message, StringComparison.Ordinal);
        var table = PgSyncInstaller.Tables.Single(t => $"{t.SourceSchema}.{t.SourceTable}" == source);
        var drift = (await new PgSyncVerifier(pair.LocalSource, pair.Options).VerifyAsync([table])).Where(r => r.Server == server).ToList();
        Assert.All(drift, r => Assert.Contains(r.SchemaProblems, p => p.Contains("deferrable primary key", StringComparison.Ordinal)));
        Assert.NotEmpty(drift);

        // The key made immediate again, as the message says, the install goes through.
        await Db.ExecuteAsync(local, $"ALTER TABLE {source} DROP CONSTRAINT \"{pk}\", ADD CONSTRAINT \"{pk}\" PRIMARY KEY (id)");
        await PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options);
    }

    [Fact]
    public async Task A_target_whose_primary_key_is_deferrable_is_refused_at_install()
    {
        await using var pair = await TestBed.Create().Pair("txn_dst").InstallAsync(PgSyncInstaller.Tables);
        var pk = await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT conname::text FROM pg_constraint WHERE conrelid = 'txn_copy.parent'::regclass AND contype = 'p'");
        await Db.ExecuteAsync(pair.Remote.ConnectionString, $"ALTER TABLE txn_copy.parent DROP CONSTRAINT \"{pk}\", ADD CONSTRAINT \"{pk}\" PRIMARY KEY (id) DEFERRABLE");

        var refused = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options));

        Assert.Contains("Table txn_copy.parent in the destination server 'txn_dst' has a deferrable primary key", refused.Message, StringComparison.Ordinal);
        Assert.Contains("ON CONFLICT", refused.Message, StringComparison.Ordinal);
    }
}
