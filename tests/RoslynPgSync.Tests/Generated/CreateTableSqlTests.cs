using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Generated;

/// <summary>
/// The DDL the generator computed at build time for this assembly's own [Replicate] models runs on
/// real PostgreSQL, and the catalog then agrees with the model: column order, types as
/// format_type spells them, nullability and the PK vector.
/// </summary>
public sealed class CreateTableSqlTests : IAsyncLifetime
{
    private TestBed _bed = null!;

    public static IEnumerable<object[]> Tables => PgSyncInstaller.Tables.Select(t => new object[] { t.EntityType.Name });

    private TestDatabase Ddl => _bed.Node("ddl").Database;

    public async Task InitializeAsync() => _bed = await TestBed.Create().Node("ddl").BuildAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task Source_and_target_ddl_create_tables_the_catalog_describes_as_the_model(string entity)
    {
        var table = PgSyncInstaller.Tables.Single(t => t.EntityType.Name == entity);
        var expected = table.Columns.Select(c => (c.Name, c.PgType, c.IsNullable)).ToList();

        // Twice: the DDL is idempotent (IF NOT EXISTS), as CreateMissingTables runs it at every start.
        await Db.ExecuteAsync(Ddl.ConnectionString, table.CreateTableSql);
        await Db.ExecuteAsync(Ddl.ConnectionString, table.CreateTableSql);
        var (sourceColumns, sourcePk) = await DescribeAsync(table.SourceSchema, table.SourceTable);
        Assert.Equal(expected, sourceColumns);
        Assert.Equal(table.PkVector, sourcePk);

        var target = table.Targets[0];
        await Db.ExecuteAsync(Ddl.ConnectionString, target.CreateTableSql);
        var (targetColumns, targetPk) = await DescribeAsync(target.Schema, target.Table);
        Assert.Equal(expected, targetColumns);
        Assert.Equal(table.PkVector, targetPk);
    }

    [Fact]
    public void Every_model_of_this_assembly_was_generated()
    {
        Assert.Equal(
            new[] { "ArrayRow", "ArrayRowSync", "AwkwardRow", "BusyBulk", "BusyFeed", "BusyFirm", "BusyLive", "ChainItem", "ChanBulk", "ChanChild", "ChanEvent", "ChanOrder", "ChanParent", "CopyItem", "CopyPair", "ErrorItem", "EveryType", "FanOutOrder", "FaultEventAsync", "FaultEventSync", "HostileAsync", "HostileLww", "HostileStrict", "HostileSync", "JsonKeyed", "KeepLocalItem", "LedgerRow", "LocTest", "LocTestAsync", "LwwDecimalItem", "LwwItem", "LwwMeshItem", "LwwVersioned", "MixedAsync", "MixedStrict", "MixedSync", "NumericKeyed", "RingErrorItem", "RingKeepLocalItem", "RingLwwItem", "RmtTest", "RmtTestAsync", "SecCoded", "TxnBulk", "TxnBulkSync", "TxnChild", "TxnParent", "TxnSyncChild", "TxnSyncParent", "UnstampedFeed", "XmlFragment" },
            PgSyncInstaller.Tables.Select(t => t.EntityType.Name).Order(System.StringComparer.Ordinal));
    }

    private async Task<(List<(string Name, string Type, bool Nullable)> Columns, List<int> PkVector)> DescribeAsync(string schema, string name)
    {
        await using var connection = new NpgsqlConnection(Ddl.ConnectionString);
        await connection.OpenAsync();
        var columns = new List<(string, string, bool)>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = (SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                                WHERE n.nspname = $1 AND c.relname = $2)
              AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """,
            connection) { Parameters = { new() { Value = schema }, new() { Value = name } } })
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
            }
        }

        await using var pk = new NpgsqlCommand(
            """
            SELECT i.indkey::int2[] FROM pg_catalog.pg_index i
            WHERE i.indisprimary AND i.indrelid = (SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                                                   WHERE n.nspname = $1 AND c.relname = $2)
            """,
            connection) { Parameters = { new() { Value = schema }, new() { Value = name } } };
        var vector = (short[])(await pk.ExecuteScalarAsync())!;
        return (columns, vector.Select(v => (int)v).ToList());
    }
}
