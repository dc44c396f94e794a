using System;
using System.Threading.Tasks;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// Counts what a database applies, with a row trigger on each watched table: every row an INSERT,
/// UPDATE or DELETE writes there, as its whole image (the new row, or the deleted one) in
/// <c>public.test_applications</c>. The tests' writers never write one image twice (each write carries
/// a new version or counter), so an image logged twice is a change applied twice, or one that came
/// back to where it was written (a loop). Rows a rolled-back remote transaction wrote leave no log;
/// rows a restore writes (undoing a change whose source transaction aborted, which may rewrite an
/// earlier image) are logged as such (<c>pgsync.restoring</c>) and not counted as applications.
/// </summary>
public static class ApplicationLog
{
    /// <summary>Starts logging what <paramref name="table"/> (qualified) in that database is given.</summary>
    public static Task WatchAsync(string connectionString, string table) => Db.ExecuteAsync(
        connectionString,
        "CREATE TABLE IF NOT EXISTS public.test_applications (tbl text, op text, image text); " +
        "CREATE OR REPLACE FUNCTION public.test_log_application() RETURNS trigger LANGUAGE plpgsql AS " +
        "$$ BEGIN INSERT INTO public.test_applications VALUES (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, " +
        "CASE WHEN current_setting('pgsync.restoring', true) = 'on' THEN 'restore ' ELSE '' END || TG_OP, " +
        "CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END::text); RETURN NULL; END $$; " +
        $"CREATE TRIGGER test_log_application AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION public.test_log_application()");

    /// <summary>
    /// Fails naming the rows that database was given more than once (an upsert applied again shows as
    /// an UPDATE with the image its INSERT wrote); returns how many rows it was given, restores left out.
    /// </summary>
    public static async Task<long> AssertEachAppliedOnceAsync(string connectionString)
    {
        var twice = await Db.ScalarAsync<string?>(
            connectionString,
            "SELECT string_agg(format('%s %s %s x%s', tbl, kind, image, n), '; ') FROM " +
            "(SELECT tbl, CASE WHEN op = 'DELETE' THEN 'deleted' ELSE 'written' END AS kind, image, count(*) AS n " +
            " FROM public.test_applications WHERE op NOT LIKE 'restore %' GROUP BY 1, 2, 3 HAVING count(*) > 1 ORDER BY 1, 2, 3 LIMIT 20) AS d");
        if (twice is not null)
        {
            throw new InvalidOperationException("applied more than once: " + twice);
        }

        return await Db.ScalarAsync<long>(connectionString, "SELECT count(*) FROM public.test_applications WHERE op NOT LIKE 'restore %'");
    }
}

