using System.Collections.Generic;
using RoslynPgSync.Generator.Model;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Generator.Emit;

/// <summary>
/// Emits <c>RoslynPgSync.Generated.PgSyncInstaller</c>: one partial file per table holding that table's
/// model as data, and one file listing them in <c>Tables</c>.
/// </summary>
internal static class InstallerEmitter
{
    public const string InstallerHintName = "RoslynPgSync.Generated.PgSyncInstaller.g.cs";
    private const string Rt = "global::RoslynPgSync.";

    /// <summary>The per-table file: a factory method building that table's <c>ReplicatedTable</c>.</summary>
    public static string EmitTable(TableModel table)
    {
        var w = Header();
        w.Open("internal static partial class PgSyncInstaller");
        w.Line("/// <summary>The replication model of <see cref=\"" + table.FullyQualifiedTypeName.Replace("global::", string.Empty) + "\"/>.</summary>");
        w.Open("private static " + Rt + "ReplicatedTable Create_" + table.MemberSuffix + "()");
        w.Line("return new " + Rt + "ReplicatedTable(");
        w.Line("    entityType: typeof(" + table.FullyQualifiedTypeName + "),");
        w.Line("    sourceSchema: " + CSharpLiteral.String(table.SourceSchema) + ",");
        w.Line("    sourceTable: " + CSharpLiteral.String(table.SourceTable) + ",");
        w.Line("    columns: new " + Rt + "ReplicatedColumn[]");
        w.Line("    {");
        foreach (var column in table.Columns)
        {
            w.Line("        new " + Rt + "ReplicatedColumn(" +
                   CSharpLiteral.String(column.MemberName) + ", " +
                   CSharpLiteral.String(column.ColumnName) + ", " +
                   CSharpLiteral.String(column.PgType) + ", " +
                   "isNullable: " + CSharpLiteral.Bool(column.IsNullable) + ", " +
                   "isKey: " + CSharpLiteral.Bool(column.IsKey) + "),");
        }

        w.Line("    },");
        w.Line("    keyColumns: new string[] { " + Join(table.KeyColumns, CSharpLiteral.String) + " },");
        w.Line("    pkVector: new int[] { " + Join(table.PkVector, CSharpLiteral.Int) + " },");
        w.Line("    createTableSql: " + CSharpLiteral.Verbatim(TableDdl.CreateTable(table, table.SourceSchema, table.SourceTable)) + ",");
        w.Line("    installSql: " + SchemaTemplate(CaptureSql.Install(table)) + ",");
        w.Line("    uninstallSql: " + SchemaTemplate(CaptureSql.Uninstall(table)) + ",");
        w.Line("    targets: new " + Rt + "ReplicationTarget[]");
        w.Line("    {");
        foreach (var target in table.Targets)
        {
            w.Line("        new " + Rt + "ReplicationTarget(");
            w.Line("            server: " + CSharpLiteral.String(target.Server) + ",");
            w.Line("            schema: " + CSharpLiteral.String(target.Schema) + ",");
            w.Line("            table: " + CSharpLiteral.String(target.Table) + ",");
            w.Line("            mode: " + Rt + "ReplicationMode." + target.Mode + ",");
            w.Line("            where: " + CSharpLiteral.String(target.Where) + ",");
            // (The channel and the conflict policy only when not the default: generated code for a default
            // target is as before they existed.)
            // LastWriterWins: the DDL of the target's row versions, run on the destination.
            // Forward likewise, only when set.
            var init = new System.Collections.Generic.List<string>();
            if (target.Conflicts != Conflicts.ApplyRemote)
            {
                init.Add("Conflicts = " + Rt + "ConflictPolicy." + target.Conflicts);
                if (ConflictSql.Resolves(target))
                {
                    init.Add("RowVersionsSql = " + SchemaTemplate(ConflictSql.CreateRecord(table, target.Schema, target.Table)));
                }
            }

            if (target.Forward)
            {
                init.Add("Forward = true");
            }

            var end = ")" + (init.Count == 0 ? string.Empty : " { " + string.Join(", ", init) + " }") + ",";
            w.Line("            createTableSql: " + CSharpLiteral.Verbatim(TableDdl.CreateTable(table, target.Schema, target.Table)) +
                   (target.Channel.Length == 0 ? end : ","));
            if (target.Channel.Length > 0)
            {
                w.Line("            channel: " + CSharpLiteral.String(target.Channel) + end);
            }
        }

        w.Line("    })" + (table.VersionColumn is null ? string.Empty : " { VersionColumn = " + CSharpLiteral.String(table.VersionColumn) + " }") + ";");
        w.Close();
        w.Close();
        return w.Close().ToString();
    }

    /// <summary>The file that lists every table; it depends only on the factories' names.</summary>
    public static string EmitInstaller(EquatableArray<string> memberSuffixes)
    {
        var w = Header();
        w.Line("/// <summary>");
        w.Line("/// What RoslynPgSync generated for the <c>[Replicate]</c> types of this assembly.");
        w.Line("/// </summary>");
        w.Open("internal static partial class PgSyncInstaller");
        w.Line("/// <summary>Every replicated table of this assembly, ordered by type name.</summary>");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<" + Rt + "ReplicatedTable> Tables { get; } =");
        w.Line("    new " + Rt + "ReplicatedTable[]");
        w.Line("    {");
        foreach (var suffix in memberSuffixes)
        {
            w.Line("        Create_" + suffix + "(),");
        }

        w.Line("    };");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Installs replication for every table whose destination servers are all registered in");
        w.Line("/// <paramref name=\"options\"/>: RoslynPgSync schema and queue, dblink foreign servers, capture triggers.");
        w.Line("/// Validates first and changes nothing when anything does not match; safe to run at every start-up.");
        w.Line("/// </summary>");
        w.Line("public static global::System.Threading.Tasks.Task InstallAsync(global::Npgsql.NpgsqlDataSource local, " + Rt + "PgSyncOptions options, global::System.Threading.CancellationToken ct = default) =>");
        w.Line("    " + Rt + "Installation.PgSyncInstallation.InstallAsync(local, options, Tables, ct);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Installs as <c>InstallAsync(local, options, ct)</c> does, logging to <paramref name=\"logger\"/> that it starts, each");
        w.Line("/// step of the install plan, that it committed or why it refused (events 1000-1003 of <see cref=\"global::RoslynPgSync.PgSyncEventIds\"/>);");
        w.Line("/// <see langword=\"null\"/> logs nothing. Messages name tables and servers, never a connection string or password.");
        w.Line("/// </summary>");
        w.Line("public static global::System.Threading.Tasks.Task InstallAsync(global::Npgsql.NpgsqlDataSource local, " + Rt + "PgSyncOptions options, global::Microsoft.Extensions.Logging.ILogger? logger, global::System.Threading.CancellationToken ct = default) =>");
        w.Line("    " + Rt + "Installation.PgSyncInstallation.InstallAsync(local, options, Tables, logger, ct);");
        w.Line();
        w.Line("/// <summary>Removes what <c>InstallAsync</c> installed; tables and their rows stay.</summary>");
        w.Line("public static global::System.Threading.Tasks.Task UninstallAsync(global::Npgsql.NpgsqlDataSource local, " + Rt + "PgSyncOptions options, global::System.Threading.CancellationToken ct = default) =>");
        w.Line("    " + Rt + "Installation.PgSyncInstallation.UninstallAsync(local, options, Tables, ct);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Uninstalls as <c>UninstallAsync(local, options, ct)</c> does, logging what was removed to <paramref name=\"logger\"/>");
        w.Line("/// (event 1004); <see langword=\"null\"/> logs nothing.");
        w.Line("/// </summary>");
        w.Line("public static global::System.Threading.Tasks.Task UninstallAsync(global::Npgsql.NpgsqlDataSource local, " + Rt + "PgSyncOptions options, global::Microsoft.Extensions.Logging.ILogger? logger, global::System.Threading.CancellationToken ct = default) =>");
        w.Line("    " + Rt + "Installation.PgSyncInstallation.UninstallAsync(local, options, Tables, logger, ct);");
        w.Line();
        w.Line("/// <summary>The whole install SQL, for a DBA to read; passwords appear as psql variables.</summary>");
        w.Line("public static string GetInstallScript(" + Rt + "PgSyncOptions options) =>");
        w.Line("    " + Rt + "Installation.PgSyncInstallation.GetInstallScript(options, Tables);");
        w.Close();
        return w.Close().ToString();
    }

    /// <summary>
    /// SQL with the RoslynPgSync schema as a parameter: <c>s => @"..." + s + @"..."</c>, so that the
    /// schema chosen at run time is spliced as a quoted identifier and the rest stays as generated.
    /// </summary>
    private static string SchemaTemplate(string sql)
    {
        var parts = sql.Split(new[] { CaptureSql.SchemaSlot }, System.StringSplitOptions.None);
        var pieces = new List<string>();
        foreach (var part in parts)
        {
            // Within a string expression (CaptureSql.Literal) the schema goes as an E'' literal of its
            // quoted name, backslashes and quotes doubled, whatever standard_conforming_strings says.
            var literals = part.Split(new[] { CaptureSql.SchemaLiteralSlot }, System.StringSplitOptions.None);
            var spliced = new List<string>();
            foreach (var literal in literals)
            {
                spliced.Add(CSharpLiteral.Verbatim(literal));
            }

            pieces.Add(string.Join(" + (\"E'\" + schema.Replace(\"\\\\\", \"\\\\\\\\\").Replace(\"'\", \"''\") + \"'\") + ", spliced));
        }

        return "schema => " + string.Join(" + schema + ", pieces);
    }

    private static SourceWriter Header()
    {
        var w = new SourceWriter();
        w.Line("// <auto-generated/>");
        w.Line("// Generated by RoslynPgSync.Generator from the [Replicate] types of this assembly. Do not edit.");
        w.Line("#nullable enable");
        w.Line();
        w.Open("namespace RoslynPgSync.Generated");
        return w;
    }

    private static string Join<T>(IEnumerable<T> items, System.Func<T, string> format)
    {
        var parts = new List<string>();
        foreach (var item in items)
        {
            parts.Add(format(item));
        }

        return string.Join(", ", parts);
    }
}
