using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Installation;

/// <summary>
/// The installer runs at every start: it alters the foreign server and user mapping in place, so
/// what a DBA added stays, and what changed in the connection string takes effect. The script a DBA
/// runs with psql does the same.
/// </summary>
public sealed class ReinstallTests
{
    [Fact]
    public async Task Reinstall_keeps_a_dbas_user_mappings_and_options_and_applies_a_changed_connection_string()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        await using var operatorRole = await pair.Cluster.CreateRoleAsync("operator");
        await Db.ExecuteAsync(
            pair.Local.AdminConnectionString,
            $"CREATE USER MAPPING FOR \"{operatorRole.Name}\" SERVER sync_dst OPTIONS (user 'someone', password 'secret'); " +
            "ALTER SERVER sync_dst OPTIONS (ADD target_session_attrs 'any')");

        // A new password for the destination role, and another connect timeout, in the connection string.
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, $"ALTER ROLE \"{pair.Remote.OwnerRole}\" PASSWORD 'Changed1pw'");
        var changed = new NpgsqlConnectionStringBuilder(pair.Remote.ConnectionString) { Password = "Changed1pw", Timeout = 7 }.ConnectionString;
        var options = new PgSyncOptions { NodeName = "local" }.AddServer("sync_dst", changed);
        await PgSyncInstaller.InstallAsync(pair.LocalSource, options);

        Assert.Equal(1L, await Db.ScalarAsync<long>(
            pair.Local.AdminConnectionString, "SELECT count(*) FROM pg_user_mappings WHERE srvname = 'sync_dst' AND usename = $1", operatorRole.Name));
        var serverOptions = await Db.ScalarAsync<string>(
            pair.Local.AdminConnectionString, "SELECT array_to_string(srvoptions, ',') FROM pg_foreign_server WHERE srvname = 'sync_dst'");
        Assert.Contains("target_session_attrs=any", serverOptions, StringComparison.Ordinal);
        Assert.Contains("connect_timeout=7", serverOptions, StringComparison.Ordinal);
        Assert.Contains("tcp_user_timeout=", serverOptions, StringComparison.Ordinal);
        Assert.Equal(
            "Changed1pw",
            await Db.ScalarAsync<string>(
                pair.Local.ConnectionString,
                "SELECT option_value FROM pg_user_mappings, pg_options_to_table(umoptions) WHERE srvname = 'sync_dst' AND usename = current_user AND option_name = 'password'"));

        // New sessions use the new password (old ones ended with the password change).
        NpgsqlConnection.ClearAllPools();
        await pair.EndRemoteSessionsAsync();
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_sync (id, code) VALUES (1, 'after')");
        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString.Replace(pair.Remote.OwnerPassword, "Changed1pw", StringComparison.Ordinal), "SELECT count(*) FROM copy.hostile_sync"));
        Assert.Equal(0, await pair.QueueDepthAsync());

        // Nothing changed: a third install alters nothing (the catalog rows keep their xmin).
        var before = await Db.ScalarAsync<string>(pair.Local.AdminConnectionString, "SELECT xmin::text FROM pg_foreign_server WHERE srvname = 'sync_dst'");
        await PgSyncInstaller.InstallAsync(pair.LocalSource, options);
        Assert.Equal(before, await Db.ScalarAsync<string>(pair.Local.AdminConnectionString, "SELECT xmin::text FROM pg_foreign_server WHERE srvname = 'sync_dst'"));
    }

    [Fact]
    public async Task The_install_script_runs_with_psql_twice_and_replicates()
    {
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        var (local, remote, options) = (bed.Local, bed.Remote, bed.Options);

        // The script creates no tables: let the installer's table DDL make both sides, then drop its objects.
        await PgSyncInstaller.InstallAsync(bed.LocalSource, options);
        await PgSyncInstaller.UninstallAsync(bed.LocalSource, options);

        // The script puts dblink into the RoslynPgSync schema, as an installer that may create it does.
        await Db.ExecuteAsync(local.AdminConnectionString, "DROP EXTENSION dblink");
        var script = PgSyncInstaller.GetInstallScript(options);
        var password = (ForeignServerSql.PasswordVariable(options.Servers[0]), remote.OwnerPassword);
        await Psql.RunAsync(bed.Cluster, local.Name, script, password);
        await Psql.RunAsync(bed.Cluster, local.Name, script, password);

        // The superuser ran it, so the superuser's mapping replicates: write as the superuser too.
        await Db.ExecuteAsync(local.AdminConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (1, 'k', 'via psql')");
        Assert.Equal(1, await Db.ScalarAsync<int>(local.AdminConnectionString, "SELECT pgsync.deal_sync_err_rec(10)"));
        Assert.Equal("via psql", await Db.ScalarAsync<string>(remote.ConnectionString, "SELECT body FROM copy.hostile_async WHERE id = 1"));
        Assert.False(await Db.ScalarAsync<bool>(local.AdminConnectionString, "SELECT has_function_privilege('public', 'pgsync.dblink_exec(text, text)', 'EXECUTE')"));
    }
}
