using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Verification;
using Xunit;

namespace RoslynPgSync.Tests.Verification;

/// <summary>The verifier on 100,000-row tables: equal, one missing, one extra, one changed; and Where honoured.</summary>
public sealed class VerifierTests
{
    [Fact]
    public async Task Finds_exactly_the_missing_extra_and_changed_keys_among_100000_rows()
    {
        var cluster = await SharedCluster.GetAsync();
        await using var local = await cluster.CreateDatabaseAsync("local");
        await using var remote = await cluster.CreateDatabaseAsync("remote");
        var table = PgSyncInstaller.Tables.Single(t => t.SourceTable == "hostile_async");
        var target = table.Targets[0];
        const string Fill = "INSERT INTO {0} (id, code, body, numbers, ratio, at) SELECT g, 'k' || (g % 7), md5(g::text), ARRAY[g, -g], g / 3.0, timestamptz '2024-01-01' + g * interval '1 minute' FROM generate_series(1, 100000) AS g";
        await Db.ExecuteAsync(local.ConnectionString, table.CreateTableSql + Fill.Replace("{0}", "app.hostile_async", StringComparison.Ordinal));
        await Db.ExecuteAsync(remote.ConnectionString, target.CreateTableSql + Fill.Replace("{0}", "copy.hostile_async", StringComparison.Ordinal));
        // The destination's sessions run in another time zone: the comparison must not care.
        await Db.ExecuteAsync(remote.AdminConnectionString, $"ALTER ROLE \"{remote.OwnerRole}\" SET TimeZone = 'Asia/Kathmandu'");
        NpgsqlConnection.ClearAllPools();
        await using var source = NpgsqlDataSource.Create(local.ConnectionString);
        var verifier = new PgSyncVerifier(source, new PgSyncOptions().AddServer("async_dst", remote.ConnectionString));

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
        var cluster = await SharedCluster.GetAsync();
        await using var local = await cluster.CreateDatabaseAsync("local");
        await using var remote = await cluster.CreateDatabaseAsync("remote");
        var table = PgSyncInstaller.Tables.Single(t => t.SourceTable == "orders");
        var filtered = table.Targets.Single(t => t.Server == "fan_b");
        await Db.ExecuteAsync(local.ConnectionString, table.CreateTableSql + "INSERT INTO shop.orders SELECT g, CASE WHEN g % 3 = 0 THEN 'draft' ELSE 'paid' END, g FROM generate_series(1, 3000) AS g");
        await Db.ExecuteAsync(remote.ConnectionString, filtered.CreateTableSql + "INSERT INTO b_copy.orders SELECT g, 'paid', g FROM generate_series(1, 3000) AS g WHERE g % 3 <> 0");
        await using var source = NpgsqlDataSource.Create(local.ConnectionString);
        var options = new PgSyncOptions().AddServer("fan_b", remote.ConnectionString);

        var result = await new PgSyncVerifier(source, options).VerifyAsync(table, filtered);

        Assert.True(result.IsEqual, result.ToString());
        Assert.Equal(2000L, result.SourceCount);
    }
}
