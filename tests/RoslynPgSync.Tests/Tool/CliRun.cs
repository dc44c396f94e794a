using System.IO;
using System.Threading;
using System.Threading.Tasks;
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
}
