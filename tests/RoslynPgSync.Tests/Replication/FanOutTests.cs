using System;
using System.Threading.Tasks;
using Npgsql;
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
}
