using System.Globalization;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Tests.Cluster;

/// <summary>
/// A non-superuser in one database reaches another database through a dblink foreign server —
/// the path the product's triggers take — and fails in the known way without a password.
/// </summary>
public sealed class DblinkTests : IClassFixture<TestBedFixture>
{
    private readonly TestBed _fixture;

    public DblinkTests(TestBedFixture fixture)
    {
        _fixture = fixture.Bed;
    }

    [Fact]
    public async Task Non_superuser_reads_and_writes_the_remote_database_through_a_foreign_server()
    {
        var local = _fixture.Local;
        var remote = _fixture.Remote;
        await Db.ExecuteAsync(remote.ConnectionString, "CREATE TABLE remote_items (id int PRIMARY KEY, label text NOT NULL)");
        await Db.ExecuteAsync(remote.ConnectionString, "INSERT INTO remote_items VALUES (1, 'only in remote')");
        await CreateServerAsync(local, "remote_with_password", remote, includePassword: true);

        var read = await Db.ScalarAsync<string>(
            local.ConnectionString,
            "SELECT label FROM dblink.dblink('remote_with_password', 'SELECT label FROM remote_items WHERE id = 1') AS t(label text)");
        var status = await Db.ScalarAsync<string>(
            local.ConnectionString,
            "SELECT dblink.dblink_exec('remote_with_password', 'INSERT INTO remote_items VALUES (2, ''written by dblink'')')");
        var written = await Db.ScalarAsync<string>(remote.ConnectionString, "SELECT label FROM remote_items WHERE id = 2");
        var remoteUser = await Db.ScalarAsync<string>(
            local.ConnectionString,
            "SELECT u FROM dblink.dblink('remote_with_password', 'SELECT current_user::text') AS t(u text)");

        Assert.Equal("only in remote", read);
        Assert.Equal("INSERT 0 1", status);
        Assert.Equal("written by dblink", written);
        Assert.Equal(remote.OwnerRole, remoteUser);
        Assert.False(await Db.ScalarAsync<bool>(local.ConnectionString, "SELECT to_regclass('public.remote_items') IS NOT NULL"));
    }

    [Fact]
    public async Task Non_superuser_without_password_in_user_mapping_gets_password_is_required()
    {
        var local = _fixture.Local;
        await CreateServerAsync(local, "remote_without_password", _fixture.Remote, includePassword: false);

        var error = await Assert.ThrowsAsync<PostgresException>(() => Db.ScalarAsync<int>(
            local.ConnectionString,
            "SELECT n FROM dblink.dblink('remote_without_password', 'SELECT 1') AS t(n int)"));

        Assert.Contains("password is required", error.MessageText, System.StringComparison.Ordinal);
    }

    private static async Task CreateServerAsync(TestDatabase local, string server, TestDatabase remote, bool includePassword)
    {
        var options = string.Join(
            ", ",
            "host " + PgSql.QuoteLiteral(remote.Host),
            "port " + PgSql.QuoteLiteral(remote.Port.ToString(CultureInfo.InvariantCulture)),
            "dbname " + PgSql.QuoteLiteral(remote.Name));
        var mapping = "user " + PgSql.QuoteLiteral(remote.OwnerRole)
            + (includePassword ? ", password " + PgSql.QuoteLiteral(remote.OwnerPassword) : string.Empty);

        // Run as the local owner, a non-superuser: it must be allowed to do all of this itself.
        await Db.ExecuteAsync(local.ConnectionString, $"CREATE SERVER {PgSql.QuoteIdentifier(server)} FOREIGN DATA WRAPPER dblink_fdw OPTIONS ({options})");
        await Db.ExecuteAsync(local.ConnectionString, $"CREATE USER MAPPING FOR CURRENT_USER SERVER {PgSql.QuoteIdentifier(server)} OPTIONS ({mapping})");
    }
}
