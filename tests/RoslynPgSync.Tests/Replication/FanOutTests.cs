using System;
using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>One table to two destinations: each has its own queue position and filter; one down does not hold back the other.</summary>
public sealed class FanOutTests
{
    [Fact]
    public async Task One_destination_down_does_not_hold_back_the_other_and_filters_apply_per_destination()
    {
        await using var bed = await TestBed.Create()
            .Replicate("local", "fan_a", "fan_a")
            .Replicate("local", "fan_b", "fan_b")
            .InstallAsync(PgSyncInstaller.Tables);
        var (local, a, b) = (bed.Local, bed.Node("fan_a").Database, bed.Node("fan_b").Database);
        const string Rows = "SELECT coalesce(string_agg(id || ':' || status, ',' ORDER BY id), '') FROM {0}";

        await Db.ExecuteAsync(local.ConnectionString, "INSERT INTO shop.orders (id, status, total) VALUES (1, 'draft', 10), (2, 'paid', 20), (3, 'paid', 30)");
        await b.RefuseLoginsAsync();
        await Db.ExecuteAsync(local.ConnectionString, "UPDATE shop.orders SET status = 'draft' WHERE id = 2");
        await Db.ExecuteAsync(local.ConnectionString, "UPDATE shop.orders SET status = 'paid' WHERE id = 1");

        var applied = await Db.ScalarAsync<int>(local.ConnectionString, "SELECT pgsync.deal_sync_err_rec(100)");

        Assert.Equal(3, applied);
        Assert.Equal("1:paid,2:draft,3:paid", await Db.ScalarAsync<string>(a.ConnectionString, Rows.Replace("{0}", "a_copy.orders", StringComparison.Ordinal)));
        Assert.Equal(3L, await Db.ScalarAsync<long>(local.ConnectionString, "SELECT depth FROM pgsync.status WHERE dst_server = 'fan_b'"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(local.ConnectionString, "SELECT depth FROM pgsync.status WHERE dst_server = 'fan_a'"));
        Assert.Contains("not permitted to log in", await Db.ScalarAsync<string>(local.ConnectionString, "SELECT last_error FROM pgsync.status WHERE dst_server = 'fan_b'"), StringComparison.Ordinal);

        await b.AllowLoginsAsync();
        Assert.Equal(3, await Db.ScalarAsync<int>(local.ConnectionString, "SELECT pgsync.deal_sync_err_rec(100)"));

        // fan_b replicates only rows that are not drafts: 2 left the filter, 1 entered it.
        Assert.Equal("1:paid,3:paid", await Db.ScalarAsync<string>(b.ConnectionString, Rows.Replace("{0}", "b_copy.orders", StringComparison.Ordinal)));
        Assert.Null(await Db.ScalarAsync<string?>(local.ConnectionString, "SELECT last_error FROM pgsync.status WHERE dst_server = 'fan_b'"));
    }

    [Fact]
    public async Task Single_row_updates_that_move_a_key_or_cross_the_filter_arrive_as_the_source_has_them()
    {
        await using var bed = await TestBed.Create()
            .Replicate("local", "fan_a", "fan_a")
            .Replicate("local", "fan_b", "fan_b")
            .InstallAsync(PgSyncInstaller.Tables);
        var (local, a, b) = (bed.Local, bed.Node("fan_a").Database, bed.Node("fan_b").Database);
        const string Rows = "SELECT coalesce(string_agg(id || ':' || status || ':' || total, ',' ORDER BY id), '') FROM {0}";
        await Db.ExecuteAsync(local.ConnectionString, "INSERT INTO shop.orders (id, status, total) VALUES (1, 'draft', 10), (2, 'paid', 20)");
        var statements = new[]
        {
            "UPDATE shop.orders SET id = 20, total = 7 WHERE id = 2",          // key moves, stays in the filter
            "UPDATE shop.orders SET id = 21, status = 'draft' WHERE id = 20",  // key moves and leaves it
            "UPDATE shop.orders SET id = 22, status = 'paid' WHERE id = 1",    // key moves and enters it
            "UPDATE shop.orders SET total = 8 WHERE id = 21",                  // a draft stays out
            "UPDATE shop.orders SET status = 'paid' WHERE id = 21",            // enters it, key kept
            "DELETE FROM shop.orders WHERE id = 22",
            "INSERT INTO shop.orders (id, status, total) VALUES (3, 'draft', 3)",
        };
        foreach (var statement in statements)
        {
            await Db.ExecuteAsync(local.ConnectionString, statement);
            await Db.ScalarAsync<int>(local.ConnectionString, "SELECT pgsync.deal_sync_err_rec(100)");
            var source = await Db.ScalarAsync<string>(local.ConnectionString, Rows.Replace("{0}", "shop.orders", StringComparison.Ordinal));
            var kept = await Db.ScalarAsync<string>(local.ConnectionString, Rows.Replace("{0}", "(SELECT * FROM shop.orders WHERE status <> 'draft') AS o", StringComparison.Ordinal));
            Assert.Equal(source, await Db.ScalarAsync<string>(a.ConnectionString, Rows.Replace("{0}", "a_copy.orders", StringComparison.Ordinal)));
            Assert.Equal(kept, await Db.ScalarAsync<string>(b.ConnectionString, Rows.Replace("{0}", "b_copy.orders", StringComparison.Ordinal)));
        }

        Assert.Equal("3:draft:3,21:paid:8", await Db.ScalarAsync<string>(local.ConnectionString, Rows.Replace("{0}", "shop.orders", StringComparison.Ordinal)));
    }
}
