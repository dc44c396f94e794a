using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Cluster;

/// <summary>The small helpers: quoting, names, process running, log redaction.</summary>
public sealed class SupportCodeTests
{
    [Theory]
    [InlineData("abc", "'abc'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("back\\slash", "'back\\\\slash'")]
    public void Conf_values_double_quotes_and_backslashes(string value, string expected) =>
        Assert.Equal(expected, ServerSettings.QuoteConfValue(value));

    [Fact]
    public void Conf_values_reject_nul_and_line_breaks()
    {
        Assert.Throws<ArgumentException>(() => ServerSettings.QuoteConfValue("a\0b"));
        Assert.Throws<ArgumentException>(() => ServerSettings.QuoteConfValue("a\nb"));
    }

    [Theory]
    [InlineData("Local", "local_")]
    [InlineData("my-db name", "my_db_name_")]
    [InlineData("9lives", "t9lives_")]
    [InlineData("", "t_")]
    public void Names_are_cleaned_lower_case_and_random(string prefix, string expectedStart)
    {
        var first = RandomText.Name(prefix);
        var second = RandomText.Name(prefix);

        Assert.StartsWith(expectedStart, first, StringComparison.Ordinal);
        Assert.Matches("^[a-z_][a-z0-9_]*$", first);
        Assert.NotEqual(first, second);
        Assert.True(Encoding.UTF8.GetByteCount(RandomText.Name(new string('é', 200))) <= 63);
    }

    [Fact]
    public void Passwords_are_long_alphanumeric_and_random()
    {
        var password = RandomText.Password();

        Assert.Matches("^[A-Za-z0-9]{32}$", password);
        Assert.NotEqual(password, RandomText.Password());
    }

    [Fact]
    public async Task Failed_command_reports_name_exit_code_and_stderr()
    {
        var command = new CommandLine("sh", ["-c", "echo to-stdout; echo broken-thing >&2; exit 3"]);

        var error = await Assert.ThrowsAsync<PostgresClusterException>(
            () => ProcessRunner.RunCheckedAsync(command, null, TimeSpan.FromSeconds(10), CancellationToken.None));

        Assert.Contains("'sh'", error.Message, StringComparison.Ordinal);
        Assert.Contains("code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("broken-thing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_past_its_timeout_is_killed()
    {
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => ProcessRunner.RunAsync(new CommandLine("sleep", ["30"]), null, TimeSpan.FromMilliseconds(300), CancellationToken.None));

        Assert.Contains("sleep", error.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Log_redaction_blanks_password_literals()
    {
        var redacted = ServerLog.Redact("STATEMENT:  CREATE ROLE \"x\" LOGIN PASSWORD 'Secret''123' VALID UNTIL 'infinity'");

        Assert.DoesNotContain("Secret", redacted, StringComparison.Ordinal);
        Assert.Contains("PASSWORD '***'", redacted, StringComparison.Ordinal);
        Assert.Contains("VALID UNTIL 'infinity'", redacted, StringComparison.Ordinal);
    }
}
