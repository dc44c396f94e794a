using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Installation;

/// <summary>
/// Who may call dblink. A writer's session keeps its replication connection (<c>pgsync_&lt;server&gt;</c>,
/// logged in as the destination's mapped user) open between commits: any role that can execute
/// dblink's functions could use that connection, or open one under its name to a database of its own
/// so that the next flush goes there. So PUBLIC must not reach dblink; the installing role must.
/// </summary>
internal static class DblinkAccess
{
    // The extension's functions, with whether PUBLIC (the schema's USAGE and the function's EXECUTE)
    // can call them, and whether the current role can call those RoslynPgSync uses.
    private const string FunctionsSql = """
        SELECT pg_catalog.format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),
               pg_catalog.has_schema_privilege('public', p.pronamespace, 'USAGE')
                   AND pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE'),
               pg_catalog.has_schema_privilege(p.pronamespace, 'USAGE') AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')
                   OR p.proname NOT IN ('dblink', 'dblink_connect', 'dblink_exec', 'dblink_disconnect', 'dblink_get_connections',
                                        'dblink_send_query', 'dblink_is_busy', 'dblink_get_result', 'dblink_error_message'),
               pg_catalog.quote_ident(n.nspname)
        FROM pg_catalog.pg_depend AS d
        JOIN pg_catalog.pg_proc AS p ON p.oid = d.objid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
        WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
          AND d.deptype = 'e'
          AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension AS e WHERE e.extname = 'dblink')
        ORDER BY p.proname, p.oid
        """;

    /// <summary>
    /// Revokes EXECUTE on every dblink function from PUBLIC; for the installer, right after it created
    /// dblink itself (it then owns the functions). Shared with <c>dba-setup-source.sql</c> in spirit.
    /// </summary>
    public const string RevokeFromPublicSql = """
        DO $pgsync$
        DECLARE
            v_function regprocedure;
        BEGIN
            FOR v_function IN
                SELECT d.objid::pg_catalog.regprocedure FROM pg_catalog.pg_depend AS d
                WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                  AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
                  AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension AS e WHERE e.extname = 'dblink')
            LOOP
                EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_function);
            END LOOP;
        END
        $pgsync$
        """;

    /// <summary>
    /// Throws <see cref="PgSyncInstallException"/> with the statements a DBA must run when PUBLIC can
    /// execute any dblink function, or when the installing role cannot.
    /// </summary>
    public static async Task RequireSafeAsync(NpgsqlConnection connection, string role, CancellationToken ct)
    {
        var open = new System.Collections.Generic.List<string>();
        var missing = new System.Collections.Generic.List<string>();
        var schema = string.Empty;
        var command = new NpgsqlCommand(FunctionsSql, connection);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    if (reader.GetBoolean(1))
                    {
                        open.Add(reader.GetString(0));
                    }

                    if (!reader.GetBoolean(2))
                    {
                        missing.Add(reader.GetString(0));
                    }

                    schema = reader.GetString(3);
                }
            }
        }

        var quotedRole = PgSql.QuoteIdentifier(role);
        if (open.Count > 0)
        {
            throw new PgSyncInstallException(
                $"PUBLIC may execute dblink's functions in database {connection.Database} ({open.Count} of them, e.g. {open[0]}): every role could then use " +
                "the replication connection a writer's session keeps open (and run any SQL on the destination as its mapped user), or open one under " +
                "its name to a database of its own. RoslynPgSync refuses to install until only trusted roles can. A DBA must run (as the extension's owner): " +
                $"REVOKE EXECUTE ON FUNCTION {string.Join(", ", open)} FROM PUBLIC; GRANT EXECUTE ON FUNCTION {string.Join(", ", open)} TO {quotedRole}; " +
                "(or install dblink in a schema of its own that PUBLIC cannot use, as the shipped dba-setup-source.sql does).");
        }

        if (missing.Count > 0)
        {
            throw new PgSyncInstallException(
                $"Role {role} may not execute dblink's functions in database {connection.Database} (e.g. {missing[0]}). " +
                $"A DBA must run: GRANT USAGE ON SCHEMA {schema} TO {quotedRole}; " +
                $"GRANT EXECUTE ON FUNCTION {string.Join(", ", missing)} TO {quotedRole};");
        }
    }
}
