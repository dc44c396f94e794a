using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Installation;

namespace RoslynPgSync.Tool;

/// <summary>
/// Runs <c>pgsync &lt;command&gt; --assembly App.dll [--config appsettings.json] [--section PgSync] ...</c>
/// (the commands: <see cref="PgSyncCommandLine"/>) with its output and errors going where the caller says,
/// so tests run it in-process. Errors are one line each, <c>pgsync: &lt;message&gt;</c>, and never show a
/// password; the exit codes are <see cref="ExitCodes"/>.
/// </summary>
internal static partial class Cli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var root = PgSyncCommandLine.Create();
        // No response files: an argument starting with '@' stays an argument, as it always was.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false, // the errors below are reported as one line, not a stack trace
            ProcessTerminationTimeout = null,      // Program handles Ctrl+C; the tests run in-process
        };

        if (parse.Action is ParseErrorAction)
        {
            foreach (var message in UsageErrors(root, parse))
            {
                await error.WriteLineAsync("pgsync: " + message).ConfigureAwait(false);
            }

            await error.WriteLineAsync().ConfigureAwait(false);
            string[] help = parse.CommandResult.Command == root ? ["--help"] : [parse.CommandResult.Command.Name, "--help"];
            await root.Parse(help).InvokeAsync(new InvocationConfiguration { Output = error, Error = error }, ct).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        try
        {
            return await parse.InvokeAsync(invocation, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidDataException or PgSyncInstallException or NpgsqlException or InvalidOperationException or FileNotFoundException or BadImageFormatException)
        {
            await error.WriteLineAsync("pgsync: " + ex.Message).ConfigureAwait(false);
            return ex is ArgumentException or FormatException or InvalidDataException ? ExitCodes.UsageError : ExitCodes.Failed;
        }
    }

    /// <summary>
    /// The parser's errors, with arguments it did not expect named by the first of them only (and never
    /// when it looks like a connection string with a password): after an option a command does not take,
    /// such as <c>script --local "...;Password=..."</c>, the next argument is that option's value.
    /// </summary>
    private static IEnumerable<string> UsageErrors(Command root, ParseResult parse)
    {
        var unmatched = parse.UnmatchedTokens;
        if (unmatched.Count > 0)
        {
            var first = unmatched[0];
            var command = parse.CommandResult.Command;
            yield return command == root && !first.StartsWith('-')
                ? $"Unknown command {Quoted(first)}."
                : $"Unexpected argument {Quoted(first)} for '{CommandPath(root, command)}'.";
        }

        foreach (var parseError in parse.Errors.Where(e => !unmatched.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal))))
        {
            yield return parseError.Message;
        }
    }

    private static string CommandPath(Command root, Command command) =>
        command == root ? root.Name : root.Name + " " + command.Name;

    private static string Quoted(string token) => Secrets.Quoted(token);
}
