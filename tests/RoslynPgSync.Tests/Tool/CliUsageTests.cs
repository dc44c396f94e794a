using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Tool;
using Xunit;

namespace RoslynPgSync.Tests.Tool;

/// <summary>The pgsync command line without a database: help, usage errors, exit codes, no password shown.</summary>
public sealed class CliUsageTests
{
    private static readonly string App = typeof(CliUsageTests).Assembly.Location;

    [Theory]
    [InlineData("script", "--assembly --config --section", "--local --limit --destination")]
    [InlineData("install", "--assembly --config --section --local", "--limit --destination")]
    [InlineData("uninstall", "--assembly --config --section --local", "--limit --destination")]
    [InlineData("status", "--assembly --config --section --local", "--limit --destination")]
    [InlineData("conflicts", "--assembly --config --section --local --limit --table", "--destination --replace")]
    [InlineData("verify", "--assembly --config --section --local", "--limit --destination")]
    [InlineData("replay", "--assembly --config --section --local --limit", "--destination")]
    [InlineData("copy", "--assembly --config --section --local --table --replace --wait", "--limit --destination")]
    [InlineData("dba-script", "--destination", "--assembly --config --section --local --limit")]
    public async Task Every_command_has_its_own_help_that_describes_exactly_its_options(string command, string options, string others)
    {
        var help = await CliRun.RunAsync(command, "--help");

        Assert.Equal(ExitCodes.Success, help.Code);
        Assert.Contains($"pgsync {command} [options]", help.Output, StringComparison.Ordinal);
        foreach (var option in options.Split(' '))
        {
            // Each option on a line of its own with a description after it.
            Assert.Matches($@"(?m)^\s+{option}\b.*\s{{2,}}\S", help.Output);
        }

        foreach (var option in others.Split(' '))
        {
            Assert.DoesNotMatch($@"(?m)^\s+{option}\b", help.Output);
        }

        Assert.Equal(help.Output, (await CliRun.RunAsync("help", command)).Output);
    }

    [Fact]
    public async Task Pgsync_alone_prints_the_usage_with_every_command_and_is_a_usage_error()
    {
        var alone = await CliRun.RunAsync();
        var help = await CliRun.RunAsync("--help");

        Assert.Equal(ExitCodes.UsageError, alone.Code);
        Assert.Equal(ExitCodes.Success, help.Code);
        Assert.Equal(help.Output, alone.Output);
        Assert.Equal(help.Output, (await CliRun.RunAsync("help")).Output);
        foreach (var command in new[] { "script", "install", "uninstall", "status", "conflicts", "verify", "replay", "dba-script" })
        {
            Assert.Matches($@"(?m)^\s+{command}\s{{2,}}\S", help.Output);
        }
    }

    [Fact]
    public async Task An_unknown_command_is_a_usage_error_that_names_it()
    {
        var unknown = await CliRun.RunAsync("frobnicate", "--assembly", App);

        Assert.Equal(ExitCodes.UsageError, unknown.Code);
        Assert.StartsWith("pgsync: Unknown command 'frobnicate'.", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("pgsync [command] [options]", unknown.Error, StringComparison.Ordinal);
        Assert.Empty(unknown.Output);
    }

    [Theory]
    [InlineData("script")]
    [InlineData("install")]
    [InlineData("verify")]
    [InlineData("replay")]
    public async Task A_missing_assembly_option_is_a_usage_error_that_names_it(string command)
    {
        var missing = await CliRun.RunAsync(command, "--section", "PgSync");

        Assert.Equal(ExitCodes.UsageError, missing.Code);
        Assert.StartsWith("pgsync: Option '--assembly' is required.", missing.Error, StringComparison.Ordinal);
        Assert.Contains($"pgsync {command} [options]", missing.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    public async Task A_limit_that_is_not_a_positive_number_is_a_usage_error(string limit)
    {
        var bad = await CliRun.RunAsync("replay", "--assembly", App, "--limit", limit);

        Assert.Equal(ExitCodes.UsageError, bad.Code);
        Assert.Contains("--limit", bad.Error.Split('\n')[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    public async Task A_copy_wait_that_is_not_a_positive_number_of_seconds_is_a_usage_error(string wait)
    {
        var bad = await CliRun.RunAsync("copy", "--assembly", App, "--wait", wait);

        Assert.Equal(ExitCodes.UsageError, bad.Code);
        Assert.Contains("--wait", bad.Error.Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_in_an_argument_pgsync_did_not_expect_is_never_shown()
    {
        const string Secret = "Host=127.0.0.1;Username=app;Password=hunter2";

        // script takes no --local: the connection string after it is an unexpected argument too.
        var script = await CliRun.RunAsync("script", "--assembly", App, "--local", Secret);
        var stray = await CliRun.RunAsync("install", "--assembly", App, Secret);

        Assert.Equal(ExitCodes.UsageError, script.Code);
        Assert.StartsWith("pgsync: Unexpected argument '--local' for 'pgsync script'.", script.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageError, stray.Code);
        Assert.StartsWith("pgsync: Unexpected argument (a value with a password, not shown) for 'pgsync install'.", stray.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", script.Error + script.Output + stray.Error + stray.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exit_codes_are_the_documented_numbers_and_what_the_commands_return()
    {
        Assert.Equal((0, 1, 1, 2), (ExitCodes.Success, ExitCodes.Differences, ExitCodes.Failed, ExitCodes.UsageError));
        var docs = Repository.ReadAllText("docs/cli.md").Split('\n');
        foreach (var field in typeof(ExitCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var value = (int)field.GetRawConstantValue()!;
            Assert.Contains(docs, line => line.StartsWith($"| {value} |", StringComparison.Ordinal) && line.Contains($"`{field.Name}`", StringComparison.Ordinal));
        }

        Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync("dba-script")).Code);
        Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync("install", "--help")).Code);
        Assert.Equal(ExitCodes.Failed, (await CliRun.RunAsync("status", "--assembly", "/nonexistent/App.dll")).Code);
        // No destination is configured: nothing can be installed.
        Assert.Equal(ExitCodes.Failed, (await CliRun.RunAsync("script", "--assembly", App, "--section", "NoSuchSection")).Code);
        Assert.Equal(ExitCodes.UsageError, (await CliRun.RunAsync("status", "--assembly", App, "--section", "NoSuchSection")).Code);
        // verify's Differences: CliTests, against a real destination.
    }

    [Fact]
    public async Task Dba_script_prints_the_source_or_the_destination_set_up()
    {
        var source = await CliRun.RunAsync("dba-script");
        var destination = await CliRun.RunAsync("dba-script", "--destination");

        Assert.Equal(RoslynPgSync.Installation.PgSyncInstallation.GetDbaSetupScript(false), source.Output);
        Assert.Equal(RoslynPgSync.Installation.PgSyncInstallation.GetDbaSetupScript(true), destination.Output);
        Assert.NotEqual(source.Output, destination.Output);
    }

    [Fact]
    public async Task A_configuration_file_that_is_not_json_is_a_usage_error_that_names_the_file()
    {
        using var folder = new TempFolder("roslynpgsync-cli-");
        var config = Path.Combine(folder.Path, "appsettings.json");
        await File.WriteAllTextAsync(config, "{ \"PgSync\": { ");

        var bad = await CliRun.RunAsync("script", "--assembly", App, "--config", config);

        Assert.Equal(ExitCodes.UsageError, bad.Code);
        Assert.Contains(config, bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_reads_the_servers_from_the_named_section()
    {
        using var folder = new TempFolder("roslynpgsync-cli-");
        var config = Path.Combine(folder.Path, "appsettings.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Replication = new { Servers = new { async_dst = "Host=127.0.0.1;Database=copy;Username=copy;Password=hunter2" } },
        }));

        var script = await CliRun.RunAsync("script", "--assembly", App, "--config", config, "--section", "Replication");

        Assert.Equal(ExitCodes.Success, script.Code);
        Assert.Contains("async_dst", script.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", script.Output, StringComparison.Ordinal);
    }
}
