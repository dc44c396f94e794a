using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Hosting;

/// <summary>
/// resolve_applied reports a settle that fails on the destination (here the restore of an aborted Sync
/// transaction's row, which a destination constraint refuses) as a WARNING and returns, so that the replay
/// goes on. Nothing else recorded it: the hosted worker now logs it (SettleFailed), every time it tries.
/// </summary>
public sealed class SettleFailedTests
{
    [Fact]
    public async Task A_restore_the_destination_refuses_is_logged_by_the_worker()
    {
        await using var pair = await TestBed.Create().Pair("mix_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "INSERT INTO mix.mixed_sync VALUES (1, 'before')");
        // The destination refuses the row the restore would write back (the row it holds is let be).
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, "ALTER TABLE mix_copy.mixed_sync ADD CONSTRAINT refuses_before CHECK (note <> 'before') NOT VALID");
        // Sent at the flush, then the commit fails (a deferred constraint after the flush).
        var error = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(local,
            "BEGIN; CREATE TEMP TABLE doom (id int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED); " +
            "UPDATE mix.mixed_sync SET note = 'doomed' WHERE id = 1; INSERT INTO doom VALUES (1), (1); COMMIT"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal("doomed", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT note FROM mix_copy.mixed_sync WHERE id = 1"));

        var logs = new CollectingLoggerProvider();
        using var host = WorkerHost.ForPair(logs, pair, ["mix_dst"], h =>
        {
            h.PollInterval = TimeSpan.FromMilliseconds(200);
            h.ResolveInterval = TimeSpan.FromMilliseconds(200);
        });
        await host.StartAsync();
        try
        {
            await WorkerHost.Eventually(
                () => Task.FromResult(logs.Messages.Any(m => m.EventId.Id == PgSyncEventIds.SettleFailed)),
                () => "the worker logged:\n" + string.Join("\n", logs.Messages.Select(m => $"{m.Level} {m.EventId.Name} {m.Message}")));
            var failed = logs.Messages.First(m => m.EventId.Id == PgSyncEventIds.SettleFailed);
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, failed.Level);
            Assert.Equal(nameof(PgSyncEventIds.SettleFailed), failed.EventId.Name);
            Assert.Contains("mix_dst", failed.Message, StringComparison.Ordinal);
            Assert.Contains("refuses_before", failed.Message, StringComparison.Ordinal);
            // Still there: the restore failed, and is tried again.
            Assert.Equal("doomed", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT note FROM mix_copy.mixed_sync WHERE id = 1"));
        }
        finally
        {
            await host.StopAsync();
        }

        // Once the destination takes it, the next settle restores the row.
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, "ALTER TABLE mix_copy.mixed_sync DROP CONSTRAINT refuses_before");
        Assert.Equal(1, await Db.ScalarAsync<int>(local, "SELECT pgsync.resolve_applied('mix_dst')"));
        Assert.True(await pair.EqualAsync("mix.mixed_sync", "mix_copy.mixed_sync", "id"));
    }
}
