using System;
using System.Linq;
using Microsoft.Extensions.Logging;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Verification;
using Xunit;

namespace RoslynPgSync.Tests.Verification;

/// <summary>The verifier on 100,000-row tables: equal, one missing, one extra, one changed; Where honoured; what it logs.</summary>
public sealed class VerifierTests
{
    [Fact]
    public async Task Finds_exactly_the_missing_extra_and_changed_keys_among_100000_rows()
    {
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        var (local, remote) = (bed.Local, bed.Remote);
        var table = PgSyncInstaller.Tables.Single(t => t.SourceTable == "hostile_async");
        var target = table.Targets[0];
        const string Fill = "INSERT INTO {0} (id, code, body, numbers, ratio, at) SELECT g, 'k' || (g % 7), md5(g::text), ARRAY[g, -g], g / 3.0, timestamptz '2024-01-01' + g * interval '1 minute' FROM generate_series(1, 100000) AS g";
        await Db.ExecuteAsync(local.ConnectionString, table.CreateTableSql + Fill.Replace("{0}", "app.hostile_async", StringComparison.Ordinal));
        await Db.ExecuteAsync(remote.ConnectionString, target.CreateTableSql + Fill.Replace("{0}", "copy.hostile_async", StringComparison.Ordinal));
        // The destination's sessions run in another time zone: the comparison must not care.
        await Db.ExecuteAsync(remote.AdminConnectionString, $"ALTER ROLE \"{remote.OwnerRole}\" SET TimeZone = 'Asia/Kathmandu'");
        NpgsqlConnection.ClearAllPools();
        var source = bed.LocalSource;
        var verifier = new PgSyncVerifier(source, bed.Options);

        var equal = await verifier.VerifyAsync(table, target);
        Assert.True(equal.IsEqual, equal.ToString());
        Assert.Equal((100000L, 100000L), (equal.SourceCount, equal.TargetCount));
        Assert.Equal(0L, equal.KeysRead);

        await Db.ExecuteAsync(remote.ConnectionString, "DELETE FROM copy.hostile_async WHERE id = 4242");
        await Db.ExecuteAsync(remote.ConnectionString, "INSERT INTO copy.hostile_async (id, code) VALUES (100001, 'extra, \"quoted\"')");
        await Db.ExecuteAsync(remote.ConnectionString, "UPDATE copy.hostile_async SET ratio = ratio + 1e-9 WHERE id = 77777");

        var different = await verifier.VerifyAsync(table, target);

        Assert.False(different.IsEqual);
        Assert.Equal(new[] { "(4242,k0)" }, different.Missing);
        Assert.Equal(new[] { "(100001,\"extra, \"\"quoted\"\"\")" }, different.Extra);
        Assert.Equal(new[] { "(77777,k0)" }, different.Changed);
        Assert.Equal((100000L, 100000L), (different.SourceCount, different.TargetCount));
        // Three differing buckets of about 100,000 / 64 rows each, on both sides: not the whole tables.
        Assert.InRange(different.KeysRead, 1, 20000);
    }

    [Fact]
    public async Task Honours_the_destination_filter()
    {
        await using var bed = await TestBed.Create().Pair("fan_b").BuildAsync();
        var (local, remote) = (bed.Local, bed.Remote);
        var table = PgSyncInstaller.Tables.Single(t => (t.SourceSchema, t.SourceTable) == ("shop", "orders"));
        var filtered = table.Targets.Single(t => t.Server == "fan_b");
        await Db.ExecuteAsync(local.ConnectionString, table.CreateTableSql + "INSERT INTO shop.orders SELECT g, CASE WHEN g % 3 = 0 THEN 'draft' ELSE 'paid' END, g FROM generate_series(1, 3000) AS g");
        await Db.ExecuteAsync(remote.ConnectionString, filtered.CreateTableSql + "INSERT INTO b_copy.orders SELECT g, 'paid', g FROM generate_series(1, 3000) AS g WHERE g % 3 <> 0");
        var source = bed.LocalSource;
        var options = bed.Options;

        var result = await new PgSyncVerifier(source, options).VerifyAsync(table, filtered);

        Assert.True(result.IsEqual, result.ToString());
        Assert.Equal(2000L, result.SourceCount);
    }

    [Fact]
    public async Task Logs_each_comparison_and_its_result_by_event_id_without_a_connection_string()
    {
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        var (local, remote) = (bed.Local, bed.Remote);
        var table = PgSyncInstaller.Tables.Single(t => t.SourceTable == "hostile_async");
        var target = table.Targets.Single();
        const string Fill = "INSERT INTO {0} (id, code) SELECT g, 'k' || g FROM generate_series(1, 10) AS g";
        await Db.ExecuteAsync(local.ConnectionString, table.CreateTableSql + Fill.Replace("{0}", "app.hostile_async", StringComparison.Ordinal));
        await Db.ExecuteAsync(remote.ConnectionString, target.CreateTableSql + Fill.Replace("{0}", "copy.hostile_async", StringComparison.Ordinal));
        var source = bed.LocalSource;
        var logs = new CollectingLoggerProvider();
        var verifier = new PgSyncVerifier(source, bed.Options, logs.CreateLogger("verifier"));

        // Every table of this assembly: hostile_async is compared, the others' servers are not registered.
        Assert.True(Assert.Single(await verifier.VerifyAsync(PgSyncInstaller.Tables)).IsEqual);
        await Db.ExecuteAsync(remote.ConnectionString, "DELETE FROM copy.hostile_async WHERE id IN (3, 4); UPDATE copy.hostile_async SET body = 'changed' WHERE id = 5");
        Assert.False((await verifier.VerifyAsync(table, target)).IsEqual);
        await Db.ExecuteAsync(remote.ConnectionString, "ALTER TABLE copy.hostile_async DROP COLUMN body");
        Assert.NotEmpty((await verifier.VerifyAsync(table, target)).SchemaProblems);

        var messages = logs.Messages;
        var log = string.Join("\n", messages.Select(m => $"{m.EventId.Id} {m.EventId.Name} {m.Level} {m.Message}"));
        Assert.Equal(3, messages.Count(m => m.EventId.Id == PgSyncEventIds.VerifyStarted && m.Message == "Verifying app.hostile_async against async_dst:copy.hostile_async"));
        Assert.Single(messages, m => m.EventId.Id == PgSyncEventIds.VerifiedEqual && m.EventId.Name == nameof(PgSyncEventIds.VerifiedEqual)
            && m.Level == LogLevel.Information && m.Message.StartsWith("app.hostile_async -> async_dst:copy.hostile_async: equal (10 rows)", StringComparison.Ordinal));
        Assert.Single(messages, m => m.EventId.Id == PgSyncEventIds.VerifiedDifferent && m.Level == LogLevel.Warning
            && m.Message.StartsWith("app.hostile_async -> async_dst:copy.hostile_async: 10 vs 8 rows; 2 missing, 0 extra, 1 changed", StringComparison.Ordinal));
        Assert.Single(messages, m => m.EventId.Id == PgSyncEventIds.VerifySchemaDrift && m.Level == LogLevel.Warning
            && m.Message.Contains("1 schema problem(s), rows not compared", StringComparison.Ordinal) && m.Message.Contains("\"body\"", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.EventId.Id == PgSyncEventIds.VerifySkipped && m.Message.Contains("not registered", StringComparison.Ordinal));
        Assert.All(messages, m => Assert.InRange(m.EventId.Id, 3000, 3999));
        Assert.DoesNotContain(remote.OwnerPassword, log, StringComparison.Ordinal);
        Assert.DoesNotContain(local.OwnerPassword, log, StringComparison.Ordinal);
        Assert.DoesNotContain(remote.ConnectionString, log, StringComparison.Ordinal);
    }
}
