using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// A destination that refuses connections, rejects the password after it was changed, or whose host
/// name no longer resolves: the status says which, the worker backs off instead of spinning, no
/// password shows up anywhere, and once it is fixed everything queued arrives.
/// </summary>
public sealed class NetworkFailureTests(OwnClusterFixture destination) : IClassFixture<OwnClusterFixture>
{
    private const string Server = "fault_async";
    private const string Table = "app.events_async";

    [Theory]
    [InlineData("refused", "Connection refused")]
    [InlineData("password", "password authentication failed")]
    [InlineData("dns", "could not translate host name")]
    public async Task Failure_is_named_in_status_backed_off_and_recovered_from(string fault, string expected)
    {
        await using var pair = await TestBed.Create().Node("remote", destination.Cluster).Pair(Server).InstallAsync(PgSyncInstaller.Tables);
        await pair.LogApplicationsAsync(Table);
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, pair, [Server], h =>
        {
            h.InstallOnStart = false;
            h.PollInterval = TimeSpan.FromMilliseconds(100);
            h.MinBackoff = TimeSpan.FromMilliseconds(200);
            h.MaxBackoff = TimeSpan.FromSeconds(1);
        });
        await host.StartAsync();
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Table} VALUES (1, 1, 1, 'before')");
        await WorkerHost.Eventually(async () => await pair.QueueDepthAsync() == 0);

        var newPassword = "Changed-" + Guid.NewGuid().ToString("N");
        var remote = new NpgsqlConnectionStringBuilder(pair.Remote.ConnectionString);
        switch (fault)
        {
            case "refused":
                await pair.CrashDestinationAsync();
                break;
            case "password":
                await Db.ExecuteAsync(pair.Remote.AdminConnectionString, $"ALTER ROLE \"{pair.Remote.OwnerRole}\" PASSWORD '{newPassword}'");
                await EndRemoteSessionsAsync(pair);
                break;
            default:
                await Db.ExecuteAsync(pair.Local.ConnectionString, $"ALTER SERVER {Server} OPTIONS (SET host 'no-such-host.invalid')");
                await EndRemoteSessionsAsync(pair);
                break;
        }

        var failuresBefore = Failures(logs);
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Table} SELECT 2, g, 1, 'during' FROM generate_series(1, 100) g");
        await Task.Delay(4000);
        var failures = Failures(logs) - failuresBefore;
        var status = await Db.ScalarAsync<string>(pair.Local.ConnectionString, "SELECT last_error FROM pgsync.status WHERE dst_server = $1", Server);

        Assert.Contains(expected, status, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(failures, 2, 12); // about eight attempts in 4 s of 200 ms..1 s backoff; a busy loop makes dozens
        Assert.Equal(1, await pair.QueueDepthAsync());

        // The fix an operator makes: start the server, or install again with the new password or host.
        if (fault == "refused")
        {
            await pair.StartDestinationAsync();
        }
        else
        {
            remote.Password = newPassword;
            var fixedOptions = new PgSyncOptions { NodeName = "local" };
            fixedOptions.AddServer(Server, fault == "password" ? remote.ConnectionString : pair.Remote.ConnectionString);
            await PgSyncInstaller.InstallAsync(pair.LocalSource, fixedOptions);
        }

        await WorkerHost.Eventually(async () => await pair.QueueDepthAsync() == 0, () => string.Join("\n", logs.Messages.TakeLast(5).Select(m => m.Message)));
        await host.StopAsync();
        if (fault == "password")
        {
            await Db.ExecuteAsync(pair.Remote.AdminConnectionString, $"ALTER ROLE \"{pair.Remote.OwnerRole}\" PASSWORD '{pair.Remote.OwnerPassword}'");
        }

        Assert.True(await pair.EqualAsync(Table, Table, "writer, item"));
        Assert.Equal(1 + 100, await pair.AssertEachChangeAppliedOnceAsync());
        Assert.Contains(logs.Messages, m => m.Message.Contains($"Destination {Server} is back", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Message.Contains(pair.Remote.OwnerPassword, StringComparison.Ordinal) || m.Message.Contains(newPassword, StringComparison.Ordinal));
        Assert.DoesNotContain(newPassword, status, StringComparison.Ordinal);
        Assert.DoesNotContain(pair.Remote.OwnerPassword, status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_destination_down_at_start_up_does_not_hold_back_the_others_while_the_install_is_retried()
    {
        // Installed as by an earlier start of the app: the destination on a cluster the test crashes, two others up.
        await using var pair = await TestBed.Create()
            .Node("remote", destination.Cluster).Pair(Server)
            .Replicate("local", "up", "reject_a", "reject_b")
            .InstallAsync(PgSyncInstaller.Tables);
        await pair.LogApplicationsAsync(Table);
        var up = pair.Node("up").Database;

        await pair.CrashDestinationAsync();
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Table} VALUES (1, 1, 1, 'waits for the destination')");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.ledger (id, amount) SELECT g, g FROM generate_series(1, 20) g");
        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(
            logs,
            pair,
            [Server],
            h =>
            {
                h.PollInterval = TimeSpan.FromMilliseconds(100);
                h.MinBackoff = TimeSpan.FromMilliseconds(200);
                h.MaxBackoff = TimeSpan.FromSeconds(1);
            },
            o => { o.CreateMissingTables = true; o.AddServer("reject_a", up.ConnectionString).AddServer("reject_b", up.ConnectionString); });
        await host.StartAsync();

        await WorkerHost.Eventually(async () => await pair.QueueDepthAsync("reject_a") == 0 && await pair.QueueDepthAsync("reject_b") == 0);
        Assert.Equal(20L, await Db.ScalarAsync<long>(up.ConnectionString, "SELECT count(*) FROM a_copy.ledger"));
        Assert.Equal(20L, await Db.ScalarAsync<long>(up.ConnectionString, "SELECT count(*) FROM b_copy.ledger"));
        Assert.False(WorkerHost.Worker(host).Installed.IsCompleted);
        Assert.Contains(logs.Messages, m => m.Message.Contains("could not install", StringComparison.Ordinal) && m.Message.Contains(Server, StringComparison.Ordinal));

        await pair.StartDestinationAsync();
        await WorkerHost.Worker(host).Installed.WaitAsync(TimeSpan.FromSeconds(30));
        await WorkerHost.Eventually(async () => await pair.QueueDepthAsync() == 0);
        await host.StopAsync();
        Assert.True(await pair.EqualAsync(Table, Table, "writer, item"));
        Assert.Equal(1, await pair.AssertEachChangeAppliedOnceAsync());
        Assert.DoesNotContain(logs.Messages, m => m.Message.Contains(pair.Remote.OwnerPassword, StringComparison.Ordinal) || m.Message.Contains(up.OwnerPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Installing_against_an_unresolvable_host_names_the_server_and_not_the_password()
    {
        await using var pair = await TestBed.Create().Node("remote", destination.Cluster).Pair(Server).InstallAsync(PgSyncInstaller.Tables);
        var broken = new NpgsqlConnectionStringBuilder(pair.Remote.ConnectionString) { Host = "no-such-host.invalid" };
        var options = new PgSyncOptions { NodeName = "local" };
        options.AddServer(Server, broken.ConnectionString);

        var error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(pair.LocalSource, options));

        Assert.Contains(Server, error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be reached", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(pair.Remote.OwnerPassword, error.ToString(), StringComparison.Ordinal);
    }

    private static int Failures(CollectingLoggerProvider logs) => logs.Messages.Count(m =>
        m.Message.Contains($"Destination {Server} failed", StringComparison.Ordinal) || m.Message.Contains($"Destination {Server} still fails", StringComparison.Ordinal));

    /// <summary>Ends the destination sessions of the remote role (dblink's open connections among them) and this process's pooled ones.</summary>
    private static async Task EndRemoteSessionsAsync(TestBed pair)
    {
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", pair.Remote.OwnerRole);
        NpgsqlConnection.ClearAllPools();
    }
}
