using System.Threading.Tasks;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>Every kind of value arrives intact through insert, update (key change too), delete and truncate, in every mode.</summary>
public sealed class HostileValueTests
{
    [Theory]
    [InlineData("async_dst", "hostile_async")]
    [InlineData("sync_dst", "hostile_sync")]
    [InlineData("strict_dst", "hostile_strict")]
    public async Task Hostile_values_arrive_intact_through_every_operation(string server, string table)
    {
        await using var pair = await ReplicationPair.CreateAsync(server);
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

        await Db.ExecuteAsync(local, $"TRUNCATE {source}");
        await AssertEqualAsync("truncate");
    }
}
