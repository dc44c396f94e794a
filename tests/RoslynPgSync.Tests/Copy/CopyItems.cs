using System.Linq;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;

namespace RoslynPgSync.Tests.Copy;

/// <summary>The copy tests' table cp.items (copied to cp_copy.items on copy_async): its rows before an install, and a digest to compare both sides by.</summary>
internal static class CopyItems
{
    /// <summary>Creates cp.items on the bed's local node with <paramref name="rows"/> rows (ids 1..rows, bodies of varying length).</summary>
    public static Task<int> FillAsync(TestBed bed, int rows) => Db.ExecuteAsync(
        bed.Local.ConnectionString,
        PgSyncInstaller.Tables.Single(t => t.SourceTable == "items").CreateTableSql +
        $"INSERT INTO cp.items SELECT g, 1, md5(g::text) || repeat('p', g % 100) FROM generate_series(1, {rows}) AS g");

    /// <summary>The table's row count and an md5 of its rows in id order.</summary>
    public static Task<string> DigestAsync(string connectionString, string table) =>
        Db.ScalarAsync<string>(connectionString, $"SELECT count(*) || ' ' || md5(COALESCE(string_agg(t::text, ',' ORDER BY id), '')) FROM {table} AS t");
}
