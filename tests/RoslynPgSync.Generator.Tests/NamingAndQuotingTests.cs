using RoslynPgSync.Generator.Parsing;
using RoslynPgSync.Sql;
using Xunit;

namespace RoslynPgSync.Generator.Tests;

/// <summary>The pure naming and quoting rules shared by the generator and the runtime.</summary>
public sealed class NamingAndQuotingTests
{
    [Theory]
    [InlineData("CrtTime", "crt_time")]
    [InlineData("Pk1", "pk1")]
    [InlineData("Id", "id")]
    [InlineData("HTTPServer", "http_server")]
    [InlineData("UserID", "user_id")]
    [InlineData("Address2Line", "address2_line")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("LocTest", "loc_test")]
    [InlineData("Größe", "größe")]
    public void Snake_case_follows_ef_core_convention(string member, string column) =>
        Assert.Equal(column, SnakeCase.Convert(member));

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("Mixed Case", "\"Mixed Case\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("select", "\"select\"")]
    public void Identifiers_are_always_double_quoted_with_quotes_doubled(string identifier, string quoted) =>
        Assert.Equal(quoted, PgSql.QuoteIdentifier(identifier));

    [Theory]
    [InlineData("O'Brien", "'O''Brien'")]
    [InlineData("C:\\path", "E'C:\\\\path'")]
    [InlineData("it's \\ both", "E'it''s \\\\ both'")]
    [InlineData("", "''")]
    public void Literals_double_quotes_and_escape_backslashes(string value, string literal) =>
        Assert.Equal(literal, PgSql.QuoteLiteral(value));

    [Theory]
    [InlineData("ok", true)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("a\0b", false)]
    [InlineData("123456789012345678901234567890123456789012345678901234567890123", true)]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234", false)]
    [InlineData("ääääääääääääääääääääääääääääääää", false)]
    public void Identifier_rules_count_utf8_bytes(string identifier, bool valid) =>
        Assert.Equal(valid, PgSql.IdentifierProblem(identifier) is null);

    // The capture pins DateStyle and lc_monetary only for tables with a column whose JSON is a text
    // form those settings change (a date range under "SQL, DMY", money under another locale).
    [Theory]
    [InlineData("integer", true)]
    [InlineData("timestamp(0) with time zone", true)]
    [InlineData("character varying(20)[]", true)]
    [InlineData("pg_catalog.date", true)]
    [InlineData("numeric (12, 2)", true)]
    [InlineData("int8range", true)]
    [InlineData("daterange", false)]
    [InlineData("tstzrange[]", false)]
    [InlineData("tsmultirange", false)]
    [InlineData("money", false)]
    [InlineData("pg_catalog.money", false)]
    [InlineData("app.price_domain", false)]
    [InlineData("hstore", false)]
    public void Types_whose_text_a_session_setting_changes_are_told_apart(string pgType, bool alike) =>
        Assert.Equal(alike, PgTypeNames.PrintsAlikeInEverySession(pgType));

    [Theory]
    [InlineData("timestamp(0) with time zone", "timestamp with time zone", false)]
    [InlineData("  Character  Varying(10) [] ", "character varying", true)]
    [InlineData("pg_catalog.json", "json", false)]
    [InlineData("integer[][]", "integer", true)]
    public void Type_names_reduce_to_their_base_name(string pgType, string baseName, bool isArray)
    {
        Assert.Equal(baseName, PgTypeNames.BaseName(pgType, out var array));
        Assert.Equal(isArray, array);
    }

    // json and jsonb travel as JSON strings (a JSON null value stays a value): also when the model
    // names them with their schema.
    [Theory]
    [InlineData("jsonb", true)]
    [InlineData("pg_catalog.json", true)]
    [InlineData(" JSONB ", true)]
    [InlineData("jsonb[]", false)]
    [InlineData("text", false)]
    public void Json_columns_are_told_by_their_base_name(string pgType, bool isJson) =>
        Assert.Equal(isJson, RemoteSql.IsJson(pgType));
}
