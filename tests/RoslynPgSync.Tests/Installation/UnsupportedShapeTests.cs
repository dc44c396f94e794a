using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Installation;

/// <summary>
/// Table shapes whose rows replication would lose or never apply (partitioned or inheriting tables,
/// target columns the destination fills itself) are refused at install with table, column and why;
/// nothing is installed.
/// </summary>
public sealed class UnsupportedShapeTests
{
    private const string Columns = "pk1 integer NOT NULL, pk2 text NOT NULL, info text, crt_time timestamptz, mod_time timestamptz";

    [Theory]
    [InlineData(
        "CREATE TABLE local.loc_test_async (" + Columns + ", PRIMARY KEY (pk1, pk2)) PARTITION BY RANGE (pk1); " +
        "CREATE TABLE local.loc_test_async_p1 PARTITION OF local.loc_test_async FOR VALUES FROM (0) TO (1000)",
        "Table local.loc_test_async in the local database", "is partitioned")]
    [InlineData(
        "CREATE TABLE local.parent (" + Columns + "); CREATE TABLE local.loc_test_async (PRIMARY KEY (pk1, pk2)) INHERITS (local.parent)",
        "Table local.loc_test_async in the local database", "inherits from another table")]
    [InlineData(
        "CREATE TABLE local.loc_test_async (" + Columns + ", PRIMARY KEY (pk1, pk2)); CREATE TABLE local.child () INHERITS (local.loc_test_async)",
        "Table local.loc_test_async in the local database", "has inheritance children")]
    [InlineData(
        "CREATE TABLE local.whole (" + Columns + ", PRIMARY KEY (pk1, pk2)) PARTITION BY RANGE (pk1); " +
        "CREATE TABLE local.loc_test_async PARTITION OF local.whole FOR VALUES FROM (0) TO (1000)",
        "Table local.loc_test_async in the local database", "is a partition of another table")]
    public async Task A_source_table_whose_rows_live_elsewhere_is_refused(string ddl, string names, string why)
    {
        var error = await InstallOverAsync(sourceDdl: "CREATE SCHEMA local; " + ddl, targetDdl: null);
        Assert.Contains(names, error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pk1 integer GENERATED ALWAYS AS IDENTITY, pk2 text NOT NULL, info text, crt_time timestamptz, mod_time timestamptz", "\"pk1\"", "GENERATED ALWAYS AS IDENTITY")]
    [InlineData("pk1 integer NOT NULL, pk2 text NOT NULL, info text GENERATED ALWAYS AS (pk2 || '!') STORED, crt_time timestamptz, mod_time timestamptz", "\"info\"", "is a generated column")]
    public async Task A_target_column_the_destination_fills_itself_is_refused(string columns, string column, string why)
    {
        var error = await InstallOverAsync(sourceDdl: null, targetDdl: $"CREATE SCHEMA remote; CREATE TABLE remote.rmt_test_async ({columns}, PRIMARY KEY (pk1, pk2))");
        Assert.Contains($"Column {column} of table remote.rmt_test_async in the destination server 'dst_async'", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partitioned_target_is_refused()
    {
        var error = await InstallOverAsync(
            sourceDdl: null,
            targetDdl: $"CREATE SCHEMA remote; CREATE TABLE remote.rmt_test_async ({Columns}, PRIMARY KEY (pk1, pk2)) PARTITION BY HASH (pk1)");
        Assert.Contains("Table remote.rmt_test_async in the destination server 'dst_async' is partitioned", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Creates the given tables, installs the dst_async model over them and returns the refusal; checks that nothing was installed.</summary>
    private static async Task<PgSyncInstallException> InstallOverAsync(string? sourceDdl, string? targetDdl)
    {
        await using var bed = await TestBed.Create().Pair("dst_async").BuildAsync();
        var (local, remote) = (bed.Local, bed.Remote);
        if (sourceDdl is not null)
        {
            await Db.ExecuteAsync(local.ConnectionString, sourceDdl);
        }

        if (targetDdl is not null)
        {
            await Db.ExecuteAsync(remote.ConnectionString, targetDdl);
        }

        var source = bed.LocalSource;
        var error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(
            source, bed.Options));
        Assert.Null(await Db.ScalarAsync<string?>(local.ConnectionString, "SELECT nspname::text FROM pg_namespace WHERE nspname = 'pgsync'"));
        return error;
    }
}
