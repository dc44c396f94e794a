using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Verification;
using Xunit;

namespace RoslynPgSync.Tests.Security;

/// <summary>
/// The shipped DBA scripts, run once with psql as a superuser, are all a plain role needs: it then
/// installs, replicates and replays in databases it does not own, while another role can read
/// neither the password in its user mapping nor the queue, nor call the functions that reach the
/// destination.
/// </summary>
public sealed class NonSuperuserSetupTests
{
    [Fact]
    public async Task After_the_dba_scripts_a_plain_role_replicates_and_other_roles_cannot_reach_its_secrets()
    {
        var cluster = await SharedCluster.GetAsync();
        await using var app = await cluster.CreateRoleAsync("app");
        await using var destinationRole = await cluster.CreateRoleAsync("dst");
        await using var other = await cluster.CreateRoleAsync("other");
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var source = "sec_src_" + suffix;
        var target = "sec_dst_" + suffix;
        await Db.ExecuteAsync(cluster.AdminConnectionString, $"CREATE DATABASE {source} TEMPLATE template0 ENCODING 'UTF8'");
        await Db.ExecuteAsync(cluster.AdminConnectionString, $"CREATE DATABASE {target} TEMPLATE template0 ENCODING 'UTF8'");
        try
        {
            await Psql.RunAsync(cluster, source, PgSyncInstallation.GetDbaSetupScript(), ("app_role", app.Name));
            await Psql.RunAsync(cluster, target, PgSyncInstallation.GetDbaSetupScript(destination: true), ("app_role", destinationRole.Name));

            var appLocal = app.ConnectionStringFor(source);
            Assert.False(await Db.ScalarAsync<bool>(appLocal, "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = current_user"));
            Assert.False(await Db.ScalarAsync<bool>(appLocal, "SELECT pg_catalog.pg_get_userbyid(datdba) = current_user FROM pg_database WHERE datname = current_database()"));
            var options = new PgSyncOptions { NodeName = "local", CreateMissingTables = true }.AddServer("dst_async", destinationRole.ConnectionStringFor(target));
            await using (var dataSource = NpgsqlDataSource.Create(appLocal))
            {
                await PgSyncInstaller.InstallAsync(dataSource, options);
                await Db.ExecuteAsync(appLocal, "INSERT INTO local.loc_test_async (pk1, pk2, info) SELECT g, 'k''' || g, E'a\\\\b ü' FROM generate_series(1, 50) g");
                Assert.Equal(1, await Db.ScalarAsync<int>(appLocal, "SELECT pgsync.deal_sync_err_rec(100)"));
                var verified = Assert.Single(await new PgSyncVerifier(dataSource, options).VerifyAsync(PgSyncInstaller.Tables));
                Assert.True(verified.IsEqual, verified.ToString());
            }

            // The password is in the app role's user mapping, and only it can read it.
            Assert.Contains("password=" + destinationRole.Password, await Db.ScalarAsync<string>(appLocal, "SELECT array_to_string(umoptions, ',') FROM pg_user_mappings WHERE srvname = 'dst_async'"), StringComparison.Ordinal);
            var otherLocal = other.ConnectionStringFor(source);
            Assert.Equal(1L, await Db.ScalarAsync<long>(otherLocal, "SELECT count(*) FROM pg_user_mappings WHERE srvname = 'dst_async'"));
            Assert.Equal(0L, await Db.ScalarAsync<long>(otherLocal, "SELECT count(umoptions) FROM pg_user_mappings WHERE srvname = 'dst_async'"));
            foreach (var sql in new[]
            {
                "SELECT count(*) FROM pgsync.sync_err_rec",
                "INSERT INTO pgsync.sync_err_rec (nsp_name, table_name, dst_server, dst_query) VALUES ('x', 'y', 'dst_async', 'DROP TABLE remote.rmt_test_async')",
                "INSERT INTO pgsync.sync_pending (xact_id, nsp_name, table_name, dst_server, mode, dst_query) VALUES (pg_current_xact_id(), 'x', 'y', 'dst_async', 's', 'DROP TABLE remote.rmt_test_async')",
                "SELECT count(*) FROM pgsync.sync_pending",
                "SELECT pgsync.deal_sync_err_rec(1)",
                "SELECT pgsync.apply_pending('dst_async', '', 1, false, NULL)",
                "SELECT pgsync.skip_entry(1)",
                "SELECT dblink.dblink_exec('dst_async', 'SELECT 1')",
            })
            {
                var denied = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(otherLocal, sql));
                Assert.True(denied.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.UndefinedObject, sql + ": " + denied.MessageText);
            }

            Assert.DoesNotContain(destinationRole.Password, PgSyncInstallation.GetInstallScript(options, PgSyncInstaller.Tables), StringComparison.Ordinal);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Db.ExecuteAsync(cluster.AdminConnectionString, $"DROP DATABASE IF EXISTS {source} WITH (FORCE)");
            await Db.ExecuteAsync(cluster.AdminConnectionString, $"DROP DATABASE IF EXISTS {target} WITH (FORCE)");
        }
    }
}
