using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RoslynPgSync.Sql;
using static RoslynPgSync.Sql.Commands;

namespace RoslynPgSync.Installation;

/// <summary>
/// The installer behind the generated <c>PgSyncInstaller</c>: validates, then installs or removes
/// everything in one local transaction, serialised by an advisory lock, so that running it twice or
/// from several processes at once gives the same result and a failure changes nothing.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PgSyncInstallation
{
    /// <summary>The advisory lock that serialises installers (and uninstallers) of one database.</summary>
    internal const long InstallLockKey = Queue.PgSyncQueue.InstallLockKey;

    private const string DblinkSchemaSql = """
        SELECT n.nspname FROM pg_catalog.pg_extension AS e
        JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
        WHERE e.extname = 'dblink'
        """;

    /// <summary>
    /// The one-time set-up a DBA runs (with psql, as a superuser) so that a non-superuser application
    /// role can do everything else: in the source database (<paramref name="destination"/> false:
    /// dblink, foreign-server rights, CREATE for the pgsync schema) or in a destination database
    /// (CONNECT and CREATE). Both take the role as <c>-v app_role=...</c>. Also shipped in the package
    /// under <c>sql/</c> and printed by <c>pgsync dba-script</c>.
    /// </summary>
    /// <param name="destination">True for the destination database's script.</param>
    public static string GetDbaSetupScript(bool destination = false)
    {
        var name = "RoslynPgSync.sql." + (destination ? "dba-setup-destination.sql" : "dba-setup-source.sql");
        using var stream = typeof(PgSyncInstallation).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource {name} is missing from the RoslynPgSync assembly.");
        using var reader = new System.IO.StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Installs replication for the tables whose servers are registered, logging nothing; see the generated <c>InstallAsync</c>.</summary>
    /// <param name="local">The local database.</param>
    /// <param name="options">Schema, node name and destination servers.</param>
    /// <param name="tables">The generated tables.</param>
    /// <param name="ct">Cancels the installation (nothing is changed then).</param>
    public static Task InstallAsync(NpgsqlDataSource local, PgSyncOptions options, IReadOnlyList<ReplicatedTable> tables, CancellationToken ct = default) =>
        InstallAsync(local, options, tables, logger: null, ct);

    /// <summary>Installs replication for the tables whose servers are registered; see the generated <c>InstallAsync</c>.</summary>
    /// <param name="local">The local database.</param>
    /// <param name="options">Schema, node name and destination servers.</param>
    /// <param name="tables">The generated tables.</param>
    /// <param name="logger">
    /// Where to log the install (events 1000-1003 of <see cref="PgSyncEventIds"/>): that it starts, each step of
    /// the install plan as it runs, that it committed, or why it refused; <see langword="null"/> logs nothing.
    /// Messages name tables and servers, never a connection string or password.
    /// </param>
    /// <param name="ct">Cancels the installation (nothing is changed then).</param>
    /// <exception cref="PgSyncInstallException">The install refused and changed nothing; logged as <see cref="PgSyncEventIds.InstallRefused"/> first.</exception>
    public static Task InstallAsync(NpgsqlDataSource local, PgSyncOptions options, IReadOnlyList<ReplicatedTable> tables, ILogger? logger, CancellationToken ct = default) =>
        InstallAsync(local, options, tables, logger, copy: true, ct);

    /// <summary>
    /// The install, then (with <paramref name="copy"/>) the initial copies it recorded and any left
    /// unfinished before, to the end (<see cref="Copy.PgSyncCopier"/>); the hosted worker copies in the
    /// background instead.
    /// </summary>
    /// <exception cref="PgSyncInstallException">The install refused (nothing changed), or it committed and a copy then stopped (it resumes later).</exception>
    internal static async Task InstallAsync(NpgsqlDataSource local, PgSyncOptions options, IReadOnlyList<ReplicatedTable> tables, ILogger? logger, bool copy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(local);
        var log = logger ?? NullLogger.Instance;
        var started = Stopwatch.GetTimestamp();
        InstallPlan plan;
        List<string> installed;
        List<string> servers;
        try
        {
            plan = InstallPlan.Create(options, tables);
            installed = plan.Tables.Select(t => t.ToString()).ToList();
            servers = plan.Servers.Select(s => s.Name).ToList();
            InstallerLog.Started(log, options.Schema, installed.Count, installed, servers, plan.Skipped.Count);
            await InstallAsync(local, options, plan, log, ct).ConfigureAwait(false);
        }
        catch (PgSyncInstallException ex)
        {
            InstallerLog.Refused(log, ex.Message);
            throw;
        }

        var milliseconds = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        InstallerLog.Installed(log, installed.Count, installed, servers, milliseconds);

        // A capture trigger that exists is left alone by the install script (no lock on a busy table);
        // one its owner disabled lets changes through uncaptured: turned back on here where this role
        // may, and recorded, so that the health check shows the gap until a verification closes it.
        var connection = await local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await PinSearchPathAsync(connection, ct).ConfigureAwait(false);
            foreach (var gap in await Hosting.CaptureGap.CheckAsync(connection, options.Schema, enable: true, ct).ConfigureAwait(false))
            {
                InstallerLog.CaptureWasOff(log, gap.ToString());
            }
        }
        if (copy)
        {
            try
            {
                await new Copy.PgSyncCopier(local, options, log).RunAsync(plan.Tables, ct: ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
            {
                throw new PgSyncInstallException(
                    $"Replication is installed, but the initial copy stopped: {ex.Message}. It resumes after its last chunk at the next install, " +
                    "when the hosted worker starts, or with pgsync copy (progress in pgsync.copy_status).",
                    ex);
            }
        }
    }

    private static async Task InstallAsync(NpgsqlDataSource local, PgSyncOptions options, InstallPlan plan, ILogger log, CancellationToken ct)
    {
        var connection = await local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await PinSearchPathAsync(connection, ct).ConfigureAwait(false);
        var localIdentity = await DatabaseIdentityAsync(connection, ct).ConfigureAwait(false);

        // Destinations first: reachable with their own connection string, target tables shaped alike,
        // and never the source table itself.
        var peers = new List<(string Server, string Identity)>();
        var nodes = new List<(string Name, string Identity, string Database, string? Origin)>();
        foreach (var server in plan.Servers)
        {
            var (identity, which, origin) = await PrepareDestinationAsync(server, plan.Tables, options, localIdentity, ct).ConfigureAwait(false);
            peers.Add((server.Name, identity));
            nodes.Add(($"destination server '{server.Name}'", identity, which, origin));
        }

        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_catalog.pg_advisory_xact_lock({InstallLockKey})", ct).ConfigureAwait(false);

        var database = connection.Database;
        foreach (var table in plan.Tables)
        {
            if (!await TableShape.ExistsAsync(connection, table.SourceSchema, table.SourceTable, ct).ConfigureAwait(false) && options.CreateMissingTables)
            {
                await ExecuteAsync(connection, table.CreateTableSql, ct).ConfigureAwait(false);
            }

            await TableShape.ValidateAsync(connection, table, table.SourceSchema, table.SourceTable, $"local database {database}", isTarget: false, ct).ConfigureAwait(false);
            if (table.DetectsConflicts &&
                await OtherSchemaAsync(connection, options.Schema, table.SourceSchema, table.SourceTable, ct).ConfigureAwait(false) is { } other)
            {
                throw new PgSyncInstallException(
                    $"{table} in the local database {database} is replicated by the RoslynPgSync schema \"{other}\" there too (a peer's install or another one here), " +
                    $"and this node's is \"{options.Schema}\". {OneSchemaReason}");
            }
        }

        await ExecuteAsync(connection, "CREATE SCHEMA IF NOT EXISTS " + PgSql.QuoteIdentifier(options.Schema), ct).ConfigureAwait(false);
        var dblink = await FindOrCreateDblinkAsync(connection, options.Schema, ct).ConfigureAwait(false);
        var steps = plan.Steps(options, dblink);
        for (var i = 0; i < steps.Count; i++)
        {
            var stepStarted = Stopwatch.GetTimestamp();
            await steps[i].ExecuteAsync(connection, ct).ConfigureAwait(false);
            var milliseconds = (long)Stopwatch.GetElapsedTime(stepStarted).TotalMilliseconds;

            // The description only: a step's SQL and values (a password among them) are never logged.
            InstallerLog.Step(log, i + 1, steps.Count, milliseconds, steps[i].Description);
        }

        // Each destination's identity: a forwarding capture sends a change to none that it has been through.
        nodes.Insert(0, ($"the local database {database}", await ScalarAsync<string>(connection, NodeIdentitySql(options.Schema), ct).ConfigureAwait(false), localIdentity,
            await OriginAsync(connection, options.Schema, ct).ConfigureAwait(false)));
        RefuseSharedIdentities(nodes, options.Schema);
        RefuseSharedOrigins(nodes, options.Schema);
        foreach (var (server, identity) in peers)
        {
            await ExecuteAsync(
                connection,
                $"SELECT {PgSql.QualifiedName(options.Schema, "record_peer")}({PgSql.QuoteLiteral(server)}, {PgSql.QuoteLiteral(identity)})",
                ct).ConfigureAwait(false);
        }

        // A table with a conflict policy: its capture writes the row versions as this role. When a peer's
        // installer made them first (logging in as another role), the capture would fail on every write.
        foreach (var table in plan.Tables.Where(t => t.DetectsConflicts))
        {
            var name = PgSql.QualifiedName(options.Schema, table.RowVersions);
            if (!await MayWriteAsync(connection, name, ct).ConfigureAwait(false))
            {
                var role = await ScalarAsync<object?>(connection, "SELECT current_user::text", ct).ConfigureAwait(false);
                throw new PgSyncInstallException(
                    $"Role {role} may not write {name} in database {database}, the row versions that resolve conflicts on {table}: it exists and belongs to another role. " +
                    "On a multi-master node the role that installs there and the role the other nodes log in to it as must be the same (or members of each other).");
            }
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes the capture triggers and functions of every table, the foreign servers of the registered
    /// destinations and the RoslynPgSync schema (queue included), logging nothing. Tables and their rows stay.
    /// </summary>
    /// <param name="local">The local database.</param>
    /// <param name="options">Schema and destination servers.</param>
    /// <param name="tables">The generated tables.</param>
    /// <param name="ct">Cancels the removal (nothing is changed then).</param>
    public static Task UninstallAsync(NpgsqlDataSource local, PgSyncOptions options, IReadOnlyList<ReplicatedTable> tables, CancellationToken ct = default) =>
        UninstallAsync(local, options, tables, logger: null, ct);

    /// <summary>
    /// Removes the capture triggers and functions of every table, the foreign servers of the registered
    /// destinations and the RoslynPgSync schema (queue included). Tables and their rows stay.
    /// </summary>
    /// <param name="local">The local database.</param>
    /// <param name="options">Schema and destination servers.</param>
    /// <param name="tables">The generated tables.</param>
    /// <param name="logger">
    /// Where to log what was removed (<see cref="PgSyncEventIds.Uninstalled"/>): the schema, the tables and the
    /// foreign servers, by name; <see langword="null"/> logs nothing.
    /// </param>
    /// <param name="ct">Cancels the removal (nothing is changed then).</param>
    public static async Task UninstallAsync(NpgsqlDataSource local, PgSyncOptions options, IReadOnlyList<ReplicatedTable> tables, ILogger? logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tables);
        var connection = await local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        await PinSearchPathAsync(connection, ct).ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_catalog.pg_advisory_xact_lock({InstallLockKey})", ct).ConfigureAwait(false);
        var uncaptured = new List<string>();
        foreach (var table in tables)
        {
            if (await TableShape.ExistsAsync(connection, table.SourceSchema, table.SourceTable, ct).ConfigureAwait(false))
            {
                await ExecuteAsync(connection, table.GetUninstallSql(options.Schema), ct).ConfigureAwait(false);
                uncaptured.Add(table.ToString());
            }
        }

        var dropped = new List<string>();
        foreach (var server in options.Servers)
        {
            if (await ForeignServerSql.FindWrapperAsync(connection, server.Name, ct).ConfigureAwait(false) == "dblink_fdw")
            {
                await ExecuteAsync(connection, "DROP SERVER IF EXISTS " + PgSql.QuoteIdentifier(server.Name) + " CASCADE", ct).ConfigureAwait(false);
                dropped.Add(server.Name);
            }
        }

        await ExecuteAsync(connection, "DROP SCHEMA IF EXISTS " + PgSql.QuoteIdentifier(options.Schema) + " CASCADE", ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        InstallerLog.Uninstalled(logger ?? NullLogger.Instance, options.Schema, uncaptured.Count, uncaptured, dropped);
    }

    /// <summary>
    /// The install SQL for a DBA to read or run with psql: dblink created in the RoslynPgSync schema,
    /// each password a psql variable (<c>-v pgsync_password_dst=...</c>), no validation.
    /// </summary>
    /// <param name="options">Schema, node name and destination servers.</param>
    /// <param name="tables">The generated tables.</param>
    public static string GetInstallScript(PgSyncOptions options, IReadOnlyList<ReplicatedTable> tables)
    {
        var plan = InstallPlan.Create(options, tables);
        var schema = PgSql.QuoteIdentifier(options.Schema);
        var script = new StringBuilder();
        script.Append("-- RoslynPgSync install script: ").Append(plan.Tables.Count).Append(" table(s), node ")
              .Append(options.NodeName ?? "pgsync").Append(".\n");
        script.Append("-- Set each destination password as a psql variable, e.g. psql -v ")
              .Append(string.Join(" -v ", plan.Servers.Select(s => ForeignServerSql.PasswordVariable(s) + "=..."))).Append('\n');
        foreach (var table in plan.Skipped)
        {
            script.Append("-- skipped ").Append(table).Append(": none of its servers is registered on this node\n");
        }

        // (Names in pg_catalog only, as Commands.PinSearchPathAsync says why.)
        script.Append("BEGIN;\nSET LOCAL search_path = pg_catalog, pg_temp;\nSELECT pg_catalog.pg_advisory_xact_lock(").Append(InstallLockKey).Append(");\n");
        // dblink in the RoslynPgSync schema, which PUBLIC cannot use, with EXECUTE revoked from PUBLIC (as the installer does).
        script.Append("CREATE SCHEMA IF NOT EXISTS ").Append(schema).Append(";\n");
        script.Append("CREATE EXTENSION IF NOT EXISTS dblink SCHEMA ").Append(schema).Append(";\n");
        script.Append(DblinkAccess.RevokeFromPublicSql).Append(";\n");
        foreach (var step in plan.Steps(options, options.Schema))
        {
            script.Append('\n');
            step.AppendScript(script);
        }

        script.Append("COMMIT;\n");
        script.Append("\n-- On each destination database, as the role its user mapping logs in as, once (the installer does it itself):\n");
        foreach (var step in InstallPlan.DestinationSteps(options.Schema))
        {
            var text = new StringBuilder();
            step.AppendScript(text);
            foreach (var line in text.ToString().TrimEnd('\n').Split('\n'))
            {
                script.Append("--   ").Append(line).Append('\n');
            }
        }

        return script.ToString();
    }

    /// <summary>Which database a connection reached: server address, port, server start time and database name (all readable without privileges).</summary>
    /// <summary>
    /// Which database, in which running server, the connection is in: the cluster's system identifier, the
    /// database's oid and the server's start time, the same whatever address the connection came through
    /// (a physical copy of the database, running elsewhere, differs by the start time).
    /// </summary>
    private static async Task<string> DatabaseIdentityAsync(NpgsqlConnection connection, CancellationToken ct) =>
        (string)(await ScalarAsync<object?>(
            connection,
            "SELECT concat_ws('/', (SELECT s.system_identifier FROM pg_catalog.pg_control_system() AS s), " +
            "(SELECT d.oid FROM pg_catalog.pg_database AS d WHERE d.datname = pg_catalog.current_database()), pg_catalog.pg_postmaster_start_time())",
            ct).ConfigureAwait(false))!;

    /// <summary>The database's RoslynPgSync identity (<see cref="InstallPlan.NodeIdentityFile"/>, installed before it is read).</summary>
    private static string NodeIdentitySql(string schema) => $"SELECT identity FROM {PgSql.QualifiedName(schema, "node_identity")}";

    /// <summary>
    /// Refuses two databases of the install (the local one and its destinations) that are not one database but
    /// share a RoslynPgSync identity (<see cref="InstallPlan.NodeIdentityFile"/>): physical copies of one another,
    /// which the identity file cannot tell apart. A change forwarded through one would never reach the other.
    /// </summary>
    private static void RefuseSharedIdentities(IReadOnlyList<(string Name, string Identity, string Database, string? Origin)> nodes, string schema)
    {
        foreach (var shared in nodes.GroupBy(n => n.Identity, StringComparer.Ordinal))
        {
            var copies = shared.DistinctBy(n => n.Database, StringComparer.Ordinal).ToList();
            if (copies.Count > 1)
            {
                throw new PgSyncInstallException(
                    $"{char.ToUpperInvariant(copies[0].Name[0])}{copies[0].Name[1..]} and {copies[1].Name} are two databases with one RoslynPgSync identity " +
                    $"({PgSql.QualifiedName(schema, "node_identity")}): one is a physical copy of the other (a base backup or a promoted standby), " +
                    "and a change forwarded through one would never be sent to the other. Give the copy an identity of its own: " +
                    $"in it, run DELETE FROM {PgSql.QualifiedName(schema, "node_identity")}; then install again.");
            }
        }
    }

    /// <summary>
    /// Refuses two databases of the install that are not one database but share a RoslynPgSync origin
    /// (<c>node.origin</c>, made once per database by its first install): one was made from a copy of the
    /// other, logical or physical, which carries the origin along. Their writes would be stamped alike, so
    /// two of them at one stamp could never be ordered (the nodes would stay apart), and where both apply
    /// changes, their entries would be recorded under one origin and could be taken for one another's.
    /// </summary>
    private static void RefuseSharedOrigins(IReadOnlyList<(string Name, string Identity, string Database, string? Origin)> nodes, string schema)
    {
        foreach (var shared in nodes.Where(n => n.Origin is not null).GroupBy(n => n.Origin, StringComparer.Ordinal))
        {
            var copies = shared.DistinctBy(n => n.Database, StringComparer.Ordinal).ToList();
            if (copies.Count > 1)
            {
                var node = PgSql.QualifiedName(schema, "node");
                throw new PgSyncInstallException(
                    $"{char.ToUpperInvariant(copies[0].Name[0])}{copies[0].Name[1..]} and {copies[1].Name} are two databases with one RoslynPgSync origin " +
                    $"({node}): one was made from a copy of the other (a dump restored, CREATE DATABASE ... TEMPLATE, a base backup), and their writes " +
                    "would be stamped alike and their queue entries taken for one another's. Give the copy an origin of its own: in it, empty the queue it " +
                    $"carried over (DELETE FROM {PgSql.QualifiedName(schema, SqlNames.Queue)}; the original sends those entries itself), run " +
                    $"UPDATE {node} SET origin = pg_catalog.regexp_replace(origin, '[^/]*$', pg_catalog.gen_random_uuid()::text); then install again.");
            }
        }
    }

    /// <summary>The database's RoslynPgSync origin (<c>node.origin</c>), or null where no install of a source has run.</summary>
    private static async Task<string?> OriginAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var node = PgSql.QualifiedName(schema, "node");
        return await ScalarAsync<object?>(connection, $"SELECT pg_catalog.to_regclass({PgSql.QuoteLiteral(node)}) IS NOT NULL", ct).ConfigureAwait(false) is true
            ? await ScalarAsync<object?>(connection, $"SELECT origin FROM {node}", ct).ConfigureAwait(false) as string
            : null;
    }

    /// <returns>The destination's identity (<see cref="InstallPlan.NodeIdentityFile"/>), which database it is (<see cref="DatabaseIdentityAsync"/>) and its origin (<see cref="OriginAsync"/>).</returns>
    private static async Task<(string Identity, string Database, string? Origin)> PrepareDestinationAsync(PgSyncServer server, IReadOnlyList<ReplicatedTable> tables, PgSyncOptions options, string localIdentity, CancellationToken ct)
    {
        var createMissing = options.CreateMissingTables;
        var targets = tables.SelectMany(t => t.Targets.Where(x => x.Server == server.Name).Select(x => (Table: t, Target: x))).ToList();
        NpgsqlConnection connection;
        try
        {
            connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            await PinSearchPathAsync(connection, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new PgSyncInstallException($"Destination server {server} cannot be reached: {ex.Message}", ex);
        }

        await using (connection.ConfigureAwait(false))
        {
            var databaseIdentity = await DatabaseIdentityAsync(connection, ct).ConfigureAwait(false);
            var sameDatabase = databaseIdentity == localIdentity;
            foreach (var (table, target) in targets)
            {
                if (sameDatabase && target.Schema == table.SourceSchema && target.Table == table.SourceTable)
                {
                    throw new PgSyncInstallException(
                        $"Destination server '{server.Name}' is the local database and {table} would replicate onto itself. " +
                        $"Point '{server.Name}' at another database, or set TargetSchema/TargetTable on [Replicate] for {table.EntityType.Name}.");
                }

                if (createMissing && !await TableShape.ExistsAsync(connection, target.Schema, target.Table, ct).ConfigureAwait(false))
                {
                    await ExecuteAsync(connection, target.CreateTableSql, ct).ConfigureAwait(false);
                }

                await TableShape.ValidateAsync(connection, table, target.Schema, target.Table, $"destination server '{server.Name}'", isTarget: true, ct).ConfigureAwait(false);
                if (target.RowVersionsSql is not null &&
                    await OtherSchemaAsync(connection, options.Schema, target.Schema, target.Table, ct).ConfigureAwait(false) is { } other)
                {
                    throw new PgSyncInstallException(
                        $"Destination server '{server.Name}': {PgSql.QualifiedName(target.Schema, target.Table)} in database {connection.Database} is replicated by the RoslynPgSync schema \"{other}\" there, " +
                        $"and this node's is \"{options.Schema}\". {OneSchemaReason}");
                }
            }

            try
            {
                foreach (var step in InstallPlan.DestinationSteps(options.Schema))
                {
                    await step.ExecuteAsync(connection, ct).ConfigureAwait(false);
                }

                // The targets whose owners every apply checks (destination/045_target_owner.sql), for this
                // source and server: what it no longer writes goes, in the same statement.
                var registry = PgSql.QualifiedName(options.Schema, "target_table");
                await ExecuteAsync(
                    connection,
                    $"WITH current AS (SELECT u.n, u.t FROM ROWS FROM (pg_catalog.unnest($3::text[]), pg_catalog.unnest($4::text[])) AS u(n, t)), " +
                    $"gone AS (DELETE FROM {registry} AS r WHERE r.source = $1 AND r.dst_server = $2 AND NOT EXISTS (SELECT 1 FROM current AS c WHERE c.n = r.nsp_name AND c.t = r.table_name)) " +
                    $"INSERT INTO {registry} (source, dst_server, nsp_name, table_name) SELECT $1, $2, c.n, c.t FROM current AS c ON CONFLICT DO NOTHING",
                    ct,
                    localIdentity,
                    server.Name,
                    targets.Select(t => t.Target.Schema).ToArray(),
                    targets.Select(t => t.Target.Table).ToArray()).ConfigureAwait(false);

                // LastWriterWins: the target's row versions, which its apply reads and writes.
                foreach (var (_, target) in targets)
                {
                    if (target.RowVersionsSql is { } rowVersions)
                    {
                        await ExecuteAsync(connection, rowVersions(PgSql.QuoteIdentifier(options.Schema)), ct).ConfigureAwait(false);
                        var name = PgSql.QualifiedName(options.Schema, SqlNames.RowVersions(target.Schema, target.Table));
                        if (!await MayWriteAsync(connection, name, ct).ConfigureAwait(false))
                        {
                            // On a multi-master node the same record serves the node's own capture: the
                            // role that installs there and the role this server logs in as must share it.
                            throw new PgSyncInstallException(
                                $"Destination server '{server.Name}': role {server.Username} may not write {name} in database {connection.Database}, " +
                                $"the row versions that resolve conflicts on {target.Schema}.{target.Table} (LastWriterWins). It exists and belongs to another role: " +
                                "log in to this server as the role that installs RoslynPgSync on that database, or a member of it.");
                        }
                    }
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw new PgSyncInstallException(
                    $"Destination server '{server.Name}': role {server.Username} may not create the schema \"{options.Schema}\" or its table " +
                    $"{SqlNames.AppliedEntries} in database {connection.Database}, where RoslynPgSync records what it applied ({ex.MessageText}). " +
                    $"A DBA must run there: GRANT CREATE ON DATABASE {PgSql.QuoteIdentifier(connection.Database)} TO {PgSql.QuoteIdentifier(server.Username)}; " +
                    "(or create the schema owned by that role).",
                    ex);
            }

            return (await ScalarAsync<string>(connection, NodeIdentitySql(options.Schema), ct).ConfigureAwait(false), databaseIdentity,
                await OriginAsync(connection, options.Schema, ct).ConfigureAwait(false));
        }
    }

    private const string OneSchemaReason =
        "A table whose conflicts are detected keeps one record of row versions per node, which the capture there and every peer's apply name in their own node's schema: " +
        "give every node the same PgSyncOptions.Schema.";

    /// <summary>
    /// Another RoslynPgSync schema than <paramref name="schema"/> that replicates the table
    /// <paramref name="tableSchema"/>.<paramref name="tableName"/> in the connection's database, or null: one whose
    /// capture triggers are on it, or that holds its row versions (a peer installed with another schema made
    /// them). Read from the catalogs, which every role may read.
    /// </summary>
    private static async Task<string?> OtherSchemaAsync(NpgsqlConnection connection, string schema, string tableSchema, string tableName, CancellationToken ct)
    {
        var sql =
            "SELECT n.nspname::text FROM pg_catalog.pg_trigger AS t JOIN pg_catalog.pg_proc AS f ON f.oid = t.tgfoid JOIN pg_catalog.pg_namespace AS n ON n.oid = f.pronamespace" +
            $" WHERE t.tgrelid = pg_catalog.to_regclass({PgSql.QuoteLiteral(PgSql.QualifiedName(tableSchema, tableName))}) AND t.tgname IN ({string.Join(", ", SqlNames.CaptureTriggers.Select(PgSql.QuoteLiteral))})" +
            $" AND n.nspname <> {PgSql.QuoteLiteral(schema)}" +
            " UNION ALL SELECT n.nspname::text FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace" +
            $" WHERE c.relname = {PgSql.QuoteLiteral(SqlNames.RowVersions(tableSchema, tableName))} AND c.relkind = 'r' AND n.nspname <> {PgSql.QuoteLiteral(schema)} LIMIT 1";
        return await ScalarAsync<object?>(connection, sql, ct).ConfigureAwait(false) as string;
    }

    /// <summary>
    /// Whether the connection's role may read and write the table <paramref name="name"/> (qualified, quoted) as the
    /// capture and the apply of a table with a conflict policy write its row versions (the purge deletes from them).
    /// </summary>
    private static async Task<bool> MayWriteAsync(NpgsqlConnection connection, string name, CancellationToken ct) =>
        await ScalarAsync<object?>(connection, $"SELECT pg_catalog.has_table_privilege({PgSql.QuoteLiteral(name)}, 'SELECT, INSERT, UPDATE, DELETE')", ct).ConfigureAwait(false) is true;

    /// <summary>Finds dblink where a DBA installed it, or creates it in the RoslynPgSync schema when allowed.</summary>
    private static async Task<string> FindOrCreateDblinkAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        if (await ScalarAsync<object?>(connection, DblinkSchemaSql, ct).ConfigureAwait(false) is string found)
        {
            await RequireFdwUsageAsync(connection, ct).ConfigureAwait(false);
            await DblinkAccess.RequireSafeAsync(connection, (string)(await ScalarAsync<object?>(connection, "SELECT current_user::text", ct).ConfigureAwait(false))!, ct).ConfigureAwait(false);
            return found;
        }

        await ExecuteAsync(connection, "SAVEPOINT pgsync_dblink", ct).ConfigureAwait(false);
        try
        {
            // In the RoslynPgSync schema, which PUBLIC cannot use, and with EXECUTE revoked from PUBLIC.
            await ExecuteAsync(connection, "CREATE EXTENSION dblink SCHEMA " + PgSql.QuoteIdentifier(schema), ct).ConfigureAwait(false);
            await ExecuteAsync(connection, DblinkAccess.RevokeFromPublicSql, ct).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.UndefinedFile or PostgresErrorCodes.FeatureNotSupported)
        {
            await ExecuteAsync(connection, "ROLLBACK TO SAVEPOINT pgsync_dblink", ct).ConfigureAwait(false);
            var role = await ScalarAsync<object?>(connection, "SELECT current_user", ct).ConfigureAwait(false);
            throw new PgSyncInstallException(
                $"The dblink extension is not installed in database {connection.Database} and role {role} may not create it ({ex.MessageText}). " +
                $"A DBA must run, in that database: CREATE EXTENSION dblink; GRANT USAGE ON FOREIGN DATA WRAPPER dblink_fdw TO {PgSql.QuoteIdentifier((string)role!)};",
                ex);
        }

        return schema;
    }

    private static async Task RequireFdwUsageAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        if (await ScalarAsync<object?>(connection, "SELECT pg_catalog.has_foreign_data_wrapper_privilege('dblink_fdw', 'USAGE')", ct).ConfigureAwait(false) is not true)
        {
            var role = (string)(await ScalarAsync<object?>(connection, "SELECT current_user", ct).ConfigureAwait(false))!;
            throw new PgSyncInstallException(
                $"Role {role} may not create dblink foreign servers in database {connection.Database}. " +
                $"A DBA must run: GRANT USAGE ON FOREIGN DATA WRAPPER dblink_fdw TO {PgSql.QuoteIdentifier(role)};");
        }
    }
}
