using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.TestCluster;
using Xunit;

namespace RoslynPgSync.Tests.Installation;

/// <summary>The generated installer: idempotent, validating before it changes anything, and clear when it cannot go on.</summary>
public sealed class InstallerTests
{
    private const string Password = "Pw-that-must-never-leak-7d41";

    [Fact]
    public async Task Installing_twice_and_from_two_processes_at_once_gives_the_same_objects()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var before = await ObjectsAsync(pair.Local.ConnectionString);

        await PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options);
        await using var second = NpgsqlDataSource.Create(pair.Local.ConnectionString);
        await Task.WhenAll(
            PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options),
            PgSyncInstaller.InstallAsync(second, pair.Options));

        Assert.Equal(before, await ObjectsAsync(pair.Local.ConnectionString));
        Assert.Contains("trigger pgsync_capture_insert on app.hostile_async", before, StringComparison.Ordinal);
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code) VALUES (1, 'once')");
        Assert.Equal(1, await pair.QueueDepthAsync());
    }

    [Fact]
    public async Task Reinstalling_takes_no_lock_that_waits_for_writers_of_the_queue()
    {
        await using var pair = await TestBed.Create().Pair("async_dst", "sync_dst").InstallAsync(PgSyncInstaller.Tables);

        // A writer in the middle of its transaction holds ROW EXCLUSIVE on the queue and on
        // sync_pending; any DDL on them (ALTER, CREATE INDEX, CREATE TRIGGER) would have to wait.
        await using var writer = new NpgsqlConnection(pair.Local.ConnectionString);
        await writer.OpenAsync();
        await using var transaction = await writer.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("INSERT INTO app.hostile_async (id, code) VALUES (1, 'a'); INSERT INTO app.hostile_sync (id, code) VALUES (1, 'a')", writer, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        var impatient = new NpgsqlConnectionStringBuilder(pair.Local.ConnectionString) { Options = "-c lock_timeout=2s" };
        await using var installer = NpgsqlDataSource.Create(impatient.ConnectionString);
        await PgSyncInstaller.InstallAsync(installer, pair.Options);

        await transaction.CommitAsync();
        Assert.Equal(1, await pair.QueueDepthAsync());
        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, "SELECT count(*) FROM copy.hostile_sync"));
    }

    [Fact]
    public async Task Missing_column_is_named_with_table_expected_and_found_and_nothing_is_installed()
    {
        await using var bed = await TestBed.Create().Node("local").Node("remote").BuildAsync();
        var (local, remote) = (bed.Local, bed.Remote);
        await Db.ExecuteAsync(local.ConnectionString, "CREATE SCHEMA app; CREATE TABLE app.hostile_async (id integer, code text, body text, PRIMARY KEY (id, code))");
        await Db.ExecuteAsync(remote.ConnectionString, "CREATE SCHEMA copy");
        var options = new PgSyncOptions { CreateMissingTables = false }.AddServer("async_dst", remote.ConnectionString);
        var source = bed.LocalSource;

        var error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(source, options));

        Assert.Contains("copy.hostile_async does not exist in the destination server 'async_dst'", error.Message, StringComparison.Ordinal);
        await Db.ExecuteAsync(remote.ConnectionString, "CREATE TABLE copy.hostile_async (LIKE pg_catalog.pg_class)");
        error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(source, options));
        Assert.Contains("copy.hostile_async in the destination server 'async_dst' has no column \"id\" (expected integer", error.Message, StringComparison.Ordinal);

        await Db.ExecuteAsync(remote.ConnectionString, "DROP TABLE copy.hostile_async");
        options.CreateMissingTables = false;
        await PrepareRemoteAsync(remote);
        error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(source, options));
        Assert.Contains("Table app.hostile_async in the local database", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no column \"blob\" (expected bytea, from HostileAsync.Blob)", error.Message, StringComparison.Ordinal);
        Assert.Null(await Db.ScalarAsync<string?>(local.ConnectionString, "SELECT nspname::text FROM pg_namespace WHERE nspname = 'pgsync'"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(local.ConnectionString, "SELECT count(*) FROM pg_foreign_server"));
    }

    [Fact]
    public async Task Wrong_type_and_wrong_primary_key_are_reported_with_expected_and_found()
    {
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        var (local, remote) = (bed.Local, bed.Remote);
        await PrepareRemoteAsync(remote);
        var options = bed.Options;
        var source = bed.LocalSource;
        await Db.ExecuteAsync(local.ConnectionString, CreateHostile("app", "hostile_async").Replace("\"body\" text", "\"body\" varchar(10)", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(source, options));
        Assert.Contains("Column \"body\" of table app.hostile_async in the local database", error.Message, StringComparison.Ordinal);
        Assert.Contains("has type character varying(10); expected text", error.Message, StringComparison.Ordinal);

        await Db.ExecuteAsync(local.ConnectionString, "DROP TABLE app.hostile_async");
        await Db.ExecuteAsync(local.ConnectionString, CreateHostile("app", "hostile_async").Replace("PRIMARY KEY (\"id\", \"code\")", "PRIMARY KEY (\"code\", \"id\")", StringComparison.Ordinal));
        error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(source, options));
        Assert.Contains("has primary key (code, id); expected primary key (id, code) in that order", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Servers_decide_what_is_installed_skipped_or_refused()
    {
        await using var bed = await TestBed.Create().Node("local").BuildAsync();
        var (local, source) = (bed.Local, bed.LocalSource);

        var none = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(source, new PgSyncOptions().AddServer("unused", local.ConnectionString)));
        Assert.Contains("No table can be installed", none.Message, StringComparison.Ordinal);
        Assert.Contains("'fan_a'", none.Message, StringComparison.Ordinal);
        Assert.Contains("registered: 'unused'", none.Message, StringComparison.Ordinal);

        var partial = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(source, new PgSyncOptions().AddServer("fan_a", local.ConnectionString)));
        Assert.Contains("shop.orders replicates to server(s) 'fan_b', which are not registered", partial.Message, StringComparison.Ordinal);

        var script = PgSyncInstaller.GetInstallScript(new PgSyncOptions { NodeName = "n1" }.AddServer("async_dst", $"Host=h;Database=d;Username=u;Password={Password}"));
        Assert.Contains("-- skipped shop.orders: none of its servers is registered on this node", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TRIGGER \"pgsync_capture_insert\" AFTER INSERT ON \"app\".\"hostile_async\"", script, StringComparison.Ordinal);
        Assert.DoesNotContain("ON \"app\".\"hostile_sync\"", script, StringComparison.Ordinal);
        Assert.Contains("set_config('pgsync.mapping_password', :'pgsync_password_async_dst', true)", script, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_lives_only_in_the_user_mapping_and_no_error_or_statement_shows_it()
    {
        await using var bed = await TestBed.Create().Node("local").Node("remote").BuildAsync();
        var (local, remote) = (bed.Local, bed.Remote);
        await Db.ExecuteAsync(remote.AdminConnectionString, $"ALTER ROLE \"{remote.OwnerRole}\" PASSWORD '{Password}'");
        var connection = new NpgsqlConnectionStringBuilder(remote.ConnectionString) { Password = Password }.ConnectionString;
        var source = bed.LocalSource;
        await PgSyncInstaller.InstallAsync(source, new PgSyncOptions { CreateMissingTables = true }.AddServer("async_dst", connection));

        Assert.Equal(Password, await Db.ScalarAsync<string>(local.ConnectionString, "SELECT (SELECT option_value FROM pg_options_to_table(umoptions) WHERE option_name = 'password') FROM pg_user_mappings WHERE srvname = 'async_dst'"));
        Assert.DoesNotContain(Password, bed.Cluster.ReadLogTail(2000), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, await Db.ScalarAsync<string>(local.ConnectionString, "SELECT coalesce(string_agg(dst_query, ''), '') || coalesce(string_agg(prosrc, ''), '') FROM pgsync.sync_err_rec, pg_proc WHERE pronamespace = 'pgsync'::regnamespace"), StringComparison.Ordinal);

        // A wrong password fails through dblink with a message that names the server, not the password.
        var wrong = new NpgsqlConnectionStringBuilder(remote.ConnectionString) { Password = Password + "x" }.ConnectionString;
        var error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(source, new PgSyncOptions().AddServer("async_dst", wrong)));
        Assert.Contains("Destination server async_dst (Host=", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_superuser_without_dblink_rights_is_told_what_a_dba_must_run()
    {
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        var (local, remote) = (bed.Local, bed.Remote);
        await Db.ExecuteAsync(local.AdminConnectionString, $"REVOKE USAGE ON FOREIGN DATA WRAPPER dblink_fdw FROM \"{local.OwnerRole}\"");
        var source = bed.LocalSource;
        var options = bed.Options;

        var error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(source, options));
        Assert.Contains($"A DBA must run: GRANT USAGE ON FOREIGN DATA WRAPPER dblink_fdw TO \"{local.OwnerRole}\";", error.Message, StringComparison.Ordinal);

        await Db.ExecuteAsync(local.AdminConnectionString, "DROP EXTENSION dblink CASCADE");
        error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(source, options));
        Assert.Contains("The dblink extension is not installed", error.Message, StringComparison.Ordinal);
        Assert.Contains("A DBA must run, in that database: CREATE EXTENSION dblink;", error.Message, StringComparison.Ordinal);
        Assert.Null(await Db.ScalarAsync<string?>(local.ConnectionString, "SELECT nspname::text FROM pg_namespace WHERE nspname = 'pgsync'"));
    }

    [Fact]
    public async Task Destination_that_asks_for_no_password_is_refused_with_what_a_dba_must_change()
    {
        using var temp = new PrivateTempRoot();
        await using var trusting = await PostgresCluster.StartAsync(new PostgresClusterOptions { TempRoot = temp.Path, HostAuthentication = "trust", ExistingServerConnectionString = null });
        await using var bed = await TestBed.Create().Node("remote", trusting).Pair("async_dst").BuildAsync();
        var (local, remote) = (bed.Local, bed.Remote);

        var error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(bed.LocalSource, bed.Options));

        Assert.Contains("cannot be reached through dblink: password is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("a DBA must make the destination's pg_hba.conf use scram-sha-256", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(remote.OwnerPassword, error.ToString(), StringComparison.Ordinal);
        Assert.Null(await Db.ScalarAsync<string?>(local.ConnectionString, "SELECT nspname::text FROM pg_namespace WHERE nspname = 'pgsync'"));
    }

    [Fact]
    public async Task Target_that_is_the_source_table_itself_is_refused()
    {
        await using var bed = await TestBed.Create().Node("local").BuildAsync();
        var (local, source) = (bed.Local, bed.LocalSource);

        // types.every_type replicates to "dst" without remapping: pointing dst at the local database loops.
        var error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(
            source, new PgSyncOptions { CreateMissingTables = true }.AddServer("dst", local.ConnectionString)));

        Assert.Contains("Destination server 'dst' is the local database and types.every_type would replicate onto itself", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_writer_role_is_captured_but_can_neither_write_the_queue_nor_replay()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        await using var writer = await pair.Cluster.CreateRoleAsync("writer");
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"GRANT USAGE ON SCHEMA app TO \"{writer.Name}\"; GRANT SELECT, INSERT ON app.hostile_async TO \"{writer.Name}\"");
        var asWriter = writer.ConnectionStringFor(pair.Local.Name);

        await Db.ExecuteAsync(asWriter, "INSERT INTO app.hostile_async (id, code) VALUES (1, 'by another role')");
        var queue = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Db.ExecuteAsync(asWriter, "INSERT INTO pgsync.sync_err_rec (nsp_name, table_name, dst_server, dst_query) VALUES ('x', 'y', 'async_dst', 'DROP TABLE copy.hostile_async')"));
        var replay = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Db.ScalarAsync<int>(asWriter, "SELECT pgsync.deal_sync_err_rec(10)"));

        Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, queue.SqlState);
        Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, replay.SqlState);
        Assert.Equal(1, await pair.ReplayAsync());
        Assert.Equal("by another role", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT code FROM copy.hostile_async"));
    }

    [Fact]
    public async Task Uninstall_removes_every_object_and_leaves_the_data()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code) VALUES (1, 'kept')");

        await PgSyncInstaller.UninstallAsync(pair.LocalSource, pair.Options);
        await PgSyncInstaller.UninstallAsync(pair.LocalSource, pair.Options);

        Assert.Equal(string.Empty, await ObjectsAsync(pair.Local.ConnectionString));
        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Local.ConnectionString, "SELECT count(*) FROM app.hostile_async"));
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code) VALUES (2, 'not captured')");
    }

    /// <summary>Everything RoslynPgSync may own in a database, one line each, sorted.</summary>
    private static Task<string> ObjectsAsync(string connectionString) => Db.ScalarAsync<string>(connectionString, """
        SELECT coalesce(string_agg(o, E'\n' ORDER BY o), '') FROM (
            SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname = 'pgsync'
            UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace::regnamespace::text = 'pgsync'
            UNION ALL SELECT 'table ' || c.oid::regclass::text FROM pg_class c WHERE c.relnamespace::regnamespace::text = 'pgsync'
            UNION ALL SELECT 'trigger ' || tgname || ' on ' || tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal
            UNION ALL SELECT 'server ' || srvname || ' ' || array_to_string(srvoptions, ',') FROM pg_foreign_server
            UNION ALL SELECT 'mapping ' || srvname FROM pg_user_mappings
        ) AS objects(o)
        """);

    private static Task<int> PrepareRemoteAsync(TestDatabase remote) =>
        Db.ExecuteAsync(remote.ConnectionString, "CREATE SCHEMA IF NOT EXISTS copy; " + CreateHostile("copy", "hostile_async"));

    private static string CreateHostile(string schema, string table) => PgSyncInstaller.Tables.Single(t => t.SourceTable == "hostile_async")
        .CreateTableSql.Replace("\"app\".\"hostile_async\"", $"\"{schema}\".\"{table}\"", StringComparison.Ordinal)
        .Replace("CREATE SCHEMA IF NOT EXISTS \"app\"", $"CREATE SCHEMA IF NOT EXISTS \"{schema}\"", StringComparison.Ordinal);
}
