using System;
using System.Linq;
using System.Threading.Tasks;
using RoslynPgSync.Copy;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Security;

/// <summary>
/// The installer sends its statements on the installing role's own search_path (<c>"$user", public</c>
/// by default). A view's, a default's, a constraint's or a trigger's expression is bound to the
/// operators it resolves to when it is created; an operator in a schema a hostile role may CREATE in
/// (public, in a database that came from PostgreSQL 14 or older or where it was granted) that matches
/// the argument types better than pg_catalog's is bound instead, for good, and runs as whoever reads
/// the object later (the installing role: the monitor, the health check, pgsync copy).
/// </summary>
public sealed class InstallSearchPathTests
{
    /// <summary>
    /// For every operator pg_catalog resolves only through an implicit cast of one of these types, an
    /// exact one in public that does the same (so the install works as before).
    /// </summary>
    internal const string PlantOperators = """
        DO $plant$
        DECLARE
            v_types text[] := ARRAY['smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric', 'text', 'character varying',
                                    'character', 'name', '"char"', 'boolean', 'timestamp with time zone', 'timestamp without time zone',
                                    'interval', 'date', 'oid', 'xid8', 'jsonb', 'json', 'bytea', 'regclass', 'text[]', 'name[]', 'bigint[]', 'uuid'];
            v_ops text[] := ARRAY['=', '<>', '<', '>', '<=', '>=', '+', '-', '*', '/', '||', '~~', '@>', '&&', '->>', '?'];
            v_l text; v_r text; v_op text; v_result text; v_n integer := 0;
        BEGIN
            FOREACH v_op IN ARRAY v_ops LOOP
                FOREACH v_l IN ARRAY v_types LOOP
                    FOREACH v_r IN ARRAY v_types LOOP
                        IF EXISTS (SELECT 1 FROM pg_catalog.pg_operator AS o
                                    WHERE o.oprnamespace = 'pg_catalog'::pg_catalog.regnamespace AND o.oprname = v_op
                                      AND o.oprleft = v_l::pg_catalog.regtype AND o.oprright = v_r::pg_catalog.regtype) THEN
                            CONTINUE;
                        END IF;
                        BEGIN
                            EXECUTE pg_catalog.format('SELECT pg_catalog.format_type(pg_catalog.pg_typeof(NULL::%s OPERATOR(pg_catalog.%s) NULL::%s)::pg_catalog.oid, NULL)', v_l, v_op, v_r) INTO v_result;
                        EXCEPTION WHEN OTHERS THEN
                            CONTINUE;
                        END;
                        v_n := v_n + 1;
                        EXECUTE pg_catalog.format('CREATE FUNCTION public.hijack_%s(a %s, b %s) RETURNS %s LANGUAGE sql AS %L',
                            v_n, v_l, v_r, v_result, pg_catalog.format('SELECT a OPERATOR(pg_catalog.%s) b', v_op));
                        EXECUTE pg_catalog.format('CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.hijack_%s)', v_op, v_l, v_r, v_n);
                    END LOOP;
                END LOOP;
            END LOOP;
            RAISE NOTICE 'planted % operators', v_n;
        END
        $plant$;
        """;

    /// <summary>Objects of the pgsync schema (views, defaults, constraints, triggers, indexes) bound to an operator in public.</summary>
    internal const string BoundToPublic = """
        SELECT pg_catalog.string_agg(DISTINCT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) || ' uses ' ||
                                     pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0), '; ')
          FROM pg_catalog.pg_depend AS d
          JOIN pg_catalog.pg_operator AS o ON d.refclassid = 'pg_catalog.pg_operator'::pg_catalog.regclass AND o.oid = d.refobjid
         WHERE o.oprnamespace = 'public'::pg_catalog.regnamespace
        """;

    [Fact]
    public async Task Operators_planted_in_public_before_the_install_are_not_bound_into_the_installed_objects()
    {
        // (The role first: the databases, with what depends on its operators, are dropped before it.)
        await using var hostile = await (await RoslynPgSync.TestCluster.SharedCluster.GetAsync()).CreateRoleAsync("hostile");
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        foreach (var database in new[] { bed.Local, bed.Remote })
        {
            await Db.ExecuteAsync(database.AdminConnectionString, "GRANT CREATE ON SCHEMA public TO PUBLIC");
            await Db.ExecuteAsync(hostile.ConnectionStringFor(database.Name), PlantOperators);
        }

        await PgSyncInstaller.InstallAsync(bed.LocalSource, bed.Options);

        var local = await Db.ScalarAsync<string?>(bed.Local.AdminConnectionString, BoundToPublic);
        var remote = await Db.ScalarAsync<string?>(bed.Remote.AdminConnectionString, BoundToPublic);
        Assert.True(local is null && remote is null, "source: " + local + " | destination: " + remote);
    }

    /// <summary>
    /// The same, as it plays out: a role that may CREATE in public plants <c>/(bigint, double precision)</c>
    /// (copy_status divides rows_copied, a bigint, by the seconds as double precision, which pg_catalog only
    /// does after a cast). The install binds it into pgsync.copy_status, and the first read of the copies'
    /// progress (the copier, the monitor, the health check, pgsync copy) runs it as the installing role: it
    /// takes the destination password from pg_user_mappings and runs SQL on the destination through the
    /// installing role's dblink.
    /// </summary>
    [Fact]
    public async Task Reading_the_copy_progress_runs_no_operator_a_hostile_role_planted_in_public()
    {
        await using var hostile = await (await RoslynPgSync.TestCluster.SharedCluster.GetAsync()).CreateRoleAsync("hostile");
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        var table = PgSyncInstaller.Tables.Single(t => t.EntityType == typeof(Models.HostileAsync));
        await Db.ExecuteAsync(bed.Local.ConnectionString, table.CreateTableSql + "INSERT INTO app.hostile_async (id, code, body) SELECT g, 'k', 'before the install' FROM generate_series(1, 100) AS g");

        await Db.ExecuteAsync(bed.Local.AdminConnectionString, "GRANT CREATE ON SCHEMA public TO PUBLIC");
        var loopback = $"host={bed.Local.Host} port={bed.Local.Port} dbname={bed.Local.Name} user={hostile.Name} password={hostile.Password}";
        await Db.ExecuteAsync(hostile.ConnectionStringFor(bed.Local.Name), $$"""
            CREATE TABLE public.loot (who text, what text);
            CREATE FUNCTION public.divide(a bigint, b double precision) RETURNS double precision LANGUAGE plpgsql AS $f$
            BEGIN
                IF pg_catalog.has_function_privilege('dblink.dblink_exec(text, text)', 'EXECUTE') THEN
                    PERFORM dblink.dblink_exec('{{loopback.Replace("'", "''", StringComparison.Ordinal)}}', pg_catalog.format('INSERT INTO public.loot VALUES (%L, %L)', current_user,
                        (SELECT pg_catalog.array_to_string(m.umoptions, ',') FROM pg_catalog.pg_user_mappings AS m WHERE m.srvname = 'async_dst')));
                    PERFORM dblink.dblink_exec('async_dst', 'CREATE TABLE IF NOT EXISTS public.pwned (x int)');
                END IF;
                RETURN a::double precision OPERATOR(pg_catalog./) b;
            END $f$;
            CREATE OPERATOR public./ (LEFTARG = bigint, RIGHTARG = double precision, FUNCTION = public.divide);
            """);

        await PgSyncInstaller.InstallAsync(bed.LocalSource, bed.Options);
        var copy = Assert.Single(await new PgSyncCopier(bed.LocalSource, bed.Options).GetProgressAsync(), c => c.Table == "app.hostile_async");
        Assert.Equal(CopyStatus.Done, copy.Status);

        var stolen = await Db.ScalarAsync<string?>(bed.Local.AdminConnectionString, "SELECT string_agg(DISTINCT who || ': ' || coalesce(what, '(null)'), '; ') FROM public.loot");
        Assert.True(stolen is null, "the planted operator ran as the installing role, and took the destination password: " + stolen);
        Assert.False(
            await Db.ScalarAsync<bool>(bed.Remote.ConnectionString, "SELECT to_regclass('public.pwned') IS NOT NULL"),
            "the planted operator ran SQL on the destination through the installing role's foreign server");
    }

    /// <summary>
    /// At install time too: the installer's own catalog queries (TableShape's <c>a.attrelid = pg_catalog.to_regclass($1)</c>,
    /// the capture's <c>tgrelid = '...'::pg_catalog.regclass</c> in the generated DO blocks, the dblink check) compare an
    /// oid with a regclass, for which pg_catalog has no exact operator. An <c>=(oid, regclass)</c> planted in public runs
    /// as the installing role inside the install's transaction, which commits what it did: here it copies the
    /// destination password into a table of its own. (The same queries run on the destination as its role.)
    /// </summary>
    [Fact]
    public async Task The_install_runs_no_operator_a_hostile_role_planted_in_public()
    {
        await using var hostile = await (await RoslynPgSync.TestCluster.SharedCluster.GetAsync()).CreateRoleAsync("hostile");
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        await Db.ExecuteAsync(bed.Local.AdminConnectionString, "GRANT CREATE ON SCHEMA public TO PUBLIC");
        await Db.ExecuteAsync(hostile.ConnectionStringFor(bed.Local.Name), """
            CREATE TABLE public.loot (who text, what text);
            GRANT INSERT ON public.loot TO PUBLIC;
            CREATE FUNCTION public.same(a oid, b regclass) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN
                INSERT INTO public.loot SELECT current_user::text, COALESCE(pg_catalog.string_agg(pg_catalog.array_to_string(m.umoptions, ','), ' '), '(no mapping yet)') || ' in ' || pg_catalog.left(pg_catalog.regexp_replace(pg_catalog.current_query(), '\s+', ' ', 'g'), 80)
                  FROM pg_catalog.pg_user_mappings AS m;
                RETURN a OPERATOR(pg_catalog.=) b::oid;
            END $f$;
            CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.same);
            """);

        // The first install, and the next (the hosted worker installs at every start): the user mapping exists then.
        await PgSyncInstaller.InstallAsync(bed.LocalSource, bed.Options);
        await PgSyncInstaller.InstallAsync(bed.LocalSource, bed.Options);

        var password = new Npgsql.NpgsqlConnectionStringBuilder(bed.Remote.ConnectionString).Password!;
        var stolen = await Db.ScalarAsync<string?>(bed.Local.AdminConnectionString, "SELECT string_agg(DISTINCT who || ': ' || what, E'\n') FROM public.loot");
        Assert.True(
            stolen is null,
            $"the planted operator ran as the installing role during the install{(stolen is not null && stolen.Contains(password, StringComparison.Ordinal) ? ", and took the destination password" : string.Empty)}:\n{stolen}");
    }
}
