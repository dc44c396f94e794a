using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Npgsql;
using NpgsqlTypes;
using Xunit;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>
/// Values that break naive replication: quotes, backslashes, NULLs and the text "NULL", commas,
/// braces and quotes inside key values, unicode and emoji, control characters, 1 MB of text,
/// binary with NUL bytes, arrays with NULL elements, json kept byte for byte and jsonb, 30-digit
/// numerics, NaN and infinities, timestamps with offsets, intervals, ranges of times and dates
/// (most days under 13, so that day and month swapped still read as a date), money, and a value that contains the
/// target table's name. Inserted into any table shaped like <c>Models.HostileRow</c>.
/// </summary>
public static class HostileValues
{
    private const string Insert = """
        INSERT INTO {0} (id, code, body, blob, numbers, words, document, raw_json, amount, ratio, at, local_at, span, uid, flag, period, days, price)
        VALUES ($1, $2, $3, $4, $5::integer[], $6::text[], $7::jsonb, $8::json, $9::numeric, $10::double precision,
                $11::timestamptz, $12::timestamp, $13::interval, $14::uuid, $15::boolean, $16::tstzrange, $17::daterange, $18::money)
        """;

    /// <summary>The rows, as (id, code, body, blob, numbers, words, document, raw_json, amount, ratio, at, local_at, span, uid, flag, period, days, price).</summary>
    public static object?[][] Rows(string targetTableName)
    {
        var megabyte = string.Concat(Enumerable.Repeat("0123456789abcdef'\\\"", 1024 * 1024 / 19 + 1))[..(1024 * 1024)];
        var binary = Enumerable.Range(0, 65536).Select(i => (byte)(i * 31 % 256)).ToArray();
        return new[]
        {
            new object?[] { 1, "O'Brien \"quoted\"", "C:\\path\\to\\n and \\x41 and E'\\''", new byte[] { 0, 1, 2, 255, 0 }, "{1,2,3}", "{\"a,b\",\"{c}\",\"\\\"q\\\"\",NULL,\"NULL\",\"\"}", "{\"a\": \"b\\\"c\", \"n\": [1, 2, {\"x\": null}]}", "{\"b\": 1,  \"a\" : 2, \"a\": 3}", "123456789012345678901234567890.123456789", "NaN", "2024-02-29 23:59:59.999999+05:30", "2024-02-29 23:59:59.999999", "1 year 2 mons 3 days 04:05:06.789", "00000000-0000-0000-0000-000000000001", "true", "[2024-02-01 10:00:00+00,2024-03-05 10:00:00.5+05:30)", "[2024-02-01,2024-03-05)", "1234.56" },
            new object?[] { 2, "{a,b}", megabyte, binary, "{1,NULL,-2147483648}", "{}", "[]", "[]", "NaN", "Infinity", "infinity", "-infinity", "-178000000 years", null, "false", "empty", "(,)", "-92233720368547.58" },
            new object?[] { 3, "Ünïcödé 🚀 日本語 ∑", $"contains {targetTableName} and \"copy\".\"{targetTableName}\"; DROP TABLE x; --", Array.Empty<byte>(), null, "{\"🚀\",\"日本\"}", "{\"emoji\": \"🚀\", \"esc\": \"\\u0001\"}", "null", "-0.000000000000000000000000000001", "-Infinity", "1970-01-01 00:00:00+00", "0001-01-01 00:00:00", "-00:00:00.000001", "ffffffff-ffff-ffff-ffff-ffffffffffff", null, "(-infinity,infinity]", "[2000-01-01,)", "0" },
            new object?[] { 4, string.Empty, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null },
            new object?[] { 5, "NULL", "null", null, "{0}", "{NULL}", "null", "\"NULL\"", "0", "-0", null, null, "0", null, null, "[1999-12-31 23:59:59.999999-12:00,2000-01-03 00:00:00+14:00]", "empty", "-0.01" },
            new object?[] { 6, "tab\tnew\nline\rcr", "\r\n\t\u0001\u007f", new byte[] { 92, 120, 48 }, null, "{\"\\\\\",\"'\"}", "{\"k\": \"\\\\\"}", "  {\"spaced\" :  true }  ", "1e-30", "1.7976931348623157e308", "2000-01-01 00:00:00-12:00", null, "P1Y2M3DT4H5M6S", null, "true", "(,2024-01-12 00:00:00+00)", "[2024-12-31,2025-01-13]", "99" },
            new object?[] { 7, " trailing backslash \\", "\\", null, null, null, null, null, "99999999999999999999999999999999999999", "4.9e-324", null, null, null, null, null, null, "(,1970-01-02)", null },
        };
    }

    /// <summary>Inserts every hostile row into <paramref name="table"/> (e.g. <c>app.hostile_async</c>), one statement per row.</summary>
    /// <param name="connectionString">The writer's connection.</param>
    /// <param name="table">The table written.</param>
    /// <param name="targetTableName">The target's name, which one of the values holds.</param>
    /// <param name="setup">Statements the writer's session runs first (settings), or <c>null</c>.</param>
    public static async Task InsertAsync(string connectionString, string table, string targetTableName, string? setup = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        if (setup is not null)
        {
            await using var settings = new NpgsqlCommand(setup, connection);
            await settings.ExecuteNonQueryAsync();
        }

        foreach (var row in Rows(targetTableName))
        {
            await using var command = new NpgsqlCommand(Insert.Replace("{0}", table, StringComparison.Ordinal), connection);
            for (var i = 0; i < row.Length; i++)
            {
                var parameter = i switch
                {
                    0 => new NpgsqlParameter { Value = row[i], NpgsqlDbType = NpgsqlDbType.Integer },
                    3 => new NpgsqlParameter { Value = row[i] ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea },
                    _ => new NpgsqlParameter { Value = row[i] ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                };
                command.Parameters.Add(parameter);
            }

            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A locale whose money text differs from C's (<c>1.234,56 €</c>): scripts/ensure-postgres.sh generates it.</summary>
    public const string MoneyLocale = "de_DE.UTF-8";

    /// <summary>Fails, saying how to get it, when the server cannot use <paramref name="locale"/>.</summary>
    public static async Task RequireLocaleAsync(string connectionString, string locale)
    {
        try
        {
            await Db.ExecuteAsync(connectionString, $"SET lc_monetary = '{locale}'");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidParameterValue)
        {
            Assert.Fail($"This machine lacks the locale {locale} (needed to write money as another locale does): run scripts/ensure-postgres.sh as root, or localedef -i de_DE -f UTF-8 de_DE.UTF-8, before the test clusters start. {e.MessageText}");
        }
    }

    /// <summary>A digest of a table's rows that shows which row differs, without printing 1 MB.</summary>
    public static async Task<string> DigestAsync(string connectionString, string table)
    {
        var rows = await TestBed.RowsAsync(connectionString, table, "id, code");
        var digest = new StringBuilder();
        foreach (var row in rows)
        {
            digest.Append(row.Length > 120 ? row[..60] + "…" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(row)))[..16] : row).Append('\n');
        }

        return digest.ToString();
    }
}
