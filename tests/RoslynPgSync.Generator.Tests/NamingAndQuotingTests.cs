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
}
