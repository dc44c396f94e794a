using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace RoslynPgSync;

/// <summary>
/// A replicated table as the generator built it from a <c>[Replicate]</c> type: source and target names,
/// columns, the primary key and its PK vector, and the destinations.
/// </summary>
public sealed class ReplicatedTable
{
    private readonly Func<string, string> _installSql;
    private readonly Func<string, string> _uninstallSql;

    /// <summary>Creates a table description; called by generated code.</summary>
    /// <param name="entityType">The marked C# type.</param>
    /// <param name="sourceSchema">The local table's schema.</param>
    /// <param name="sourceTable">The local table's name.</param>
    /// <param name="columns">Mapped columns, in table order.</param>
    /// <param name="keyColumns">Primary key column names, in key order.</param>
    /// <param name="pkVector">1-based positions of the key columns among <paramref name="columns"/>, in key order.</param>
    /// <param name="createTableSql">DDL that creates the source table from the model, if absent.</param>
    /// <param name="installSql">Capture function and triggers, given the quoted RoslynPgSync schema.</param>
    /// <param name="uninstallSql">Drops what <paramref name="installSql"/> creates, given the quoted schema.</param>
    /// <param name="targets">The destinations, one per <c>[Replicate]</c> attribute.</param>
    public ReplicatedTable(
        Type entityType,
        string sourceSchema,
        string sourceTable,
        ReplicatedColumn[] columns,
        string[] keyColumns,
        int[] pkVector,
        string createTableSql,
        Func<string, string> installSql,
        Func<string, string> uninstallSql,
        ReplicationTarget[] targets)
    {
        EntityType = entityType ?? throw new ArgumentNullException(nameof(entityType));
        SourceSchema = sourceSchema ?? throw new ArgumentNullException(nameof(sourceSchema));
        SourceTable = sourceTable ?? throw new ArgumentNullException(nameof(sourceTable));
        Columns = Copy(columns, nameof(columns));
        KeyColumns = Copy(keyColumns, nameof(keyColumns));
        PkVector = Copy(pkVector, nameof(pkVector));
        CreateTableSql = createTableSql ?? throw new ArgumentNullException(nameof(createTableSql));
        Targets = Copy(targets, nameof(targets));
        _installSql = installSql ?? throw new ArgumentNullException(nameof(installSql));
        _uninstallSql = uninstallSql ?? throw new ArgumentNullException(nameof(uninstallSql));
        if (KeyColumns.Count == 0 || KeyColumns.Count != PkVector.Count)
        {
            throw new ArgumentException(
                $"Table {sourceSchema}.{sourceTable} needs a primary key, and one PK vector position per key column.",
                nameof(keyColumns));
        }
    }

    /// <summary>The marked C# type.</summary>
    public Type EntityType { get; }

    /// <summary>The local table's schema.</summary>
    public string SourceSchema { get; }

    /// <summary>The local table's name.</summary>
    public string SourceTable { get; }

    /// <summary>Mapped columns, in table order.</summary>
    public IReadOnlyList<ReplicatedColumn> Columns { get; }

    /// <summary>Primary key column names, in key order.</summary>
    public IReadOnlyList<string> KeyColumns { get; }

    /// <summary>
    /// The PK vector: 1-based positions (attnums of a table created from the model) of the key columns, in
    /// key order, as <c>dblink_build_sql_*</c> and the seed's <c>int2vector</c> use them.
    /// </summary>
    public IReadOnlyList<int> PkVector { get; }

    /// <summary><c>CREATE SCHEMA/TABLE IF NOT EXISTS</c> for the source table, quoted, computed at build time.</summary>
    public string CreateTableSql { get; }

    /// <summary>The destinations, in declaration order.</summary>
    public IReadOnlyList<ReplicationTarget> Targets { get; }

    /// <summary>
    /// The column of the model's version member (<c>[ConcurrencyCheck]</c> or <c>[Timestamp]</c>): under
    /// <see cref="ConflictPolicy.LastWriterWins"/> the higher version wins. <c>null</c> when the model has none.
    /// </summary>
    public string? VersionColumn { get; init; }

    /// <summary>
    /// Whether a target declares a conflict policy other than <see cref="ConflictPolicy.ApplyRemote"/>: then the
    /// capture stamps every write in the table's row versions, <see cref="RowVersions"/>.
    /// </summary>
    internal bool DetectsConflicts => Targets.Any(t => t.Conflicts != ConflictPolicy.ApplyRemote);

    /// <summary>The name (in the RoslynPgSync schema) of this table's row versions on its node (<see cref="DetectsConflicts"/>).</summary>
    internal string RowVersions => Sql.SqlNames.RowVersions(SourceSchema, SourceTable);

    /// <summary>
    /// The capture function and its four statement-level triggers, with the RoslynPgSync objects in
    /// <paramref name="schema"/>; computed at build time apart from the schema name.
    /// </summary>
    /// <param name="schema">The RoslynPgSync schema, unquoted (<see cref="PgSyncOptions.Schema"/>).</param>
    public string GetInstallSql(string schema) => _installSql(Sql.PgSql.QuoteIdentifier(schema));

    /// <summary>Drops the triggers and the capture function; the table and its rows stay.</summary>
    /// <param name="schema">The RoslynPgSync schema, unquoted.</param>
    public string GetUninstallSql(string schema) => _uninstallSql(Sql.PgSql.QuoteIdentifier(schema));

    /// <inheritdoc />
    public override string ToString() => $"{SourceSchema}.{SourceTable}";

    private static ReadOnlyCollection<T> Copy<T>(T[] items, string name) =>
        new((T[])(items ?? throw new ArgumentNullException(name)).Clone());
}
