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
    [InlineData("lww_dst", "hostile_lww")]
    public async Task Values_arrive_intact_whatever_output_settings_the_writing_session_has(string server, string table)
    {
        await using var pair = await TestBed.Create().Pair(server).InstallAsync(PgSyncInstaller.Tables);
        var source = "app." + table;

        // Legal session settings that change how values are written as text: fewer float digits,
        // other interval, date, bytea and money styles, a far time zone. (Under DateStyle "SQL, DMY"
        // a date range's 1 February prints as 01/02/2024; money under de_DE as "1.234,56 €".) Set by
        // statements: Npgsql's own startup parameters win over -c options for some of them.
        await HostileValues.RequireLocaleAsync(pair.Local.ConnectionString, HostileValues.MoneyLocale);
        const string Styles = "SET extra_float_digits = -3; SET IntervalStyle = sql_standard; SET DateStyle = 'SQL, DMY'; SET bytea_output = escape; SET TimeZone = 'Pacific/Chatham'; ";
        var writerStyles = Styles + $"SET lc_monetary = '{HostileValues.MoneyLocale}'; ";
        var local = pair.Local.ConnectionString;
        var remote = new NpgsqlConnectionStringBuilder(pair.Remote.ConnectionString) { Options = "-c IntervalStyle=postgres -c DateStyle=ISO,MDY -c lc_monetary=C" }.ConnectionString;
        var target = "copy." + table;

        // And a destination that reads intervals the SQL-standard way by default.
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, $"ALTER DATABASE \"{pair.Remote.Name}\" SET IntervalStyle = sql_standard");
        await HostileValues.InsertAsync(local, source, table, writerStyles);
        await Db.ExecuteAsync(local, writerStyles + $"UPDATE {source} SET ratio = 0.1234567890123456789, span = '-1 year +2 days -03:04:05.678' WHERE id = 4");
        await pair.ReplayAsync();

        Assert.Equal(0, await pair.QueueDepthAsync());
        // (Both sides read back with the same settings.)
        Assert.Equal(await HostileValues.DigestAsync(local, source), await HostileValues.DigestAsync(remote, target));

        // Then a destination whose defaults read dates day first and money as de_DE, written to by a
        // session with the defaults.
        await Db.ExecuteAsync(
            pair.Remote.AdminConnectionString,
            $"ALTER DATABASE \"{pair.Remote.Name}\" SET DateStyle = 'SQL, DMY'; ALTER DATABASE \"{pair.Remote.Name}\" SET lc_monetary = '{HostileValues.MoneyLocale}'");
        NpgsqlConnection.ClearAllPools(); // (so that the sessions' dblink connections to it start again, with these defaults)
        await Db.ExecuteAsync(local, $"UPDATE {source} SET price = price + 1::money, days = daterange('2024-03-02', '2024-04-05'), period = tstzrange('2024-02-01 10:00+00', NULL) WHERE id IN (1, 2, 3)");
        await pair.ReplayAsync();

        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(await HostileValues.DigestAsync(local, source), await HostileValues.DigestAsync(remote, target));
    }
}
