using System;
using System.Text;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Cluster;

/// <summary>What a <c>TestDatabase</c> and a <c>TestRole</c> are, and that disposing them cleans up.</summary>
public sealed class TestDatabaseTests : IClassFixture<TestBedFixture>
{
    private readonly TestBed _fixture;

    public TestDatabaseTests(TestBedFixture fixture)
    {
        _fixture = fixture.Bed;
    }

    [Fact]
    public async Task Owner_is_not_a_superuser_and_logs_in_with_its_password_over_tcp()
    {
        var builder = new NpgsqlConnectionStringBuilder(_fixture.Local.ConnectionString);
        Assert.Equal(_fixture.Local.OwnerRole, builder.Username);
        Assert.Equal(_fixture.Local.OwnerPassword, builder.Password);
        Assert.Equal(_fixture.Local.Name, builder.Database);
        Assert.Equal(_fixture.Cluster.Port, builder.Port);

        await using var connection = new NpgsqlConnection(_fixture.Local.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT current_user::text, current_database()::text, inet_server_addr() IS NOT NULL, " +
            "r.rolsuper, r.rolcreaterole, r.rolcreatedb, current_setting('is_superuser') " +
            "FROM pg_roles r WHERE r.rolname = current_user",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        Assert.Equal(_fixture.Local.OwnerRole, reader.GetString(0));
        Assert.Equal(_fixture.Local.Name, reader.GetString(1));
        Assert.True(reader.GetBoolean(2), "the session should run over TCP, not a unix socket");
        Assert.False(reader.GetBoolean(3), "rolsuper");
        Assert.False(reader.GetBoolean(4), "rolcreaterole");
        Assert.False(reader.GetBoolean(5), "rolcreatedb");
        Assert.Equal("off", reader.GetString(6));
    }

    [Fact]
    public async Task Database_is_owned_by_its_role_and_has_dblink_usable_by_the_owner()
    {
        var owner = await Db.ScalarAsync<string>(
            _fixture.Local.ConnectionString,
            "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = current_database()");
        var hasDblink = await Db.ScalarAsync<bool>(
            _fixture.Local.ConnectionString, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'dblink')");
        var fdwUsage = await Db.ScalarAsync<bool>(
            _fixture.Local.ConnectionString, "SELECT has_foreign_data_wrapper_privilege('dblink_fdw', 'USAGE')");

        Assert.Equal(_fixture.Local.OwnerRole, owner);
        Assert.True(hasDblink);
        Assert.True(fdwUsage);
    }

    [Fact]
    public void Names_are_lower_case_prefixed_and_fit_63_bytes()
    {
        Assert.StartsWith("local_", _fixture.Local.Name, StringComparison.Ordinal);
        Assert.StartsWith("remote_", _fixture.Remote.Name, StringComparison.Ordinal);
        Assert.Equal(_fixture.Local.Name.ToLowerInvariant(), _fixture.Local.Name);
        Assert.NotEqual(_fixture.Local.Name, _fixture.Remote.Name);
        Assert.NotEqual(_fixture.Local.OwnerRole, _fixture.Remote.OwnerRole);
        Assert.NotEqual(_fixture.Local.OwnerPassword, _fixture.Remote.OwnerPassword);
    }

    [Fact]
    public async Task Long_prefix_is_cut_to_63_bytes()
    {
        await using var database = await _fixture.Cluster.CreateDatabaseAsync(new string('X', 100) + "-Name");

        Assert.True(Encoding.UTF8.GetByteCount(database.Name) <= 63, database.Name);
        Assert.StartsWith("xxxx", database.Name, StringComparison.Ordinal);
        Assert.Equal(database.Name, await Db.ScalarAsync<string>(database.ConnectionString, "SELECT current_database()::text"));
    }

    [Fact]
    public async Task Each_fixture_gets_fresh_databases_that_share_no_tables()
    {
        await Db.ExecuteAsync(_fixture.Local.ConnectionString, "CREATE TABLE only_in_this_class (id int)");

        var other = await TestBed.Create().Node("local").Node("remote").BuildAsync();
        try
        {
            Assert.NotEqual(_fixture.Local.Name, other.Local.Name);
            Assert.NotEqual(_fixture.Remote.Name, other.Remote.Name);
            Assert.NotEqual(_fixture.Local.OwnerRole, other.Local.OwnerRole);

            const string probe = "SELECT to_regclass('public.only_in_this_class') IS NOT NULL";
            Assert.True(await Db.ScalarAsync<bool>(_fixture.Local.ConnectionString, probe));
            Assert.False(await Db.ScalarAsync<bool>(_fixture.Remote.ConnectionString, probe));
            Assert.False(await Db.ScalarAsync<bool>(other.Local.ConnectionString, probe));
            Assert.False(await Db.ScalarAsync<bool>(other.Remote.ConnectionString, probe));
        }
        finally
        {
            await other.DisposeAsync();
        }

        Assert.False(await DatabaseExistsAsync(other.Local.Name));
        Assert.False(await DatabaseExistsAsync(other.Remote.Name));
    }

    [Fact]
    public async Task Dispose_drops_the_database_and_its_role_even_with_open_sessions()
    {
        var database = await _fixture.Cluster.CreateDatabaseAsync("dispose");
        Assert.True(await DatabaseExistsAsync(database.Name));
        Assert.True(await RoleExistsAsync(database.OwnerRole));

        // One pooled idle session and one session held open.
        await Db.ExecuteAsync(database.ConnectionString, "CREATE TABLE t (id int)");
        await using var held = new NpgsqlConnection(database.ConnectionString);
        await held.OpenAsync();

        await database.DisposeAsync();
        await database.DisposeAsync(); // a second dispose does nothing

        Assert.False(await DatabaseExistsAsync(database.Name));
        Assert.False(await RoleExistsAsync(database.OwnerRole));
        await using var command = new NpgsqlCommand("SELECT 1", held);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Extra_role_logs_in_and_dispose_drops_it_even_when_it_owns_objects()
    {
        var role = await _fixture.Cluster.CreateRoleAsync("extra");
        await Db.ExecuteAsync(
            _fixture.Local.AdminConnectionString,
            $"GRANT CREATE ON SCHEMA public TO \"{role.Name}\"");
        await Db.ExecuteAsync(role.ConnectionStringFor(_fixture.Local.Name), "CREATE TABLE owned_by_extra (id int)");
        Assert.Equal(
            role.Name,
            await Db.ScalarAsync<string>(role.ConnectionStringFor(_fixture.Local.Name), "SELECT current_user::text"));
        Assert.False(await Db.ScalarAsync<bool>(_fixture.Cluster.AdminConnectionString, "SELECT rolsuper FROM pg_roles WHERE rolname = $1", role.Name));

        await role.DisposeAsync();

        Assert.False(await RoleExistsAsync(role.Name));
        Assert.False(await Db.ScalarAsync<bool>(
            _fixture.Local.ConnectionString, "SELECT to_regclass('public.owned_by_extra') IS NOT NULL"));
    }

    private Task<bool> DatabaseExistsAsync(string name) =>
        Db.ScalarAsync<bool>(_fixture.Cluster.AdminConnectionString, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name);

    private Task<bool> RoleExistsAsync(string name) =>
        Db.ScalarAsync<bool>(_fixture.Cluster.AdminConnectionString, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", name);
}
