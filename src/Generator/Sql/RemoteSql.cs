using System.Linq;
using System.Text;
using RoslynPgSync.Generator.Model;

namespace RoslynPgSync.Sql;

/// <summary>
/// The statements a destination runs, built around one quoted JSON literal of rows. Each is
/// idempotent: applying an entry twice leaves the same state, so a crash between the remote and the
/// local commit loses and doubles nothing. Column names are the JSON keys, so the target's column
/// order may differ from the source's.
/// </summary>
internal static class RemoteSql
{
    /// <summary>What goes before and after the JSON literal of an upsert of whole rows.</summary>
    public static (string Prefix, string Suffix) Upsert(TableModel table, TargetModel target)
    {
        var targetName = PgSql.QualifiedName(target.Schema, target.Table);
        var columns = string.Join(", ", table.Columns.Select(c => PgSql.QuoteIdentifier(c.ColumnName)));
        var prefix = "INSERT INTO " + targetName + " AS t (" + columns + ") SELECT " +
                     string.Join(", ", table.Columns.Select(c => IsJson(c.PgType)
                         ? "(d." + PgSql.QuoteIdentifier(c.ColumnName) + " #>> '{}')::" + c.PgType
                         : "d." + PgSql.QuoteIdentifier(c.ColumnName))) +
                     " FROM pg_catalog.json_populate_recordset(NULL::" + targetName + ", ";
        var keys = string.Join(", ", table.KeyColumns.Select(PgSql.QuoteIdentifier));
        // The key columns too: a key rewritten to a value its type calls equal but prints otherwise
        // (numeric 1.0 to 1.00, an interval 1 day to 24 hours) finds the old row as its conflict, and
        // the destination would keep the old form. (Set to the same bytes, a key column does not stop a
        // HOT update.)
        var suffix = ") AS d ON CONFLICT (" + keys + ") DO UPDATE SET " +
                     string.Join(", ", table.Columns.Select(c => PgSql.QuoteIdentifier(c.ColumnName) + " = EXCLUDED." + PgSql.QuoteIdentifier(c.ColumnName)));
        return (prefix, suffix);
    }

    /// <summary>
    /// What goes before and after the JSON array of rows to upsert when the array may hold one key
    /// more than once (compact entries of several source transactions, applied as one statement):
    /// the last row of each key wins, as applying them one after the other would leave it
    /// (ON CONFLICT DO UPDATE cannot change one row twice in a statement). Keys compare as the
    /// target's key columns do.
    /// </summary>
    public static (string Prefix, string Suffix) UpsertLatest(TableModel table, TargetModel target)
    {
        var targetName = PgSql.QualifiedName(target.Schema, target.Table);
        var (prefix, suffix) = Upsert(table, target);
        var keys = string.Join(", ", table.KeyColumns.Select(k => "d." + PgSql.QuoteIdentifier(k)));
        var from = " FROM pg_catalog.json_populate_recordset(NULL::" + targetName + ", ";
        return (prefix.Substring(0, prefix.Length - from.Length) +
                " FROM (SELECT DISTINCT ON (" + keys + ") d.* FROM pg_catalog.json_array_elements(",
                "::pg_catalog.json) WITH ORDINALITY AS a (v, n) CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::" + targetName +
                ", a.v) AS d ORDER BY " + keys + ", a.n DESC" + suffix);
    }

    /// <summary>What goes before and after the JSON literal of keys to delete.</summary>
    public static (string Prefix, string Suffix) DeleteKeys(TableModel table, TargetModel target)
    {
        var targetName = PgSql.QualifiedName(target.Schema, target.Table);
        var prefix = "DELETE FROM " + targetName + " AS t USING pg_catalog.json_populate_recordset(NULL::" + targetName + ", ";
        var suffix = ") AS d WHERE " + KeyMatch(table, "t", "d");
        return (prefix, suffix);
    }

    /// <summary>
    /// json and jsonb values travel as JSON strings holding their text: a JSON <c>null</c> value would
    /// otherwise arrive as SQL NULL, and json's own spacing would be lost.
    /// </summary>
    public static bool IsJson(string pgType) => PgTypeNames.BaseName(pgType, out var isArray) is "json" or "jsonb" && !isArray;

    /// <summary>
    /// Whether values of <paramref name="pgType"/> travel as a JSON string holding their text: json and
    /// jsonb (<see cref="IsJson"/>), and arrays. <c>row_to_json</c> writes an array as a JSON array, which
    /// has no lower bounds (<c>[0:1]={1,2}</c> arrived as <c>{1,2}</c>, which PostgreSQL does not call
    /// equal) and writes a JSON <c>null</c> element of a json or jsonb array as it writes an SQL NULL one;
    /// the array's text form keeps both, and the apply reads it back with the array type's input
    /// function (<c>json_populate_recordset</c> and <c>json_to_recordset</c> do, for a JSON string), so
    /// the apply's SQL needs no change for them. (Their elements then print as text: the capture pins the
    /// settings that change that, <see cref="PgTypeNames.PrintsAlikeInEverySession"/>.)
    /// </summary>
    public static bool TravelsAsText(string pgType) => IsJson(pgType) || pgType.IndexOf('[') >= 0;

    /// <summary>The capture side of <see cref="TravelsAsText"/>: a column as it goes into the JSON payload.</summary>
    public static string CaptureColumn(ColumnModel column, string alias)
    {
        var quoted = PgSql.QuoteIdentifier(column.ColumnName);
        return TravelsAsText(column.PgType) ? alias + "." + quoted + "::text AS " + quoted : alias + "." + quoted;
    }

    /// <summary>
    /// A key column as it goes into the JSON of keys to delete: an array as its text (<see cref="TravelsAsText"/>:
    /// the delete matches by equality, which compares bounds); json and jsonb as their JSON value, which
    /// is what the delete's <c>json_populate_recordset</c> compares.
    /// </summary>
    public static string CaptureKey(TableModel table, string key, string alias)
    {
        var quoted = PgSql.QuoteIdentifier(key);
        var array = table.Columns.Any(c => c.ColumnName == key && !IsJson(c.PgType) && TravelsAsText(c.PgType));
        return array ? alias + "." + quoted + "::text AS " + quoted : alias + "." + quoted;
    }

    /// <summary>TRUNCATE of the target only (not of tables inheriting from it).</summary>
    public static string Truncate(TargetModel target) =>
        "TRUNCATE ONLY " + PgSql.QualifiedName(target.Schema, target.Table);

    /// <summary><c>a."k1" = b."k1" AND a."k2" = b."k2"</c>: key columns are never NULL.</summary>
    public static string KeyMatch(TableModel table, string left, string right)
    {
        var sql = new StringBuilder();
        foreach (var key in table.KeyColumns)
        {
            var quoted = PgSql.QuoteIdentifier(key);
            sql.Append(sql.Length == 0 ? string.Empty : " AND ").Append(left).Append('.').Append(quoted)
               .Append(" = ").Append(right).Append('.').Append(quoted);
        }

        return sql.ToString();
    }
}
