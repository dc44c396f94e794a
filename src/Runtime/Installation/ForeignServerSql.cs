using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Sql;
using static RoslynPgSync.Sql.Commands;

namespace RoslynPgSync.Installation;

/// <summary>
/// One dblink foreign server per destination, whose connections carry <c>pgsync.origin</c> (loop
/// prevention) and bounded network waits, and the installing role's user mapping that holds the
/// password. Both are created when missing and otherwise altered in place, option by option: a
/// re-install never drops the server, so user mappings a DBA added for other roles (operators) and
/// options RoslynPgSync does not manage stay as they are.
/// </summary>
internal static class ForeignServerSql
{
    /// <summary>
    /// The server options RoslynPgSync sets: an option of this list that the connection string no
    /// longer asks for is dropped on re-install; any other option (a DBA's) is left alone.
    /// </summary>
    internal static readonly string[] ManagedOptions =
    {
        "host", "port", "dbname", "connect_timeout", "application_name", "options", "sslmode",
        "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
    };

    /// <summary>
    /// A dead destination host or network is noticed within about this long by the kernel (libpq
    /// keepalives and <c>tcp_user_timeout</c>), and the connection fails instead of waiting forever.
    /// </summary>
    internal const int TcpUserTimeoutMilliseconds = 20_000;

    /// <summary>
    /// The install steps of one destination: refuse a server of that name that belongs to another
    /// wrapper, create or alter the server, the password into a transaction-local setting (in the
    /// script: a psql variable), the user mapping from it, the setting cleared, and a probe through
    /// dblink as the replication sessions will connect.
    /// </summary>
    /// <param name="server">The destination.</param>
    /// <param name="nodeName">This node's name.</param>
    /// <param name="schema">The RoslynPgSync schema, quoted.</param>
    /// <param name="dblink">The dblink extension's schema, quoted.</param>
    public static IEnumerable<InstallStep> Steps(PgSyncServer server, string nodeName, string schema, string dblink)
    {
        yield return new CheckStep($"no foreign server '{server.Name}' of another wrapper exists", (c, ct) => RequireOwnWrapperAsync(c, server, ct));
        yield return new SqlStep($"foreign server {server.Name}, created or altered option by option", CreateOrAlterServer(server, nodeName, schema));
        yield return new SqlStep(
            $"the password of server {server.Name}, for its user mapping only (transaction-local)",
            "SELECT pg_catalog.set_config('pgsync.mapping_password', $1, true)",
            StepValue.Secret(new NpgsqlConnectionStringBuilder(server.ConnectionString).Password ?? string.Empty, PasswordVariable(server)));
        yield return new SqlStep($"the installing role's user mapping for server {server.Name}", CreateOrAlterUserMapping(server, schema));
        yield return new SqlStep("the password setting cleared", ClearPassword);
        yield return new CheckStep($"server {server.Name} answers through dblink, with a password", (c, ct) => ProbeAsync(c, server, dblink, ct));
    }

    /// <summary>The wrapper of the foreign server <paramref name="name"/>, or null when there is none.</summary>
    public static async Task<string?> FindWrapperAsync(NpgsqlConnection connection, string name, CancellationToken ct)
    {
        var command = new NpgsqlCommand(
            "SELECT w.fdwname FROM pg_catalog.pg_foreign_server AS s JOIN pg_catalog.pg_foreign_data_wrapper AS w ON w.oid = s.srvfdw WHERE s.srvname = $1",
            connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
    }

    private static async Task RequireOwnWrapperAsync(NpgsqlConnection connection, PgSyncServer server, CancellationToken ct)
    {
        var wrapper = await FindWrapperAsync(connection, server.Name, ct).ConfigureAwait(false);
        if (wrapper is not null && wrapper != "dblink_fdw")
        {
            throw new PgSyncInstallException(
                $"A foreign server named '{server.Name}' already exists for the {wrapper} wrapper; RoslynPgSync will not replace it. Register the destination under another name.");
        }
    }

    /// <summary>Connects through dblink as the replication sessions will, inside a savepoint; a failure names the server and what to fix.</summary>
    private static async Task ProbeAsync(NpgsqlConnection connection, PgSyncServer server, string dblink, CancellationToken ct)
    {
        await ExecuteAsync(connection, "SAVEPOINT pgsync_probe", ct).ConfigureAwait(false);
        try
        {
            var probe = new NpgsqlCommand(
                $"SELECT {dblink}.dblink_connect('pgsync_install_probe', $1), {dblink}.dblink_disconnect('pgsync_install_probe')", connection);
            await using var probeScope = probe.ConfigureAwait(false);
            probe.Parameters.Add(new NpgsqlParameter { Value = server.Name });
            await probe.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            await ExecuteAsync(connection, "ROLLBACK TO SAVEPOINT pgsync_probe", ct).ConfigureAwait(false);
            var hint = ex.SqlState == "2F003" || ex.MessageText.Contains("password is required", StringComparison.OrdinalIgnoreCase)
                ? " The destination did not ask for a password, which PostgreSQL requires for dblink from a non-superuser: " +
                  "a DBA must make the destination's pg_hba.conf use scram-sha-256 (or md5) for this host, and the connection string must carry the password."
                : string.Empty;
            throw new PgSyncInstallException($"Destination server {server} cannot be reached through dblink: {ex.MessageText}.{hint}", ex);
        }
    }

    /// <summary>The server's libpq options, in order, as <c>key=value</c> (the form of <c>pg_foreign_server.srvoptions</c>).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Options(PgSyncServer server, string nodeName)
    {
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString);
        var options = new List<KeyValuePair<string, string>>
        {
            new("host", builder.Host!),
            new("port", builder.Port.ToString(CultureInfo.InvariantCulture)),
            new("dbname", builder.Database!),
            new("connect_timeout", builder.Timeout.ToString(CultureInfo.InvariantCulture)),
            new("application_name", "pgsync:" + nodeName),
            new("options", "-c " + SqlNames.OriginSetting + "=" + EscapeOption(nodeName)),
            new("keepalives", "1"),
            new("keepalives_idle", "5"),
            new("keepalives_interval", "2"),
            new("keepalives_count", "3"),
            new("tcp_user_timeout", TcpUserTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture)),
        };
        if (builder.SslMode != SslMode.Prefer)
        {
            options.Add(new("sslmode", LibpqSslMode(builder.SslMode)));
        }

        return options;
    }

    /// <summary>
    /// Creates the server when missing; otherwise sets, adds or drops the managed options that differ
    /// (nothing is written when nothing changed). Refuses a server of another wrapper.
    /// </summary>
    /// <param name="server">The destination.</param>
    /// <param name="nodeName">This node's name (<c>pgsync.origin</c> of its replication sessions).</param>
    /// <param name="schema">The RoslynPgSync schema, quoted (where <c>option_changes</c> lives).</param>
    public static string CreateOrAlterServer(PgSyncServer server, string nodeName, string schema)
    {
        var options = Options(server, nodeName);
        var name = PgSql.QuoteLiteral(server.Name);
        var create = "CREATE SERVER " + PgSql.QuoteIdentifier(server.Name) + " FOREIGN DATA WRAPPER dblink_fdw OPTIONS (" +
                     string.Join(", ", options.Select(o => o.Key + " " + PgSql.QuoteLiteral(o.Value))) + ")";
        var body = new StringBuilder();
        body.Append("DECLARE\n    v_fdw name;\n    v_have text[];\n    v_changes text;\nBEGIN\n");
        body.Append("    SELECT w.fdwname, s.srvoptions INTO v_fdw, v_have\n")
            .Append("      FROM pg_catalog.pg_foreign_server AS s JOIN pg_catalog.pg_foreign_data_wrapper AS w ON w.oid = s.srvfdw\n")
            .Append("     WHERE s.srvname = ").Append(name).Append(";\n");
        body.Append("    IF v_fdw IS NULL THEN\n        ").Append(create).Append(";\n");
        body.Append("    ELSIF v_fdw <> 'dblink_fdw' THEN\n")
            .Append("        RAISE EXCEPTION 'RoslynPgSync: a foreign server named % already exists for the % wrapper; register the destination under another name', ")
            .Append(name).Append(", v_fdw;\n");
        body.Append("    ELSE\n        v_changes := ").Append(schema).Append(".option_changes(v_have, ").Append(TextArray(options.Select(o => o.Key + "=" + o.Value)))
            .Append(", ").Append(TextArray(ManagedOptions)).Append(");\n");
        body.Append("        IF v_changes IS NOT NULL THEN\n            EXECUTE 'ALTER SERVER ' || pg_catalog.quote_ident(").Append(name)
            .Append(") || ' OPTIONS (' || v_changes || ')';\n        END IF;\n    END IF;\nEND\n");
        return Do(body.ToString());
    }

    /// <summary>
    /// The installing role's user mapping, created or altered in place, with the password read from the
    /// transaction-local setting <c>pgsync.mapping_password</c> (a bind parameter, or in the script a
    /// psql variable), so that it never appears in statement text, a statement log or an error's context.
    /// </summary>
    /// <param name="server">The destination.</param>
    /// <param name="schema">The RoslynPgSync schema, quoted.</param>
    public static string CreateOrAlterUserMapping(PgSyncServer server, string schema)
    {
        var name = PgSql.QuoteLiteral(server.Name);
        var user = PgSql.QuoteLiteral(server.Username);
        var body = new StringBuilder();
        body.Append("DECLARE\n    v_found boolean;\n    v_have text[];\n    v_changes text;\n")
            .Append("    v_password text := pg_catalog.current_setting('pgsync.mapping_password');\nBEGIN\n");
        body.Append("    SELECT true, m.umoptions INTO v_found, v_have FROM pg_catalog.pg_user_mappings AS m\n")
            .Append("     WHERE m.srvname = ").Append(name).Append(" AND m.usename = CURRENT_USER;\n");
        body.Append("    BEGIN\n");
        body.Append("        IF v_found IS NULL THEN\n")
            .Append("            EXECUTE pg_catalog.format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I OPTIONS (user %L, password %L)', ")
            .Append(name).Append(", ").Append(user).Append(", v_password);\n");
        body.Append("        ELSE\n            v_changes := ").Append(schema).Append(".option_changes(v_have, ARRAY['user=' || ").Append(user)
            .Append(", 'password=' || v_password], ARRAY['user', 'password']);\n");
        body.Append("            IF v_changes IS NOT NULL THEN\n")
            .Append("                EXECUTE pg_catalog.format('ALTER USER MAPPING FOR CURRENT_USER SERVER %I OPTIONS (%s)', ").Append(name).Append(", v_changes);\n")
            .Append("            END IF;\n        END IF;\n");
        // (The statement, and so the password, would be in the error's context: raise without it.)
        body.Append("    EXCEPTION WHEN OTHERS THEN\n")
            .Append("        RAISE EXCEPTION 'RoslynPgSync: could not create or alter the user mapping of server %: %', ").Append(name).Append(", SQLERRM\n")
            .Append("            USING ERRCODE = SQLSTATE;\n    END;\nEND\n");
        return Do(body.ToString());
    }

    /// <summary>Clears the password setting again (it is transaction-local anyway).</summary>
    public const string ClearPassword = "SELECT pg_catalog.set_config('pgsync.mapping_password', '', true);\n";

    /// <summary>The psql variable a DBA sets to the password of <paramref name="server"/>.</summary>
    public static string PasswordVariable(PgSyncServer server)
    {
        var name = new StringBuilder("pgsync_password_");
        foreach (var c in server.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }

        return name.ToString();
    }

    private static string Do(string body)
    {
        var tag = PgSql.DollarTag(body);
        return "DO " + tag + "\n" + body + tag + ";\n";
    }

    private static string TextArray(IEnumerable<string> values) =>
        "ARRAY[" + string.Join(", ", values.Select(PgSql.QuoteLiteral)) + "]::text[]";

    /// <summary>PGOPTIONS splits on spaces: escape them (and backslashes) in the node name.</summary>
    private static string EscapeOption(string value) =>
        value.Replace("\\", "\\\\", System.StringComparison.Ordinal).Replace(" ", "\\ ", System.StringComparison.Ordinal);

    private static string LibpqSslMode(SslMode mode) => mode switch
    {
        SslMode.Disable => "disable",
        SslMode.Allow => "allow",
        SslMode.Require => "require",
        SslMode.VerifyCA => "verify-ca",
        SslMode.VerifyFull => "verify-full",
        _ => "prefer",
    };
}
