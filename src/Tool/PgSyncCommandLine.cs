using System;
using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace RoslynPgSync.Tool;

/// <summary>
/// The <c>pgsync</c> command line, declared once: every command with its description, options and
/// action. Help (<c>pgsync --help</c>, <c>pgsync install --help</c>) is generated from it.
/// </summary>
internal static class PgSyncCommandLine
{
    /// <summary>The name of the tool, whatever the process is called (a dotnet tool shim, a test host).</summary>
    public const string Name = "pgsync";

    private static readonly string Description = string.Create(
        CultureInfo.InvariantCulture,
        $"""
        Install, watch, verify and replay replication for an app built with RoslynPgSync.
        The tables come from the app's assembly (--assembly); the destinations and the local database from
        its configuration (--config, --section) and environment variables (PgSync__Servers__dst=...,
        PgSync__LocalConnectionString=...). Run 'pgsync <command> --help' for a command's options.

        Exit codes: {ExitCodes.Success} success; {ExitCodes.Differences} verify found differences, or the command failed; {ExitCodes.UsageError} usage or configuration error.
        """);

    /// <summary>A new tree for each run: System.CommandLine's symbols are cheap and not meant to be shared across parses in flight.</summary>
    public static Command Create()
    {
        var assembly = new Option<string>("--assembly")
        {
            HelpName = "App.dll",
            Required = true,
            Description = "The app's built assembly; its generated PgSyncInstaller.Tables name the replicated tables",
        };
        var config = new Option<string?>("--config")
        {
            HelpName = "appsettings.json",
            Description = "The app's JSON configuration file; environment variables (PgSync__...) are read as well",
        };
        var section = new Option<string>("--section")
        {
            HelpName = "name",
            DefaultValueFactory = _ => "PgSync",
            Description = "The configuration section with LocalConnectionString and Servers, as AddPgSync reads it",
        };
        var local = new Option<string?>("--local")
        {
            HelpName = "connection string",
            Description = "The local database's Npgsql connection string, instead of the section's LocalConnectionString",
        };
        var limit = new Option<int>("--limit")
        {
            HelpName = "n",
            DefaultValueFactory = _ => 1000,
            Description = "At most this many of the oldest queued entries are applied",
        };
        Positive(limit, "--limit must be a positive number.");
        var table = new Option<string?>("--table")
        {
            HelpName = "schema.table",
            Description = "Copy only this source table, from the beginning again (its name alone will do when it is unique)",
        };
        var conflictLimit = new Option<int>("--limit")
        {
            HelpName = "count",
            DefaultValueFactory = _ => 20,
            Description = "At most this many of the latest conflicts",
        };
        Positive(conflictLimit, "--limit must be a positive number.");
        var conflictTable = new Option<string?>("--table")
        {
            HelpName = "schema.table",
            Description = "Only this target table's conflicts (its name alone will do)",
        };
        var replace = new Option<bool>("--replace")
        {
            Description = "Empty the targets first, so that they end equal to the source (rows the source lacks are removed)",
        };
        var repair = new Option<bool>("--repair")
        {
            Description = "Print the SQL that would make each differing destination equal to the source for the differing keys (a dry run); with --apply, queue and apply it",
        };
        var apply = new Option<bool>("--apply")
        {
            Description = "With --repair: repair, through the destination's queue and in its order, then verify again",
        };
        var wait = new Option<int>("--wait")
        {
            HelpName = "seconds",
            DefaultValueFactory = _ => 60,
            Description = "How long a copy waits for a destination that applies none of its chunks (down, or refusing one) before it stops with exit code 1; a later copy resumes",
        };
        Positive(wait, "--wait must be a positive number of seconds.");
        var destination = new Option<bool>("--destination")
        {
            Description = "The set-up for a destination database instead of the source's",
        };

        var root = new Command(Name, Description) { new HelpOption(), new VersionOption() };
        root.SetAction(parse =>
        {
            // 'pgsync' alone: the usage, and a code that tells a script nothing was done.
            new HelpAction().Invoke(parse);
            return ExitCodes.UsageError;
        });

        root.Add(AppCommand("script", "Print the install SQL (passwords as psql variables) for review, or to run with psql",
            (app, _, output, _) => Commands.ScriptAsync(app, output)));
        root.Add(DatabaseCommand("install", "Install (or re-install) replication on the local database",
            (db, app, _, output, ct) => Commands.InstallAsync(db, app, output, ct)));
        root.Add(DatabaseCommand("uninstall", "Remove triggers, functions, foreign servers and the pgsync schema (tables and their rows stay)",
            (db, app, _, output, ct) => Commands.UninstallAsync(db, app, output, ct)));
        root.Add(DatabaseCommand("status", "Per destination: queue depth, oldest entry age, last success, last error",
            (db, app, _, output, ct) => Commands.StatusAsync(db, app, output, ct)));
        root.Add(DatabaseCommand("conflicts", "The latest conflicts this database met as a destination of tables with a conflict policy: key, kind, resolution, both rows",
            (db, app, parse, output, ct) => Commands.ConflictsAsync(db, app, parse.GetValue(conflictLimit), parse.GetValue(conflictTable), output, ct), conflictLimit, conflictTable));
        root.Add(DatabaseCommand("verify", $"Compare every table with its destinations at a consistent point; exit code {ExitCodes.Differences} when one differs (after --repair --apply: still differs)",
            (db, app, parse, output, ct) => Commands.VerifyAsync(db, app, parse.GetValue(repair), parse.GetValue(apply), output, ct), repair, apply));
        root.Add(DatabaseCommand("replay", "Apply up to --limit of the oldest queued entries now",
            (db, app, parse, output, ct) => Commands.ReplayAsync(db, app, parse.GetValue(limit), output, ct), limit));

        root.Add(DatabaseCommand("copy", "Run the initial copies the install recorded (resuming after their last chunk), with a progress bar; --table or --replace copy again from the beginning",
            (db, app, parse, output, ct) => Commands.CopyAsync(db, app, parse.GetValue(table), parse.GetValue(replace), TimeSpan.FromSeconds(parse.GetValue(wait)), output, parse.InvocationConfiguration.Error, ct),
            table, replace, wait));

        var dbaScript = new Command("dba-script", "Print the one-time superuser set-up for the source database (--destination: for a destination database); needs no --assembly")
        {
            destination,
        };
        dbaScript.SetAction((parse, _) => Commands.DbaScriptAsync(parse.GetValue(destination), parse.InvocationConfiguration.Output));
        root.Add(dbaScript);

        // 'pgsync help [command]', as before System.CommandLine: the same as '--help'.
        var topic = new Argument<string?>("command") { Arity = ArgumentArity.ZeroOrOne };
        var help = new Command("help", "Show help for pgsync or one of its commands") { Hidden = true };
        help.Add(topic);
        help.SetAction((parse, ct) =>
            root.Parse(parse.GetValue(topic) is { } command ? [command, "--help"] : ["--help"]).InvokeAsync(parse.InvocationConfiguration, ct));
        root.Add(help);
        return root;

        // A command that reads the app's assembly and configuration.
        Command AppCommand(string name, string description, Func<AppConfiguration, ParseResult, TextWriter, CancellationToken, Task<int>> run, params Option[] extra)
        {
            var command = new Command(name, description) { assembly, config, section };
            foreach (var option in extra)
            {
                command.Add(option);
            }

            command.SetAction((parse, ct) =>
            {
                var app = AppConfiguration.Load(parse.GetRequiredValue(assembly), parse.GetValue(config), parse.GetRequiredValue(section));
                return run(app, parse, parse.InvocationConfiguration.Output, ct);
            });
            return command;
        }

        // An app command that also connects to the local database.
        Command DatabaseCommand(string name, string description, Func<NpgsqlDataSource, AppConfiguration, ParseResult, TextWriter, CancellationToken, Task<int>> run, params Option[] extra) =>
            AppCommand(name, description, async (app, parse, output, ct) =>
            {
                var dataSource = NpgsqlDataSource.Create(app.LocalConnectionString(parse.GetValue(local)));
                await using (dataSource.ConfigureAwait(false))
                {
                    return await run(dataSource, app, parse, output, ct).ConfigureAwait(false);
                }
            }, [local, .. extra]);
    }

    /// <summary>Refuses a value of <paramref name="option"/> that is a number but not positive (one that is not a number is the parser's own error; the default needs no check).</summary>
    private static void Positive(Option<int> option, string error) =>
        option.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && value <= 0)
            {
                result.AddError(error);
            }
        });
}
