using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Installation;

/// <summary>
/// Compares a table in a database with the model: it exists, has every model column with the model's
/// type, and its primary key is the model's key in the model's order. Used for the source table and
/// for each target, so both sides are checked by the same rules.
/// </summary>
internal static class TableShape
{
    private const string ColumnsSql = """
        SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid::bigint, a.attnotnull,
               a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '', a.attidentity::text, a.attgenerated::text
        FROM pg_catalog.pg_attribute AS a
        WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;

    private const string PrimaryKeySql = """
        SELECT a.attname
        FROM pg_catalog.pg_index AS i
        CROSS JOIN LATERAL pg_catalog.unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = pg_catalog.to_regclass($1) AND i.indisprimary
        ORDER BY k.ord
        """;

    private const string DeferrableKeySql = """
        SELECT c.conname::text
        FROM pg_catalog.pg_constraint AS c
        WHERE c.conrelid = pg_catalog.to_regclass($1) AND c.contype = 'p' AND c.condeferrable
        """;

    // What kind of relation it is and whether inheritance or partitioning makes rows live elsewhere.
    private const string RelationSql = """
        SELECT c.relkind::text, c.relispartition,
               EXISTS (SELECT 1 FROM pg_catalog.pg_inherits AS i WHERE i.inhparent = c.oid),
               EXISTS (SELECT 1 FROM pg_catalog.pg_inherits AS i WHERE i.inhrelid = c.oid),
               pg_catalog.pg_get_userbyid(c.relowner)::text,
               pg_catalog.pg_has_role(c.relowner, CURRENT_USER, 'USAGE') OR pg_catalog.pg_has_role(CURRENT_USER, c.relowner, 'MEMBER'), CURRENT_USER::text,
               pg_catalog.row_security_active(c.oid)
        FROM pg_catalog.pg_class AS c
        WHERE c.oid = pg_catalog.to_regclass($1)
        """;

    /// <summary>Whether the table exists.</summary>
    public static async Task<bool> ExistsAsync(NpgsqlConnection connection, string schema, string table, CancellationToken ct)
    {
        var command = new NpgsqlCommand("SELECT pg_catalog.to_regclass($1) IS NOT NULL", connection)
        {
            Parameters = { new() { Value = PgSql.QualifiedName(schema, table) } },
        };
        await using var commandScope = command.ConfigureAwait(false);
        return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Throws <see cref="PgSyncInstallException"/> naming table, column, expected and found when the shapes differ.</summary>
    /// <param name="connection">An open connection to the database holding the table.</param>
    /// <param name="model">The replicated table.</param>
    /// <param name="schema">The table's schema in this database.</param>
    /// <param name="table">The table's name in this database.</param>
    /// <param name="where">Where the table is, for messages: "local database x" or "destination server dst".</param>
    /// <param name="isTarget">Targets must also accept rows that carry only the model's columns.</param>
    /// <param name="ct">Cancels the checks.</param>
    public static async Task ValidateAsync(
        NpgsqlConnection connection, ReplicatedTable model, string schema, string table, string where, bool isTarget, CancellationToken ct)
    {
        var report = await InspectAsync(connection, model, schema, table, where, isTarget, ct).ConfigureAwait(false);
        if (report.Problems.Count > 0)
        {
            throw new PgSyncInstallException(report.Problems[0]);
        }
    }

    /// <summary>
    /// Every difference between the table and the model that breaks replication (<see cref="ShapeReport.Problems"/>),
    /// and, for a source, its columns the model does not replicate (<see cref="ShapeReport.Unreplicated"/>).
    /// The same rules as <see cref="ValidateAsync"/>; used by the verifier to report schema drift.
    /// </summary>
    public static async Task<ShapeReport> InspectAsync(
        NpgsqlConnection connection, ReplicatedTable model, string schema, string table, string where, bool isTarget, CancellationToken ct)
    {
        var name = $"{schema}.{table}";
        var qualified = PgSql.QualifiedName(schema, table);
        var problems = new List<string>();
        var unreplicated = new List<string>();
        var actual = new Dictionary<string, (string Type, long TypeOid, bool NotNull, bool HasDefault, string Identity, string Generated)>(StringComparer.Ordinal);
        await ReadAsync(
            connection,
            ColumnsSql,
            qualified,
            r => actual[r.GetString(0)] = (r.GetString(1), r.GetInt64(2), r.GetBoolean(3), r.GetBoolean(4), r.GetString(5), r.GetString(6)),
            ct).ConfigureAwait(false);

        if (actual.Count == 0)
        {
            problems.Add($"Table {name} does not exist in the {where}. Create it, or set PgSyncOptions.CreateMissingTables to create it from {model.EntityType.Name}.");
            return new ShapeReport(problems, unreplicated);
        }

        await ReadAsync(
            connection,
            RelationSql,
            qualified,
            r =>
            {
                problems.AddRange(RelationProblems(name, where, r.GetString(0), r.GetBoolean(1), r.GetBoolean(2), r.GetBoolean(3)));
                if (isTarget && !r.GetBoolean(5))
                {
                    // The apply writes the target as this role, and the target's triggers run as the
                    // writer: an owner without this role's rights would get them through a trigger (the
                    // other targets, the ledger the source dequeues by, on a multi-master node the
                    // installing role's). (A role this one is a member of may own it: a multi-master
                    // node's installing role, whose rights its replication login has.) Refused here at
                    // install and by the verifier, and by every apply (destination/045_target_owner.sql,
                    // the same rule).
                    problems.Add(
                        $"Table {name} in the {where} is owned by role \"{r.GetString(4)}\", which does not have the rights of the replication role \"{r.GetString(6)}\" " +
                        $"that writes it, nor is one that role is a member of: the owner's triggers would run with those rights in every apply. Make \"{r.GetString(6)}\" the owner " +
                        $"(ALTER TABLE {qualified} OWNER TO {PgSql.QuoteIdentifier(r.GetString(6))}), or make the owner a member of it.");
                }

                if (isTarget && r.GetBoolean(7))
                {
                    // A policy filters what a statement sees without an error: a DELETE of a row it hides
                    // deletes nothing and the change would count as applied. The apply runs with
                    // row_security off (remote_begin), so it would fail on every entry; refused here first.
                    problems.Add(
                        $"Table {name} in the {where} has row-level security that applies to the replication role \"{r.GetString(6)}\": its policies could hide rows from the apply, " +
                        $"which would then lose changes without an error. Give the role BYPASSRLS (ALTER ROLE {PgSql.QuoteIdentifier(r.GetString(6))} BYPASSRLS), " +
                        $"or, when it owns the table, ALTER TABLE {qualified} NO FORCE ROW LEVEL SECURITY.");
                }
            },
            ct).ConfigureAwait(false);

        foreach (var column in model.Columns)
        {
            if (!actual.TryGetValue(column.Name, out var found))
            {
                problems.Add($"Table {name} in the {where} has no column \"{column.Name}\" (expected {column.PgType}, from {model.EntityType.Name}.{column.MemberName}).");
            }
            else if (await SameTypeAsync(connection, column.PgType, found.Type, found.TypeOid, ct).ConfigureAwait(false) is not true and var same)
            {
                problems.Add(same is null
                    ? $"Column \"{column.Name}\" of table {name} in the {where}: its type {column.PgType} (from {model.EntityType.Name}.{column.MemberName}) is not found in pg_catalog, " +
                      $"the only schema the installer looks names up in (so that no operator of another schema runs as its role). Name the type's schema in Column(TypeName): the column has type {found.Type}."
                    : $"Column \"{column.Name}\" of table {name} in the {where} has type {found.Type}; expected {column.PgType} (from {model.EntityType.Name}.{column.MemberName}).");
            }
            else if (isTarget && found.NotNull && column.IsNullable)
            {
                problems.Add($"Column \"{column.Name}\" of table {name} in the {where} is NOT NULL but the source column may be NULL; such rows could never be applied.");
            }
            else if (isTarget && found.Generated.Length > 0)
            {
                problems.Add(
                    $"Column \"{column.Name}\" of table {name} in the {where} is a generated column (GENERATED ALWAYS AS ...), but replication writes it " +
                    $"(from {model.EntityType.Name}.{column.MemberName}); the destination would refuse every row. Make it a plain column on the target, " +
                    "or mark the member [NotMapped] (replicating generated columns is not supported yet).");
            }
            else if (isTarget && found.Identity == "a")
            {
                problems.Add(
                    $"Column \"{column.Name}\" of table {name} in the {where} is GENERATED ALWAYS AS IDENTITY, but replication writes the source's values " +
                    $"(from {model.EntityType.Name}.{column.MemberName}); the destination would refuse every row. " +
                    $"Run on the destination: ALTER TABLE {qualified} ALTER COLUMN {PgSql.QuoteIdentifier(column.Name)} SET GENERATED BY DEFAULT.");
            }
        }

        var modelColumns = new HashSet<string>(model.Columns.Select(c => c.Name), StringComparer.Ordinal);
        foreach (var extra in actual.Where(c => !modelColumns.Contains(c.Key)))
        {
            if (isTarget && extra.Value.NotNull && !extra.Value.HasDefault)
            {
                problems.Add($"Table {name} in the {where} has a NOT NULL column \"{extra.Key}\" without a default that the source does not send; rows could never be inserted.");
            }
            else if (!isTarget)
            {
                unreplicated.Add($"Column \"{extra.Key}\" of table {name} in the {where} is not in the model {model.EntityType.Name}: its values are not replicated.");
            }
        }

        var primaryKey = new List<string>();
        await ReadAsync(connection, PrimaryKeySql, qualified, r => primaryKey.Add(r.GetString(0)), ct).ConfigureAwait(false);

        if (!primaryKey.SequenceEqual(model.KeyColumns, StringComparer.Ordinal))
        {
            var foundKey = primaryKey.Count == 0 ? "no primary key" : "primary key (" + string.Join(", ", primaryKey) + ")";
            problems.Add($"Table {name} in the {where} has {foundKey}; expected primary key ({string.Join(", ", model.KeyColumns)}) in that order, from {model.EntityType.Name}.");
        }

        // A deferrable key lets a transaction hold two rows of one key between statements (a swap of two
        // keys in two UPDATEs): each statement's capture then sends a delete and an upsert by a key another
        // row still has, and the destination ends with rows missing, without an error. And a target's
        // upserts use its key as their ON CONFLICT arbiter, which PostgreSQL refuses for a deferrable one.
        await ReadAsync(
            connection,
            DeferrableKeySql,
            qualified,
            r => problems.Add(
                $"Table {name} in the {where} has a deferrable primary key (constraint \"{r.GetString(0)}\"), which replication cannot follow: " +
                (isTarget
                    ? "the apply's upserts name the key in ON CONFLICT, which PostgreSQL refuses for a deferrable constraint. "
                    : "within a transaction two rows may hold one key between statements, and the changes captured per statement would then delete the wrong row on the destination. ") +
                $"Make it immediate (PostgreSQL alters only foreign keys in place): ALTER TABLE {qualified} DROP CONSTRAINT {PgSql.QuoteIdentifier(r.GetString(0))}, " +
                $"ADD CONSTRAINT {PgSql.QuoteIdentifier(r.GetString(0))} PRIMARY KEY ({string.Join(", ", model.KeyColumns.Select(PgSql.QuoteIdentifier))})."),
            ct).ConfigureAwait(false);

        return new ShapeReport(problems, unreplicated);
    }

    /// <summary>Only a plain table without inheritance holds exactly the rows its triggers see (support for the rest comes later).</summary>
    private static IEnumerable<string> RelationProblems(string name, string where, string kind, bool isPartition, bool hasChildren, bool isChild)
    {
        if (kind == "p")
        {
            yield return $"Table {name} in the {where} is partitioned: writes into its partitions would not be captured or applied as one table, and rows would be lost. Replicating partitioned tables is not supported yet.";
        }
        else if (kind != "r")
        {
            yield return $"{name} in the {where} is not a plain table (relkind '{kind}': a view, foreign or materialized table); replication needs a table.";
        }

        if (isPartition)
        {
            yield return $"Table {name} in the {where} is a partition of another table: writes made through the partitioned parent would not be captured here, and rows would be lost. Replicating partitions is not supported yet.";
        }

        if (hasChildren)
        {
            yield return $"Table {name} in the {where} has inheritance children: statements on it also change their rows, which replication would not see. Replicating inheritance hierarchies is not supported yet.";
        }

        if (isChild)
        {
            yield return $"Table {name} in the {where} inherits from another table: statements on the parent change its rows without its triggers, and rows would be lost. Replicating inheritance children is not supported yet.";
        }
    }

    private static async Task ReadAsync(NpgsqlConnection connection, string sql, string qualifiedName, Action<NpgsqlDataReader> row, CancellationToken ct)
    {
        var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = qualifiedName } } };
        await using var commandScope = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            row(reader);
        }
    }

    /// <summary>
    /// Same base type (by OID, so <c>int4</c> and <c>integer</c> agree) and, where the model gives a
    /// modifier such as <c>(0)</c> or <c>(12,2)</c>, the same modifier.
    /// </summary>
    /// <returns><c>null</c> when the model's type name is not found (on this session's search path).</returns>
    private static async Task<bool?> SameTypeAsync(NpgsqlConnection connection, string modelType, string foundType, long foundOid, CancellationToken ct)
    {
        var command = new NpgsqlCommand("SELECT pg_catalog.to_regtype($1)::oid::bigint", connection)
        {
            Parameters = { new() { Value = modelType } },
        };
        await using var commandScope = command.ConfigureAwait(false);
        var expectedOid = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        if (expectedOid is not long oid)
        {
            return null;
        }

        if (oid != foundOid)
        {
            return false;
        }

        var modifier = Modifier(modelType);
        return modifier.Length == 0 || modifier == Modifier(foundType);
    }

    private static string Modifier(string type)
    {
        var open = type.IndexOf('(', StringComparison.Ordinal);
        var close = type.IndexOf(')', StringComparison.Ordinal);
        return open >= 0 && close > open ? type[open..(close + 1)].Replace(" ", string.Empty, StringComparison.Ordinal) : string.Empty;
    }
}

/// <summary>What <see cref="TableShape.InspectAsync"/> found: differences that break replication, and source columns left out.</summary>
internal sealed record ShapeReport(IReadOnlyList<string> Problems, IReadOnlyList<string> Unreplicated);
