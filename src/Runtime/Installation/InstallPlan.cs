using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Installation;

/// <summary>
/// What an install does on this node. Which tables: those whose every destination server is
/// registered (a table that names only unregistered servers is skipped: another node installs it,
/// which is how one assembly serves multi-master; one that names some registered and some not is a
/// configuration error). And how: <see cref="Steps"/>, the one ordered list of steps that the
/// installer executes and <c>pgsync script</c> prints.
/// </summary>
internal sealed class InstallPlan
{
    private InstallPlan(IReadOnlyList<ReplicatedTable> tables, IReadOnlyList<ReplicatedTable> skipped, IReadOnlyList<PgSyncServer> servers)
    {
        Tables = tables;
        Skipped = skipped;
        Servers = servers;
    }

    public IReadOnlyList<ReplicatedTable> Tables { get; }

    public IReadOnlyList<ReplicatedTable> Skipped { get; }

    /// <summary>The registered servers the installed tables use, in registration order.</summary>
    public IReadOnlyList<PgSyncServer> Servers { get; }

    public static InstallPlan Create(PgSyncOptions options, IReadOnlyList<ReplicatedTable> tables)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tables);
        var install = new List<ReplicatedTable>();
        var skipped = new List<ReplicatedTable>();
        foreach (var table in tables)
        {
            var missing = table.Targets.Select(t => t.Server).Distinct(StringComparer.Ordinal).Where(s => options.FindServer(s) is null).ToList();
            if (missing.Count == table.Targets.Select(t => t.Server).Distinct(StringComparer.Ordinal).Count())
            {
                skipped.Add(table);
            }
            else if (missing.Count > 0)
            {
                throw new PgSyncInstallException(
                    $"Table {table} replicates to server(s) {string.Join(", ", missing.Select(m => "'" + m + "'"))}, which are not registered, " +
                    $"while its other destinations are. Register every server of {table.EntityType.Name} with PgSyncOptions.AddServer, or none on this node.");
            }
            else if (table.Targets.FirstOrDefault(t => !Enforced(t)) is { } resolving)
            {
                // Refused rather than installed and then applied as ApplyRemote: that would lose the very
                // writes the policy is declared to keep.
                throw new PgSyncInstallException(Enum.IsDefined(resolving.Conflicts)
                    ? $"Table {table} declares Conflicts = {resolving.Conflicts} for server '{resolving.Server}' ({resolving.Schema}.{resolving.Table}, {resolving.Mode}" +
                      $"{(resolving.Where is null ? string.Empty : ", where " + resolving.Where)}), but its model carries no row versions to detect conflicts with, " +
                      "so every change would be applied as with ApplyRemote. The generator stamps Async targets without a Where filter only (PGSYNC020); " +
                      "rebuild the application with this version of RoslynPgSync."
                    : $"Table {table} declares Conflicts = {(int)resolving.Conflicts} for server '{resolving.Server}' ({resolving.Schema}.{resolving.Table}), " +
                      "which is no ConflictPolicy this version of RoslynPgSync knows.");
            }
            else if (options.InitialCopy == InitialCopyMode.Replace && Copy.PgSyncCopier.ReplaceRefusal(table, table.Targets) is { } refusal)
            {
                throw new PgSyncInstallException(refusal + " Install with InitialCopy = WhenTargetEmpty (or Never) instead.");
            }
            else
            {
                install.Add(table);
            }
        }

        if (install.Count == 0)
        {
            var named = tables.SelectMany(t => t.Targets).Select(t => t.Server).Distinct(StringComparer.Ordinal).ToList();
            throw new PgSyncInstallException(tables.Count == 0
                ? "There is nothing to install: this assembly has no [Replicate] table."
                : $"No table can be installed: none of the servers the [Replicate] attributes name ({string.Join(", ", named.Select(n => "'" + n + "'"))}) " +
                  $"is registered with PgSyncOptions.AddServer (registered: {(options.Servers.Count == 0 ? "none" : string.Join(", ", options.Servers.Select(s => "'" + s.Name + "'")))}).");
        }

        // One capture function (and one restore function) per source table, named by the table: two models
        // of one table installed together would each replace the other's, and the destinations of the first
        // would receive nothing, silently.
        if (install.GroupBy(t => (t.SourceSchema, t.SourceTable)).FirstOrDefault(g => g.Count() > 1) is { } shared)
        {
            throw new PgSyncInstallException(
                $"Table {shared.First()} is replicated by {string.Join(" and ", shared.Select(t => t.EntityType.Name))} on this node, whose servers are all registered here; " +
                "one table installs one capture, so the second would replace the first and its destinations would receive nothing. " +
                $"Declare every destination of {shared.First()} on one class (one [Replicate] per server), or register only one of the classes' servers on a node.");
        }

        var used = new HashSet<string>(install.SelectMany(t => t.Targets).Select(t => t.Server), StringComparer.Ordinal);
        return new InstallPlan(install, skipped, options.Servers.Where(s => used.Contains(s.Name)).ToList());
    }

    /// <summary>
    /// Whether the apply enforces the target's policy: ApplyRemote always; the others with the row
    /// versions the generator builds for them (Async, no filter: PGSYNC020).
    /// </summary>
    private static bool Enforced(ReplicationTarget target) =>
        target.Conflicts == ConflictPolicy.ApplyRemote ||
        (Enum.IsDefined(target.Conflicts) && target.RowVersionsSql is not null && target.Mode == ReplicationMode.Async && target.Where is null);

    /// <summary>
    /// The steps, in order, from the schema on (the installer's checks of table shapes, dblink and the
    /// destinations come before): the schema-version record and the refusal of a newer one, every function (replaced at every
    /// install), the schema versions not yet recorded (version 1: the tables; then each upgrade
    /// script), the status view, this node's row, each destination's foreign server and user mapping
    /// (with a probe through dblink), and each table's capture.
    /// </summary>
    /// <param name="options">Schema, node name, commit timeout.</param>
    /// <param name="dblinkSchema">The dblink extension's schema (unquoted).</param>
    public IReadOnlyList<InstallStep> Steps(PgSyncOptions options, string dblinkSchema)
    {
        var schema = options.Schema;
        var quoted = PgSql.QuoteIdentifier(schema);
        var nodeName = options.NodeName ?? "pgsync";
        var steps = new List<InstallStep> { SqlStep.File("core/000_schema_version.sql", schema, dblinkSchema), new NewerSchemaRefusal(SchemaVersion, schema) };
        steps.AddRange(SqlResources.Files("core/functions").Select(f => SqlStep.File(f, schema, dblinkSchema)));
        steps.AddRange(SchemaVersions(schema, dblinkSchema));
        steps.AddRange(SqlResources.Files("core/views").Select(f => SqlStep.File(f, schema, dblinkSchema)));
        steps.Add(new SqlStep("this node's incarnation (made again after a crash)", $"SELECT {quoted}.current_incarnation(true)"));
        steps.Add(new SqlStep("this node: origin and commit timeout", $"SELECT {quoted}.set_node($1, $2)", StepValue.Text(nodeName), StepValue.Interval(options.CommitTimeout)));
        // The identity forwarding nodes know this database by (the same file a destination runs).
        steps.Add(SqlStep.File(NodeIdentityFile, schema, dblinkSchema));
        foreach (var server in Servers)
        {
            steps.AddRange(ForeignServerSql.Steps(server, nodeName, quoted, PgSql.QuoteIdentifier(dblinkSchema)));
        }

        steps.AddRange(InitialCopySteps(options, quoted));
        // Before the tables' captures create their missing triggers: a replicated table whose capture is off
        // (a trigger dropped, disabled or replica-only) is recorded, so that the gap stays shown until a
        // verification closes it; the installer turns disabled ones back on once this has committed.
        steps.Add(new SqlStep(
            "replicated tables whose capture is off: recorded (capture_gap)",
            $"SELECT pg_catalog.count(*) FROM {quoted}.capture_check($1, false)",
            StepValue.TextArray(SqlNames.CaptureTriggers)));
        steps.AddRange(Tables.Select(t => new SqlStep($"{t} ({t.EntityType.FullName})", t.GetInstallSql(schema))));
        return steps;
    }

    /// <summary>
    /// Per table and destination never copied before: the initial copy is recorded (pending, or skipped
    /// when <see cref="InitialCopyMode.WhenTargetEmpty"/> finds rows in a target), to be run once the
    /// install has committed (<see cref="Copy.PgSyncCopier"/>). Nothing with <see cref="InitialCopyMode.Never"/>.
    /// </summary>
    private IEnumerable<SqlStep> InitialCopySteps(PgSyncOptions options, string quotedSchema)
    {
        if (options.InitialCopy == InitialCopyMode.Never)
        {
            yield break;
        }

        var mode = options.InitialCopy == InitialCopyMode.Replace ? "replace" : "upsert";
        foreach (var table in Tables)
        {
            foreach (var group in table.Targets.GroupBy(t => t.Server, StringComparer.Ordinal))
            {
                yield return new SqlStep(
                    $"initial copy of {table} to {group.Key} ({options.InitialCopy}): recorded unless copied before",
                    $"SELECT {quotedSchema}.copy_register($1, $2, $3, $4, $5, $6, $7)",
                    StepValue.Text(table.SourceSchema),
                    StepValue.Text(table.SourceTable),
                    StepValue.Text(group.Key),
                    StepValue.Text(mode),
                    StepValue.TextArray(group.Select(t => t.Schema)),
                    StepValue.TextArray(group.Select(t => t.Table)),
                    StepValue.Boolean(options.InitialCopy == InitialCopyMode.WhenTargetEmpty));
            }
        }
    }

    /// <summary>The latest schema version this runtime installs.</summary>
    public static int SchemaVersion => SchemaVersions(PgSyncOptions.DefaultSchema, PgSyncOptions.DefaultSchema).Max(v => v.Version);

    /// <summary>
    /// Version 1: the tables (<c>core/schema</c>, created where missing) and <c>upgrades/0001</c>, which
    /// brings installs of releases that recorded no version to version 1. Then one version per
    /// <c>core/upgrades/NNNN_*.sql</c> from 2 on: a change to the tables is a new upgrade file, never an
    /// edit of <c>core/schema</c>, so that every database goes through the same versions.
    /// </summary>
    private static IEnumerable<SchemaVersionStep> SchemaVersions(string schema, string dblinkSchema)
    {
        var upgrades = SqlResources.Files("core/upgrades")
            .Select(f => (Path: f, Version: int.Parse(f["core/upgrades/".Length..].Split('_')[0], CultureInfo.InvariantCulture)))
            .ToList();
        var first = upgrades.Where(u => u.Version == 1).Select(u => SqlStep.File(u.Path, schema, dblinkSchema));
        yield return new SchemaVersionStep(
            1, "the queue and its tables", schema, SqlResources.Files("core/schema").Select(f => SqlStep.File(f, schema, dblinkSchema)).Concat(first).ToList());
        foreach (var upgrade in upgrades.Where(u => u.Version > 1))
        {
            var name = System.IO.Path.GetFileNameWithoutExtension(upgrade.Path);
            yield return new SchemaVersionStep(upgrade.Version, name[(name.IndexOf('_', StringComparison.Ordinal) + 1)..].Replace('_', ' '), schema, [SqlStep.File(upgrade.Path, schema, dblinkSchema)]);
        }
    }

    /// <summary>The identity of a database that forwarding nodes know it by: on every destination, and on every source.</summary>
    public const string NodeIdentityFile = "destination/015_node_identity.sql";

    /// <summary>What each destination database needs, run over its own connection (<c>sql/destination</c>).</summary>
    public static IReadOnlyList<SqlStep> DestinationSteps(string schema) =>
        SqlResources.Files("destination").Select(f => SqlStep.File(f, schema, schema)).ToList();
}
