using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Security;

/// <summary>
/// A second role of the source database that may write a Sync table, and nothing else, tries every
/// route past the replication: the dblink connection its own session keeps open after a commit,
/// opening one under that name, the queue, replay and skip, and switching capture off. Each fails,
/// and its writes still replicate.
/// </summary>
public sealed class HostileRoleTests
{
    [Fact]
    public async Task A_writer_role_cannot_use_or_replace_the_replication_connection_its_session_holds()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        await using var hostile = await CreateWriterAsync(pair);
        await using var session = new NpgsqlConnection(hostile.ConnectionStringFor(pair.Local.Name));
        await session.OpenAsync();

        await Db.ExecuteAsync(session, "INSERT INTO app.hostile_sync (id, code, body) VALUES (1, 'h', 'by the writer role')");
        Assert.Equal("by the writer role", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT body FROM copy.hostile_sync WHERE id = 1"));
        // The flush left its connection open in this session: that is what the role now tries to use.
        Assert.True(await Db.ScalarAsync<long>(
            pair.Remote.AdminConnectionString,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgsync:local' AND datname = current_database()") >= 1);

        foreach (var sql in new[]
        {
            "SELECT dblink.dblink_exec('pgsync_sync_dst', 'CREATE TABLE copy.pwned (x int)')",
            "SELECT dblink.dblink_get_connections()",
            "SELECT dblink.dblink_disconnect('pgsync_sync_dst')",
            $"SELECT dblink.dblink_connect('pgsync_sync_dst', 'host={pair.Local.Host} port={pair.Local.Port} dbname={pair.Local.Name} user={hostile.Name} password={hostile.Password}')",
            "SELECT pgsync.dblink_exec('pgsync_sync_dst', 'CREATE TABLE copy.pwned (x int)')",
        })
        {
            var denied = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(session, sql));
            Assert.True(denied.SqlState == PostgresErrorCodes.InsufficientPrivilege, sql + ": " + denied.SqlState + " " + denied.MessageText);
        }

        await Db.ExecuteAsync(session, "INSERT INTO app.hostile_sync (id, code, body) VALUES (2, 'h', 'still replicated')");
        Assert.Equal(2L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));
        Assert.False(await Db.ScalarAsync<bool>(pair.Remote.ConnectionString, "SELECT to_regclass('copy.pwned') IS NOT NULL"));
    }

    [Fact]
    public async Task A_writer_role_cannot_switch_capture_off_queue_sql_replay_or_skip()
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        await using var hostile = await CreateWriterAsync(pair);
        await using var session = new NpgsqlConnection(hostile.ConnectionStringFor(pair.Local.Name));
        await session.OpenAsync();

        // The loop-prevention marker of replication sessions, set by an ordinary session: ignored.
        await Db.ExecuteAsync(session, "SET pgsync.origin = 'someone'");
        await Db.ExecuteAsync(session, "INSERT INTO app.hostile_sync (id, code, body) VALUES (1, 'h', 'captured anyway')");
        await Db.ExecuteAsync(session, "SET LOCAL pgsync.origin = 'x'; UPDATE app.hostile_sync SET body = 'updated anyway' WHERE id = 1");
        Assert.Equal("updated anyway", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT body FROM copy.hostile_sync WHERE id = 1"));

        foreach (var sql in new[]
        {
            "SET session_replication_role = replica",
            "ALTER TABLE app.hostile_sync DISABLE TRIGGER USER",
            "INSERT INTO pgsync.sync_err_rec (nsp_name, table_name, dst_server, dst_query) VALUES ('app', 'hostile_sync', 'sync_dst', 'DROP TABLE copy.hostile_sync')",
            "INSERT INTO pgsync.sync_pending (xact_id, nsp_name, table_name, dst_server, mode, dst_query) VALUES (pg_current_xact_id(), 'app', 'hostile_sync', 'sync_dst', 's', 'DROP TABLE copy.hostile_sync')",
            "SELECT pgsync.deal_sync_err_rec(10)",
            "SELECT pgsync.apply_pending('sync_dst', '', 10, false, NULL)",
            "SELECT pgsync.skip_entry(1)",
            "UPDATE pgsync.dst_state SET last_error = NULL",
            "SELECT * FROM pgsync.status",
        })
        {
            var denied = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(session, sql));
            Assert.True(denied.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.UndefinedObject, sql + ": " + denied.SqlState + " " + denied.MessageText);
        }

        await Db.ExecuteAsync(session, "DELETE FROM app.hostile_sync WHERE id = 1");
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));
        Assert.Equal(0, await pair.QueueDepthAsync());
    }

    [Fact]
    public async Task The_installer_refuses_dblink_that_PUBLIC_can_execute_and_names_the_statements_that_fix_it()
    {
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        var (local, remote) = (bed.Local, bed.Remote);
        // The usual way dblink is installed: in public, executable by everyone.
        await Db.ExecuteAsync(
            local.AdminConnectionString,
            $"DROP EXTENSION dblink; CREATE EXTENSION dblink SCHEMA public; GRANT USAGE ON FOREIGN DATA WRAPPER dblink_fdw TO \"{local.OwnerRole}\"");
        var source = bed.LocalSource;
        var options = bed.Options;

        var error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(source, options));
        Assert.Contains("PUBLIC may execute dblink's functions", error.Message, StringComparison.Ordinal);
        Assert.Contains("public.dblink_exec(text, text)", error.Message, StringComparison.Ordinal);
        Assert.Null(await Db.ScalarAsync<string?>(local.ConnectionString, "SELECT nspname::text FROM pg_namespace WHERE nspname = 'pgsync'"));

        // The statements the message names are what a DBA runs; then the install goes through.
        const string Start = "A DBA must run (as the extension's owner): ";
        var message = error.Message;
        var commands = message[(message.IndexOf(Start, StringComparison.Ordinal) + Start.Length)..message.IndexOf(" (or install dblink", StringComparison.Ordinal)];
        await Db.ExecuteAsync(local.AdminConnectionString, commands);
        await PgSyncInstaller.InstallAsync(source, options);
        Assert.False(await Db.ScalarAsync<bool>(local.ConnectionString, "SELECT has_function_privilege('public', 'public.dblink_exec(text, text)', 'EXECUTE')"));
    }

    [Fact]
    public async Task A_superuser_installer_that_creates_dblink_itself_leaves_it_closed_to_PUBLIC()
    {
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        var (local, remote) = (bed.Local, bed.Remote);
        await Db.ExecuteAsync(local.AdminConnectionString, "DROP EXTENSION dblink");
        await using var source = NpgsqlDataSource.Create(local.AdminConnectionString);

        await PgSyncInstaller.InstallAsync(source, bed.Options);

        Assert.Equal("pgsync", await Db.ScalarAsync<string>(local.AdminConnectionString, "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'dblink'"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(
            local.AdminConnectionString,
            "SELECT count(*) FROM pg_proc WHERE pronamespace = 'pgsync'::regnamespace AND has_function_privilege('public', oid, 'EXECUTE')"));
        Assert.False(await Db.ScalarAsync<bool>(local.AdminConnectionString, "SELECT has_schema_privilege('public', 'pgsync', 'USAGE')"));
    }

    /// <summary>A role that may write app.hostile_sync (and use its schema), nothing more.</summary>
    private static async Task<TestRole> CreateWriterAsync(TestBed pair)
    {
        var role = await pair.Cluster.CreateRoleAsync("hostile");
        await Db.ExecuteAsync(
            pair.Local.AdminConnectionString,
            $"GRANT USAGE ON SCHEMA app TO \"{role.Name}\"; GRANT SELECT, INSERT, UPDATE, DELETE ON app.hostile_sync TO \"{role.Name}\"");
        return role;
    }
}
