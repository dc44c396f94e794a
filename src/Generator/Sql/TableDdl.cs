using System.Text;
using RoslynPgSync.Generator.Model;

namespace RoslynPgSync.Sql;

/// <summary>DDL for a table shaped like a model: what <c>CreateMissingTables</c> runs on either side.</summary>
internal static class TableDdl
{
    /// <summary>
    /// <c>CREATE SCHEMA IF NOT EXISTS</c> + <c>CREATE TABLE IF NOT EXISTS</c> with the model's columns in
    /// order and its primary key, so that the PK vector of the created table is the model's.
    /// </summary>
    public static string CreateTable(TableModel table, string schema, string name)
    {
        var sql = new StringBuilder();
        sql.Append("CREATE SCHEMA IF NOT EXISTS ").Append(PgSql.QuoteIdentifier(schema)).Append(";\n");
        sql.Append("CREATE TABLE IF NOT EXISTS ").Append(PgSql.QualifiedName(schema, name)).Append(" (\n");
        foreach (var column in table.Columns)
        {
            sql.Append("    ").Append(PgSql.QuoteIdentifier(column.ColumnName)).Append(' ').Append(column.PgType);
            if (!column.IsNullable)
            {
                sql.Append(" NOT NULL");
            }

            sql.Append(",\n");
        }

        sql.Append("    PRIMARY KEY (");
        for (var i = 0; i < table.KeyColumns.Count; i++)
        {
            sql.Append(i == 0 ? string.Empty : ", ").Append(PgSql.QuoteIdentifier(table.KeyColumns[i]));
        }

        sql.Append(")\n);");
        return sql.ToString();
    }
}
