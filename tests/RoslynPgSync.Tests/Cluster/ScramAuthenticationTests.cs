using System.Collections.Generic;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Cluster;

/// <summary>The shared cluster authenticates TCP clients with scram-sha-256 and nothing weaker.</summary>
public sealed class ScramAuthenticationTests : IClassFixture<TestBedFixture>
{
    private readonly TestBed _fixture;

    public ScramAuthenticationTests(TestBedFixture fixture)
    {
        _fixture = fixture.Bed;
    }

    [Fact]
    public async Task Wrong_password_over_tcp_is_refused_with_28P01()
    {
        var builder = new NpgsqlConnectionStringBuilder(_fixture.Local.ConnectionString)
        {
            Password = "definitely-not-the-password",
            Pooling = false,
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());

        Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
        Assert.Equal("28P01", error.SqlState);
    }

    [Fact]
    public async Task Password_encryption_is_scram_and_stored_verifiers_are_scram()
    {
        var encryption = await Db.ScalarAsync<string>(_fixture.Cluster.AdminConnectionString, "SHOW password_encryption");
        var verifier = await Db.ScalarAsync<string>(
            _fixture.Cluster.AdminConnectionString, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", _fixture.Local.OwnerRole);

        Assert.Equal("scram-sha-256", encryption);
        Assert.StartsWith("SCRAM-SHA-256$", verifier, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_host_line_in_pg_hba_uses_scram()
    {
        if (!_fixture.Cluster.IsManaged)
        {
            return; // An existing server's pg_hba.conf is its administrator's business.
        }

        var methods = new List<string>();
        await using (var connection = new NpgsqlConnection(_fixture.Cluster.AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT auth_method FROM pg_hba_file_rules WHERE type LIKE 'host%' AND error IS NULL", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                methods.Add(reader.GetString(0));
            }
        }

        Assert.NotEmpty(methods);
        Assert.All(methods, method => Assert.Equal("scram-sha-256", method));
    }

    [Fact]
    public async Task Managed_cluster_listens_on_loopback_only_and_admin_is_superuser_over_tcp()
    {
        if (!_fixture.Cluster.IsManaged)
        {
            return;
        }

        var listen = await Db.ScalarAsync<string>(_fixture.Cluster.AdminConnectionString, "SHOW listen_addresses");
        var serverAddress = await Db.ScalarAsync<string>(_fixture.Cluster.AdminConnectionString, "SELECT host(inet_server_addr())");
        var superuser = await Db.ScalarAsync<string>(_fixture.Cluster.AdminConnectionString, "SELECT current_setting('is_superuser')");

        Assert.Equal("127.0.0.1", _fixture.Cluster.Host);
        Assert.Equal("127.0.0.1", listen);
        Assert.Equal("127.0.0.1", serverAddress);
        Assert.Equal("on", superuser);
    }
}
