using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Installation;

/// <summary>
/// What the installer logs (events 1000-1004, docs/logging.md): that it starts, each step of the install
/// plan in order, that it committed, why it refused, what uninstall removed; and never a password or a
/// connection string, in a message or in its structured state.
/// </summary>
public sealed class InstallerLoggingTests
{
    [Fact]
    public async Task Uninstall_logs_what_it_removed_and_an_install_logs_started_every_plan_step_in_order_and_installed()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var logs = new CollectingLoggerProvider();
        var logger = logs.CreateLogger("installer");

        await PgSyncInstaller.UninstallAsync(pair.LocalSource, pair.Options, logger);
        var uninstalled = Assert.Single(logs.Messages);
        Assert.Equal((PgSyncEventIds.Uninstalled, nameof(PgSyncEventIds.Uninstalled), LogLevel.Information), (uninstalled.EventId.Id, uninstalled.EventId.Name, uninstalled.Level));
        Assert.Equal(
            "RoslynPgSync uninstalled: schema pgsync dropped, capture removed from 1 table(s) app.hostile_async, foreign server(s) async_dst dropped; tables and rows stay",
            uninstalled.Message);

        // A first install again (the schema is gone): every step of the plan runs, in the plan's order.
        await PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options, logger);
        // (After Installed, the initial copies the install recorded log in their own range, 5000-5999.)
        var install = logs.Messages.Skip(1).Where(m => m.EventId.Id < 2000).ToList();
        Assert.All(logs.Messages.Skip(1 + install.Count), m => Assert.InRange(m.EventId.Id, 5000, 5999));
        var plan = InstallPlan.Create(pair.Options, PgSyncInstaller.Tables);
        var steps = plan.Steps(pair.Options, pair.Options.Schema).Select(s => s.Description).ToList();
        Assert.Equal(
            new[] { PgSyncEventIds.InstallStarted }.Concat(steps.Select(_ => PgSyncEventIds.InstallStep)).Append(PgSyncEventIds.Installed),
            install.Select(m => m.EventId.Id));
        Assert.All(install, m => Assert.Equal(Name(m.EventId.Id), m.EventId.Name));

        var started = install[0];
        Assert.Equal(LogLevel.Debug, started.Level);
        Assert.StartsWith("Installing RoslynPgSync in schema pgsync: 1 table(s) app.hostile_async for destination(s) async_dst; ", started.Message, StringComparison.Ordinal);
        Assert.Equal(plan.Skipped.Count, Value(started, "SkippedCount"));

        var stepLogs = install.Skip(1).Take(steps.Count).ToList();
        Assert.All(stepLogs, m => Assert.Equal(LogLevel.Debug, m.Level));
        Assert.Equal(Enumerable.Range(1, steps.Count), stepLogs.Select(m => (int)Value(m, "Step")!));
        Assert.All(stepLogs, m => Assert.Equal(steps.Count, Value(m, "StepCount")));
        Assert.Equal(steps, stepLogs.Select(m => (string)Value(m, "Description")!));
        Assert.Contains(stepLogs, m => m.Message.Contains("ran in", StringComparison.Ordinal) && m.Message.EndsWith(": the password of server async_dst, for its user mapping only (transaction-local)", StringComparison.Ordinal));

        var installed = install[^1];
        Assert.Equal(LogLevel.Information, installed.Level);
        Assert.StartsWith("RoslynPgSync installed 1 table(s) app.hostile_async for destination(s) async_dst in ", installed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Messages, m => m.EventId.Id == PgSyncEventIds.InstallRefused);

        AssertNoSecret(logs, pair);
    }

    [Fact]
    public async Task Unreachable_destination_is_logged_as_refused_with_the_reason_and_the_same_exception_is_thrown()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var logs = new CollectingLoggerProvider();
        await pair.TakeRemoteDownAsync();

        PgSyncInstallException error;
        try
        {
            error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options, logs.CreateLogger("installer")));
        }
        finally
        {
            await pair.BringRemoteBackAsync();
        }

        Assert.StartsWith("Destination server async_dst (Host=", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
        Assert.Equal(new[] { PgSyncEventIds.InstallStarted, PgSyncEventIds.InstallRefused }, logs.Messages.Select(m => m.EventId.Id));
        var refused = logs.Messages[^1];
        Assert.Equal((nameof(PgSyncEventIds.InstallRefused), LogLevel.Warning), (refused.EventId.Name, refused.Level));
        Assert.Equal(error.Message, Value(refused, "Reason"));
        Assert.Equal("RoslynPgSync did not install and changed nothing: " + error.Message, refused.Message);
        AssertNoSecret(logs, pair);
    }

    [Fact]
    public async Task Schema_drift_and_unregistered_servers_are_logged_as_refused_and_never_as_installed()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var logs = new CollectingLoggerProvider();
        var logger = logs.CreateLogger("installer");
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "ALTER TABLE copy.hostile_async DROP COLUMN body");

        var drift = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options, logger));

        Assert.Contains("has no column \"body\"", drift.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { PgSyncEventIds.InstallStarted, PgSyncEventIds.InstallRefused }, logs.Messages.Select(m => m.EventId.Id));
        Assert.Equal(drift.Message, Value(logs.Messages[^1], "Reason"));

        // Refused before there is a plan (no server of any table registered): the refusal alone, with its reason.
        var none = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(
            pair.LocalSource, new PgSyncOptions().AddServer("unused", pair.Remote.ConnectionString), logger));
        var refused = logs.Messages[^1];
        Assert.Equal((PgSyncEventIds.InstallRefused, LogLevel.Warning), (refused.EventId.Id, refused.Level));
        Assert.Equal(none.Message, Value(refused, "Reason"));
        Assert.StartsWith("No table can be installed", none.Message, StringComparison.Ordinal);
        Assert.Equal(3, logs.Messages.Count);
        Assert.DoesNotContain(logs.Messages, m => m.EventId.Id is PgSyncEventIds.Installed or PgSyncEventIds.InstallStep);
        AssertNoSecret(logs, pair);
    }

    [Fact]
    public async Task The_hosted_worker_s_start_up_install_is_logged_through_the_worker_s_logger()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, pair, ["async_dst"], h => h.PollInterval = TimeSpan.FromSeconds(1));
        await host.StartAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync();

        var ids = logs.Messages.Select(m => m.EventId.Id).ToList();
        var steps = InstallPlan.Create(pair.Options, PgSyncInstaller.Tables).Steps(pair.Options, pair.Options.Schema).Count;
        Assert.Equal(steps, ids.Count(id => id == PgSyncEventIds.InstallStep));
        Assert.True(
            ids.IndexOf(PgSyncEventIds.InstallStarted) >= 0 && ids.IndexOf(PgSyncEventIds.InstallStarted) < ids.IndexOf(PgSyncEventIds.Installed)
            && ids.IndexOf(PgSyncEventIds.Installed) < ids.IndexOf(PgSyncEventIds.WorkerInstalled),
            string.Join("\n", logs.Messages.Select(m => $"{m.EventId.Id} {m.Message}")));
        AssertNoSecret(logs, pair);
    }

    [Fact]
    public void A_step_value_prints_as_its_script_text_so_a_secret_never_reaches_a_message()
    {
        var secret = StepValue.Secret("Pw-that-must-never-leak-7d41", "pgsync_password_async_dst");

        Assert.Equal(":'pgsync_password_async_dst'", secret.ToString());
        Assert.Equal("'local'", StepValue.Text("local").ToString());
        Assert.DoesNotContain("Pw-that-must-never-leak-7d41", $"{secret}", StringComparison.Ordinal);
    }

    /// <summary>No message, and no value of any message's state, holds a password or a connection string of either database.</summary>
    private static void AssertNoSecret(CollectingLoggerProvider logs, TestBed pair)
    {
        Assert.NotEmpty(logs.Messages);
        var secrets = new[] { pair.Remote.ConnectionString, pair.Local.ConnectionString, pair.Remote.OwnerPassword, pair.Local.OwnerPassword, "Password=" };
        foreach (var (_, message, eventId, state, _) in logs.Messages)
        {
            foreach (var text in state.Select(v => v.Key + "=" + Text(v.Value)).Prepend(message))
            {
                // (Every secret masked in the failure message, so that a failing test does not print one either.)
                var masked = secrets.Aggregate(text, (t, secret) => t.Replace(secret, "***", StringComparison.OrdinalIgnoreCase));
                Assert.True(masked == text, $"event {eventId.Id} logs a password or connection string (***) in: {masked}");
            }
        }
    }

    private static object? Value((LogLevel Level, string Message, EventId EventId, IReadOnlyList<KeyValuePair<string, object?>> State, DateTime At) message, string name) =>
        Assert.Single(message.State, v => v.Key == name).Value;

    private static string Text(object? value) =>
        value is IEnumerable items and not string ? string.Join(", ", items.Cast<object?>().Select(Text)) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;

    private static string? Name(int id) =>
        typeof(PgSyncEventIds).GetFields().Single(f => f.IsLiteral && (int)f.GetRawConstantValue()! == id).Name;
}
