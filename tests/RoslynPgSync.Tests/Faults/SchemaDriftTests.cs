using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Verification;
using Xunit;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// Columns added, dropped or retyped on either side after the install: the next install refuses with
/// the table and column named, the verifier reports the drift instead of failing on SQL, and no
/// change is dropped silently (queued changes wait, writes that cannot be captured fail loudly).
/// </summary>
public sealed class SchemaDriftTests
{
    private const string Table = "app.events_async";

    [Theory]
    [InlineData("ALTER TABLE app.events_async DROP COLUMN payload", "has no column \"payload\"")]
    [InlineData("ALTER TABLE app.events_async ALTER COLUMN version TYPE integer", "has type integer; expected bigint")]
    [InlineData("ALTER TABLE app.events_async ADD COLUMN region text NOT NULL DEFAULT 'x'; ALTER TABLE app.events_async ALTER COLUMN region DROP DEFAULT", "NOT NULL column \"region\" without a default")]
    public async Task Destination_drift_is_reported_by_install_and_verifier_and_keeps_the_changes_queued(string drift, string expected)
    {
        await using var pair = await TestBed.Create().Pair("fault_async").InstallAsync(PgSyncInstaller.Tables);
        await pair.LogApplicationsAsync(Table);
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Table} SELECT 1, g, 1, 'first' FROM generate_series(1, 10) g");
        await pair.ReplayAsync();
        await Db.ExecuteAsync(pair.Remote.ConnectionString, drift);

        await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Table} SELECT 2, g, 2000000000000, 'after' FROM generate_series(1, 10) g");
        Assert.Equal(0, await pair.ReplayAsync());

        Assert.Equal(1, await pair.QueueDepthAsync());
        var status = await Db.ScalarAsync<string>(pair.Local.ConnectionString, "SELECT last_error || ' @ ' || last_error_table FROM pgsync.status");
        Assert.EndsWith(" @ app.events_async", status, StringComparison.Ordinal);
        var verified = await new PgSyncVerifier(pair.LocalSource, pair.Options).VerifyAsync(PgSyncInstaller.Tables);
        var result = Assert.Single(verified);
        Assert.False(result.IsEqual);
        Assert.Contains(result.SchemaProblems, p => p.Contains(expected, StringComparison.Ordinal) && p.Contains("destination server 'fault_async'", StringComparison.Ordinal));
        Assert.Contains("schema drift", result.ToString(), StringComparison.Ordinal);
        var install = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options));
        Assert.Contains(expected, install.Message, StringComparison.Ordinal);
        Assert.Equal(10, await pair.AssertEachChangeAppliedOnceAsync()); // the first batch only
    }

    [Theory]
    [InlineData("ALTER TABLE app.events_async ALTER COLUMN payload TYPE varchar(10)", "has type character varying(10); expected text")]
    [InlineData("ALTER TABLE app.events_async DROP COLUMN payload", "has no column \"payload\"")]
    public async Task Source_drift_is_reported_and_uncapturable_writes_fail_instead_of_vanishing(string drift, string expected)
    {
        await using var pair = await TestBed.Create().Pair("fault_async").InstallAsync(PgSyncInstaller.Tables);
        await pair.LogApplicationsAsync(Table);
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Table} SELECT 1, g, 1, 'first' FROM generate_series(1, 10) g");
        await pair.ReplayAsync();
        await Db.ExecuteAsync(pair.Local.ConnectionString, drift);

        // Either the write is captured whole and arrives, or it fails: never committed and lost.
        var failed = false;
        try
        {
            await Db.ExecuteAsync(pair.Local.ConnectionString, $"UPDATE {Table} SET version = 2 WHERE item = 1");
        }
        catch (PostgresException)
        {
            failed = true;
        }

        await pair.ReplayAsync();
        Assert.Equal(failed ? 1L : 2L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, $"SELECT version FROM {Table} WHERE writer = 1 AND item = 1"));
        Assert.Equal(failed ? 1L : 2L, await Db.ScalarAsync<long>(pair.Local.ConnectionString, $"SELECT version FROM {Table} WHERE writer = 1 AND item = 1"));

        var result = Assert.Single(await new PgSyncVerifier(pair.LocalSource, pair.Options).VerifyAsync(PgSyncInstaller.Tables));
        Assert.False(result.IsEqual);
        Assert.Contains(result.SchemaProblems, p => p.Contains(expected, StringComparison.Ordinal) && p.Contains("local database", StringComparison.Ordinal));
        var install = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options));
        Assert.Contains(expected, install.Message, StringComparison.Ordinal);
        Assert.Equal(failed ? 10 : 11, await pair.AssertEachChangeAppliedOnceAsync());
    }

    [Fact]
    public async Task A_source_column_the_model_lacks_is_named_by_the_verifier()
    {
        await using var pair = await TestBed.Create().Pair("fault_async").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"ALTER TABLE {Table} ADD COLUMN region text");
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Table} VALUES (1, 1, 1, 'p', 'eu')");
        await pair.ReplayAsync();
        await PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options);

        var result = Assert.Single(await new PgSyncVerifier(pair.LocalSource, pair.Options).VerifyAsync(PgSyncInstaller.Tables));

        Assert.True(result.IsEqual, result.ToString());
        var note = Assert.Single(result.Unreplicated);
        Assert.Contains("\"region\"", note, StringComparison.Ordinal);
        Assert.Contains("not replicated", result.ToString(), StringComparison.Ordinal);
    }
}
