using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Replication;

/// <summary>Every kind of value arrives intact through insert, update (key change too), delete and truncate, in every mode.</summary>
public sealed class HostileValueTests
{
    [Theory]
    [InlineData("async_dst", "hostile_async")]
    [InlineData("sync_dst", "hostile_sync")]
    [InlineData("strict_dst", "hostile_strict")]
    [InlineData("lww_dst", "hostile_lww")]
    public async Task Hostile_values_arrive_intact_through_every_operation(string server, string table)
    {
        await using var pair = await TestBed.Create().Pair(server).InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        var source = "app." + table;
        var target = "copy." + table;

        async Task AssertEqualAsync(string step)
        {
            await pair.ReplayAsync(); // a no-op for Sync and Strict, whose queue is already empty
            Assert.Equal(0, await pair.QueueDepthAsync());
            var expected = await HostileValues.DigestAsync(local, source);
            Assert.False(string.IsNullOrEmpty(expected) && step != "truncate", "the source has rows after " + step);
            Assert.Equal(expected, await HostileValues.DigestAsync(pair.Remote.ConnectionString, target));
        }

        await HostileValues.InsertAsync(local, source, table);
        await AssertEqualAsync("insert");

        await Db.ExecuteAsync(local, $"UPDATE {source} SET id = id + 1000, code = code || ',}}\"''', body = body || E'\\\\!', words = words || 'x'::text WHERE id % 2 = 1");
        await AssertEqualAsync("update with key change");

        await Db.ExecuteAsync(local, $"UPDATE {source} SET document = CASE WHEN jsonb_typeof(document) = 'object' THEN jsonb_set(document, '{{k}}', '\"v\"') ELSE '{{\"was\": \"not an object\"}}' END, ratio = 'NaN' WHERE id < 1000");
        await AssertEqualAsync("update of values");

        await Db.ExecuteAsync(local, $"DELETE FROM {source} WHERE code LIKE '%{{%' OR id = 4");
        await AssertEqualAsync("delete");

        // (A table that detects conflicts refuses TRUNCATE, which would leave no tombstones: its rows go by DELETE.)
        await Db.ExecuteAsync(local, server == "lww_dst" ? $"DELETE FROM {source}" : $"TRUNCATE {source}");
        await AssertEqualAsync("truncate");
    }

    [Theory]
    [InlineData("async_dst", "hostile_async")]
    [InlineData("sync_dst", "hostile_sync")]
    public async Task Values_arrive_intact_whatever_output_settings_the_writing_session_has(string server, string table)
    {
        await using var pair = await TestBed.Create().Pair(server).InstallAsync(PgSyncInstaller.Tables);
        var source = "app." + table;

        // Legal session settings that change how values are written as text: fewer float digits,
        // other interval, date and bytea styles, a far time zone.
        var writer = new NpgsqlConnectionStringBuilder(pair.Local.ConnectionString)
        {
            Options = "-c extra_float_digits=-3 -c IntervalStyle=sql_standard -c DateStyle=SQL,DMY -c bytea_output=escape -c TimeZone=Pacific/Chatham",
        };
        // And a destination that reads intervals the SQL-standard way by default.
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, $"ALTER DATABASE \"{pair.Remote.Name}\" SET IntervalStyle = sql_standard");
        await HostileValues.InsertAsync(writer.ConnectionString, source, table);
        await Db.ExecuteAsync(writer.ConnectionString, $"UPDATE {source} SET ratio = 0.1234567890123456789, span = '-1 year +2 days -03:04:05.678' WHERE id = 4");
        await pair.ReplayAsync();

        Assert.Equal(0, await pair.QueueDepthAsync());
        // (Both sides read back with the same, default, settings.)
        var remote = new NpgsqlConnectionStringBuilder(pair.Remote.ConnectionString) { Options = "-c IntervalStyle=postgres" };
        Assert.Equal(await HostileValues.DigestAsync(pair.Local.ConnectionString, source), await HostileValues.DigestAsync(remote.ConnectionString, "copy." + table));
    }
}
