using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Installation;

/// <summary>
/// The installed SQL, as files embedded from <c>src/Runtime/sql</c> (one object per file, applied in
/// file-name order within a folder). A file knows three tokens and no other: <c>@schema@</c> (the
/// RoslynPgSync schema, quoted), <c>@schema_literal@</c> (that quoted name as a string literal, for
/// <c>regclass</c> casts and <c>format()</c>) and <c>@dblink@</c> (the dblink extension's schema,
/// quoted). Loading a file with any other <c>@token@</c> throws, so a typo cannot reach a database.
/// </summary>
internal static partial class SqlResources
{
    private const string Prefix = "RoslynPgSync.sql.";

    /// <summary>The names of the embedded files under <paramref name="folder"/> (e.g. <c>core/functions</c>), in order.</summary>
    public static IReadOnlyList<string> Files(string folder) =>
        typeof(SqlResources).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix + folder + "/", StringComparison.Ordinal) && n.IndexOf('/', Prefix.Length + folder.Length + 1) < 0)
            .Select(n => n[Prefix.Length..])
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

    /// <summary>The raw text of one file (<c>core/functions/160_apply_pending.sql</c>), tokens unreplaced.</summary>
    public static string Raw(string path)
    {
        using var stream = typeof(SqlResources).Assembly.GetManifestResourceStream(Prefix + path)
            ?? throw new InvalidOperationException($"The SQL file {path} is missing from the RoslynPgSync assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>One file with its tokens replaced.</summary>
    /// <param name="path">The file below <c>sql/</c>.</param>
    /// <param name="schema">The RoslynPgSync schema (unquoted).</param>
    /// <param name="dblinkSchema">The dblink extension's schema (unquoted).</param>
    /// <exception cref="InvalidOperationException">The file uses a token other than the three known ones.</exception>
    public static string Load(string path, string schema, string dblinkSchema) => Replace(Raw(path), path, schema, dblinkSchema);

    /// <summary>The tokens of <paramref name="sql"/> (from <paramref name="path"/>) replaced; any other token throws.</summary>
    internal static string Replace(string sql, string path, string schema, string dblinkSchema) =>
        Token().Replace(sql, match => match.Value switch
        {
            "@schema@" => PgSql.QuoteIdentifier(schema),
            "@schema_literal@" => PgSql.QuoteLiteral(PgSql.QuoteIdentifier(schema)),
            "@dblink@" => PgSql.QuoteIdentifier(dblinkSchema),
            _ => throw new InvalidOperationException(
                $"The SQL file {path} uses the unknown token {match.Value}; known: @schema@, @schema_literal@, @dblink@."),
        });

    [GeneratedRegex("@[A-Za-z0-9_]+@")]
    private static partial Regex Token();
}
