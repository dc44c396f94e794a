using System;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Tool;

namespace RoslynPgSync.Tests.Tool;

/// <summary>Runs the <c>pgsync</c> command line in this process and captures what it wrote.</summary>
internal static class CliRun
{
    /// <summary>The exit code and the text written to standard output and standard error.</summary>
    public static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>As <see cref="RunAsync(string[])"/>, <paramref name="ct"/> standing for Ctrl+C (Program cancels it).</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(CancellationToken ct, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Cli.RunAsync(args, output, error, ct);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// A configuration file for the tool, in a folder removed on dispose: the bed's local database and
    /// its remote as <paramref name="server"/>; <see cref="App.Args"/> puts it and this test assembly
    /// (its generated tables) after a command's name.
    /// </summary>
    public static async Task<App> ConfigureAsync(TestBed bed, string server)
    {
        var folder = new TempFolder("roslynpgsync-cli-");
        var config = Path.Combine(folder.Path, "appsettings.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            PgSync = new { LocalConnectionString = bed.Local.ConnectionString, Servers = new System.Collections.Generic.Dictionary<string, string> { [server] = bed.Remote.ConnectionString } },
        }));
        return new App(folder, config);
    }

    /// <summary>The app assembly and configuration file the tool is run with.</summary>
    internal sealed class App(TempFolder folder, string config) : IDisposable
    {
        public string Assembly { get; } = typeof(PgSyncInstaller).Assembly.Location;

        public string Config { get; } = config;

        /// <summary><paramref name="command"/> and its <paramref name="options"/>, then <c>--assembly</c> and <c>--config</c>.</summary>
        public string[] Args(string command, params string[] options) => [command, .. options, "--assembly", Assembly, "--config", Config];

        public Task<(int Code, string Output, string Error)> RunAsync(string command, params string[] options) => CliRun.RunAsync(Args(command, options));

        public void Dispose() => folder.Dispose();
    }
}
