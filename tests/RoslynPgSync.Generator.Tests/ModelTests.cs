using System.Linq;
using RoslynPgSync.Generator.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Generator.Tests;

/// <summary>
/// The model the generator builds, read back at run time from the compiled consumer's
/// <c>PgSyncInstaller.Tables</c>: conventions, keys, the PK vector and the type map.
/// </summary>
public sealed class ModelTests
{
    [Fact]
    public void Seed_table_has_composite_key_in_column_order_and_remapped_target()
    {
        var table = Single(TestModels.LocTest);

        Assert.Equal(("local", "loc_test"), (table.SourceSchema, table.SourceTable));
        Assert.Equal(new[] { "pk1", "pk2", "info", "crt_time", "mod_time" }, table.Columns.Select(c => c.Name));
        Assert.Equal(new[] { "pk1", "pk2" }, table.KeyColumns);
        Assert.Equal(new[] { 1, 2 }, table.PkVector);
        var target = Assert.Single(table.Targets);
        Assert.Equal(("dst", "remote", "rmt_test", ReplicationMode.Sync, (string?)null), (target.Server, target.Schema, target.Table, target.Mode, target.Where));
        Assert.Equal("Seed.LocTest", table.EntityType.FullName);
    }

    [Fact]
    public void Conflict_policies_and_the_version_member_reach_the_runtime_model()
    {
        var table = Single(TestModels.Conflicting);

        Assert.Equal("version", table.VersionColumn);
        Assert.Equal(
            new[] { ("node_b", ConflictPolicy.LastWriterWins, "items"), ("audit", ConflictPolicy.KeepLocal, ""), ("copy", ConflictPolicy.ApplyRemote, "") },
            table.Targets.Select(t => (t.Server, t.Conflicts, t.Channel)));
        Assert.Null(Single(TestModels.LocTest).VersionColumn);
    }

    [Fact]
    public void The_conflict_policy_is_one_enum_whose_names_and_values_the_runtime_and_the_generator_share()
    {
        Assert.Equal(System.Enum.GetNames<ConflictPolicy>(), RoslynPgSync.Generator.Model.ConflictPolicies.All.Select(c => c.ToString()));
        Assert.Equal(System.Enum.GetValues<ConflictPolicy>().Select(c => (int)c), RoslynPgSync.Generator.Model.ConflictPolicies.All.Select(c => (int)c));
        Assert.Equal(ConflictPolicy.ApplyRemote, new ReplicateAttribute("dst").Conflicts);
    }

    [Fact]
    public void Key_order_follows_column_order_attribute_not_declaration_order()
    {
        var table = Single(TestModels.AwkwardIdentifiers);

        Assert.Equal(new[] { "user", "Order" }, table.KeyColumns);
        Assert.Equal(new[] { 2, 1 }, table.PkVector);
    }

    [Fact]
    public void Ef_core_primary_key_attribute_sets_key_order_and_targets_keep_declaration_order()
    {
        var table = Single(TestModels.TwoDestinationsWithWhere, TestModels.EfCoreAttributes);

        Assert.Equal(new[] { "invoice_no", "tenant_id" }, table.KeyColumns);
        Assert.Equal(new[] { 2, 1 }, table.PkVector);
        Assert.Equal(new[] { "reporting", "archive" }, table.Targets.Select(t => t.Server));
        Assert.Equal("status <> 'draft'", table.Targets[0].Where);
        Assert.Equal(("billing", "invoices", ReplicationMode.Async), (table.Targets[0].Schema, table.Targets[0].Table, table.Targets[0].Mode));
        Assert.Equal(("archive", "invoices_2026", ReplicationMode.Strict), (table.Targets[1].Schema, table.Targets[1].Table, table.Targets[1].Mode));
        Assert.Equal("numeric(12,2)", table.Columns.Single(c => c.Name == "total").PgType);
    }

    [Fact]
    public void Convention_key_and_snake_case_names_in_public_schema()
    {
        var table = Single(TestModels.SingleKeyByConvention);

        Assert.Equal(("public", "order_line"), (table.SourceSchema, table.SourceTable));
        Assert.Equal(new[] { "id" }, table.KeyColumns);
        Assert.Equal(new[] { 1 }, table.PkVector);
        Assert.Equal(new[] { "id", "order_id", "unit_price", "quantity" }, table.Columns.Select(c => c.Name));
    }

    [Fact]
    public void Not_mapped_members_are_left_out_and_renames_type_names_and_base_members_are_honoured()
    {
        var table = Single(TestModels.NotMappedAndRenamed);

        Assert.Equal(
            new[] { "created_utc timestamp with time zone NOT NULL", "customer_no integer NOT NULL", "display_name character varying(200) NOT NULL", "preferences jsonb", "e_mail citext" },
            table.Columns.Select(c => c.ToString()));
        Assert.Equal(new[] { "customer_no" }, table.KeyColumns);
        Assert.Equal(new[] { 2 }, table.PkVector);
        Assert.Equal(("public", "customer_copy"), (table.Targets[0].Schema, table.Targets[0].Table));
    }

    [Fact]
    public void Clr_types_map_to_postgres_types_with_nullability()
    {
        var table = Single(TestModels.AllTypes);
        var types = table.Columns.ToDictionary(c => c.MemberName, c => (c.PgType, c.IsNullable));

        Assert.Equal(("uuid", false), types["Key"]);
        Assert.Equal(("integer", false), types["Int"]);
        Assert.Equal(("integer", true), types["IntN"]);
        Assert.Equal(("bigint", false), types["Long"]);
        Assert.Equal(("bigint", true), types["LongN"]);
        Assert.Equal(("smallint", false), types["Short"]);
        Assert.Equal(("smallint", true), types["ShortN"]);
        Assert.Equal(("boolean", false), types["Bool"]);
        Assert.Equal(("boolean", true), types["BoolN"]);
        Assert.Equal(("numeric", false), types["Decimal"]);
        Assert.Equal(("numeric", true), types["DecimalN"]);
        Assert.Equal(("double precision", false), types["Double"]);
        Assert.Equal(("double precision", true), types["DoubleN"]);
        Assert.Equal(("real", false), types["Float"]);
        Assert.Equal(("real", true), types["FloatN"]);
        Assert.Equal(("text", false), types["Text"]);
        Assert.Equal(("text", true), types["TextN"]);
        Assert.Equal(("uuid", true), types["GuidN"]);
        Assert.Equal(("timestamp with time zone", false), types["DateTime"]);
        Assert.Equal(("timestamp with time zone", true), types["DateTimeN"]);
        Assert.Equal(("timestamp with time zone", false), types["DateTimeOffset"]);
        Assert.Equal(("timestamp with time zone", true), types["DateTimeOffsetN"]);
        Assert.Equal(("date", false), types["DateOnly"]);
        Assert.Equal(("date", true), types["DateOnlyN"]);
        Assert.Equal(("time without time zone", false), types["TimeOnly"]);
        Assert.Equal(("time without time zone", true), types["TimeOnlyN"]);
        Assert.Equal(("interval", false), types["TimeSpan"]);
        Assert.Equal(("interval", true), types["TimeSpanN"]);
        Assert.Equal(("bytea", false), types["Bytes"]);
        Assert.Equal(("bytea", true), types["BytesN"]);
        Assert.Equal(("integer", false), types["Color"]);
        Assert.Equal(("smallint", true), types["SmallN"]);
        Assert.Equal(("integer[]", false), types["Ints"]);
        Assert.Equal(("text[]", true), types["Texts"]);
        Assert.Equal(("uuid[]", true), types["Guids"]);
        Assert.Equal(("timestamp with time zone[]", true), types["Times"]);
        Assert.Equal(("bytea[]", true), types["Blobs"]);
    }

    [Fact]
    public void Nullable_disabled_context_makes_reference_columns_nullable()
    {
        const string source = """
            #nullable disable
            using RoslynPgSync;
            [Replicate("dst")]
            public class Note { public int Id { get; set; } public string Body { get; set; } }
            """;

        var table = Single(source);

        Assert.True(table.Columns.Single(c => c.Name == "body").IsNullable);
        Assert.False(table.Columns.Single(c => c.Name == "id").IsNullable);
    }

    [Fact]
    public void Create_table_sql_declares_columns_in_model_order_and_the_primary_key()
    {
        var table = Single(TestModels.LocTest);

        Assert.Equal(
            "CREATE SCHEMA IF NOT EXISTS \"local\";\nCREATE TABLE IF NOT EXISTS \"local\".\"loc_test\" (\n" +
            "    \"pk1\" integer NOT NULL,\n    \"pk2\" text NOT NULL,\n    \"info\" text,\n" +
            "    \"crt_time\" timestamp with time zone,\n    \"mod_time\" timestamp with time zone,\n" +
            "    PRIMARY KEY (\"pk1\", \"pk2\")\n);",
            table.CreateTableSql);
        Assert.StartsWith("CREATE SCHEMA IF NOT EXISTS \"remote\";\nCREATE TABLE IF NOT EXISTS \"remote\".\"rmt_test\" (", table.Targets[0].CreateTableSql, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Partial_type_with_replicate_on_two_parts_yields_one_table_with_both_targets()
    {
        const string partA = """
            using RoslynPgSync;
            namespace P;
            [Replicate("a")]
            public partial class Split { public int Id { get; set; } }
            """;
        const string partB = """
            using RoslynPgSync;
            namespace P;
            [Replicate("b")]
            public partial class Split { public string? Name { get; set; } }
            """;

        var run = GeneratorHarness.Run(partA, partB);

        Assert.Empty(run.CompilationProblems);
        var table = Assert.Single(run.LoadTables());
        Assert.Equal(new[] { "a", "b" }, table.Targets.Select(t => t.Server));
    }

    private static ReplicatedTable Single(params string[] sources)
    {
        var run = GeneratorHarness.Run(sources);
        Assert.Empty(run.CompilationProblems);
        return Assert.Single(run.LoadTables());
    }
}
