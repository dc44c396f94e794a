using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// A destination that stops answering after it was connected: every process of its cluster stopped
/// with SIGSTOP, so its kernel still accepts and acknowledges TCP and no keepalive notices anything.
/// The worker gives up on it after <c>RemoteTimeout</c> (and a new connection after the server's
/// <c>connect_timeout</c>), releases the destination's lock, backs off, and drains everything once
/// when the destination answers again; a committer gives up after <c>CommitTimeout</c>, and a session
/// that set <c>pgsync.remote_timeout</c> after that.
/// </summary>
public sealed class StalledDestinationTests(OwnClusterFixture destination, ITestOutputHelper output) : IClassFixture<OwnClusterFixture>
{
    [Fact]
    public async Task A_destination_that_stops_answering_holds_the_worker_and_its_lock_no_longer_than_the_remote_timeout()
    {
        await using var pair = await TestBed.Create().Node("remote", destination.Cluster).Pair("fault_async").InstallAsync(PgSyncInstaller.Tables);
        const string Table = "app.events_async";
        await pair.LogApplicationsAsync(Table);
        await Db.ExecuteAsync(pair.Local.ConnectionString, "ALTER SERVER fault_async OPTIONS (SET connect_timeout '2')");
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Table} SELECT g / 100, g % 100, 1, 'first' FROM generate_series(0, 999) g");

        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, pair, ["fault_async"], h =>
        {
            h.InstallOnStart = false;
            h.RemoteTimeout = TimeSpan.FromSeconds(2);
            h.PollInterval = TimeSpan.FromMilliseconds(200);
            h.MinBackoff = TimeSpan.FromMilliseconds(200);
            h.MaxBackoff = TimeSpan.FromSeconds(1);
        });
        await host.StartAsync();
        await WorkerHost.Eventually(async () => await pair.QueueDepthAsync() == 0);

        var stopped = Stopwatch.StartNew();
        await SignalClusterAsync("STOP");
        try
        {
            for (var writer = 0; writer < 10; writer++)
            {
                await Db.ExecuteAsync(pair.Local.ConnectionString, $"UPDATE {Table} SET version = 2, payload = 'second' WHERE writer = $1", writer);
            }

            // The worker is stuck in a batch that gets no answer: it gives up, and the destination's lock is free.
            await WorkerHost.Eventually(
                async () => logs.Messages.Any(m => m.Message.Contains("Destination fault_async failed", StringComparison.Ordinal)) &&
                            await Db.ScalarAsync<bool>(
                                pair.Local.AdminConnectionString,
                                $"SELECT pg_try_advisory_lock({RoslynPgSync.Queue.PgSyncQueue.DestinationLockSpace}, hashtext('fault_async')) AND pg_advisory_unlock({RoslynPgSync.Queue.PgSyncQueue.DestinationLockSpace}, hashtext('fault_async'))"),
                () => string.Join("\n", logs.Messages.TakeLast(10).Select(m => m.Message)),
                seconds: 30);
            output.WriteLine($"worker gave up on the stopped destination and released its lock after {stopped.ElapsedMilliseconds} ms");
            Assert.Equal(10, await pair.QueueDepthAsync());
        }
        finally
        {
            await SignalClusterAsync("CONT");
        }

        await WorkerHost.Eventually(
            async () => await pair.QueueDepthAsync() == 0 && await pair.EqualAsync(Table, Table, "writer, item"),
            () => string.Join("\n", logs.Messages.TakeLast(10).Select(m => m.Message)),
            seconds: 60);
        await host.StopAsync();
        Assert.Equal(1_000 + 1_000, await pair.AssertEachChangeAppliedOnceAsync());
    }

    [Fact]
    public async Task A_sync_writer_commits_within_the_commit_timeout_with_its_change_queued_when_the_destination_stops_answering()
    {
        await using var pair = await TestBed.Create().Node("remote", destination.Cluster).Pair("fault_sync").InstallAsync(PgSyncInstaller.Tables);
        const string Table = "app.events_sync";
        Assert.Equal(TimeSpan.FromSeconds(30), await Db.ScalarAsync<TimeSpan>(pair.Local.ConnectionString, "SELECT commit_timeout FROM pgsync.node"));
        // The bound every committer gets without setting anything (PgSyncOptions.CommitTimeout), shortened for the test.
        pair.Options.CommitTimeout = TimeSpan.FromSeconds(2);
        await PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options);
        await pair.LogApplicationsAsync(Table);
        await Db.ExecuteAsync(pair.Local.ConnectionString, "ALTER SERVER fault_sync OPTIONS (SET connect_timeout '2')");
        await using var writer = new Npgsql.NpgsqlConnection(pair.Local.ConnectionString);
        await writer.OpenAsync();
        await using (var first = new Npgsql.NpgsqlCommand($"INSERT INTO {Table} VALUES (1, 1, 1, 'sent')", writer))
        {
            await first.ExecuteNonQueryAsync();
        }

        Assert.Equal(0, await pair.QueueDepthAsync());
        var stopped = Stopwatch.StartNew();
        await SignalClusterAsync("STOP");
        try
        {
            await using var second = new Npgsql.NpgsqlCommand($"INSERT INTO {Table} VALUES (1, 2, 2, 'queued')", writer);
            await second.ExecuteNonQueryAsync();
            output.WriteLine($"Sync commit returned after {stopped.ElapsedMilliseconds} ms with the destination stopped");
            Assert.InRange(stopped.ElapsedMilliseconds, 1_500, 20_000);
            Assert.Equal(1, await pair.QueueDepthAsync());
        }
        finally
        {
            await SignalClusterAsync("CONT");
        }

        // The destination, running again, may still execute the batch it had received before the writer
        // gave up: then its record says so, and the replay only removes the entry from the queue.
        await WorkerHost.Eventually(async () =>
        {
            await pair.ReplayAsync();
            return await pair.QueueDepthAsync() == 0;
        });
        Assert.True(await pair.EqualAsync(Table, Table, "writer, item"));
        Assert.Equal(2, await pair.AssertEachChangeAppliedOnceAsync());
    }

    /// <summary>Sends SIGSTOP or SIGCONT to the destination cluster's postmaster and all its children.</summary>
    private async Task SignalClusterAsync(string signal)
    {
        var postmaster = Postmaster.ReadPid(destination.Cluster.DataDirectory!)!.Value;
        var pids = Directory.GetDirectories("/proc")
            .Select(d => Path.GetFileName(d))
            .Where(n => n.All(char.IsAsciiDigit))
            .Where(n => ParentOf(n) == postmaster)
            .Append(postmaster.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        var kill = new ProcessStartInfo("kill") { ArgumentList = { "-" + signal } };
        foreach (var pid in pids)
        {
            kill.ArgumentList.Add(pid);
        }

        using var process = Process.Start(kill)!;
        await process.WaitForExitAsync();
    }

    private static int? ParentOf(string pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
