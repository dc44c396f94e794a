using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Generator.Tests.Infrastructure;
using RoslynPgSync.Installation;
using RoslynPgSync.Queue;
using RoslynPgSync.Generator.Model;
using RoslynPgSync.Sql;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Installation;

/// <summary>
/// The installed SQL as files (one object per file, three tokens), the one list of steps that is both
/// executed and printed, and the schema versions: recorded, applied once, and an install of a release
/// that recorded none brought to the current shape with its data.
/// </summary>
public sealed class InstallPlanTests
{
    [Fact]
    public void Every_sql_file_loads_with_only_the_known_tokens_and_an_unknown_token_is_refused()
    {
        var files = new[] { "core", "core/schema", "core/functions", "core/upgrades", "core/views", "destination" }.SelectMany(SqlResources.Files).ToList();
        Assert.True(files.Count > 20, string.Join(", ", files));
        foreach (var file in files)
        {
            var sql = SqlResources.Load(file, "My Schema", "dblink");
            Assert.DoesNotMatch(new Regex("@[A-Za-z0-9_]+@"), sql);
            Assert.DoesNotContain("{{", sql, StringComparison.Ordinal);
        }

        Assert.Contains("\"My Schema\".sync_err_rec", SqlResources.Load("core/schema/010_sync_err_rec.sql", "My Schema", "dblink"), StringComparison.Ordinal);
        Assert.Contains("('\"My Schema\"' || '.sync_pending')", SqlResources.Load("core/schema/030_sync_pending.sql", "My Schema", "dblink"), StringComparison.Ordinal);

        var typo = Assert.Throws<InvalidOperationException>(() => SqlResources.Replace("SELECT 1 FROM @schemas@.t", "probe.sql", "pgsync", "dblink"));
        Assert.Contains("unknown token @schemas@", typo.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sql_files_and_the_dotnet_side_name_the_same_locks_and_channel()
    {
        var functions = string.Concat(SqlResources.Files("core/functions").Select(SqlResources.Raw));
        Assert.Equal(1346851673, PgSyncQueue.DestinationLockSpace);
        Assert.Equal(1346851674, PgSyncQueue.StreamLockSpace);
        // lock_stream takes a destination's lock shared and its stream's lock; only resolve_applied's restore
        // takes the destination's exclusively (waiting for all of its streams); nothing else takes any.
        var lockStream = SqlResources.Raw("core/functions/105_lock_stream.sql");
        Assert.Equal(1, Regex.Count(lockStream, "pg_advisory_xact_lock_shared\\(1346851673, pg_catalog.hashtext\\(p_dst\\)\\)"));
        Assert.Equal(1, Regex.Count(lockStream, "pg_advisory_xact_lock\\(1346851674,"));
        Assert.Equal(1, Regex.Count(SqlResources.Raw("core/functions/170_resolve_applied.sql"), "pg_advisory_xact_lock\\(1346851673, pg_catalog.hashtext\\(p_dst\\)\\)"));
        Assert.Equal(3, Regex.Count(functions, "pg_advisory_xact_lock(_shared)?\\("));
        Assert.Equal(2, Regex.Count(functions, "PERFORM @schema@.lock_stream\\(")); // apply_pending, skip_entry
        // try_lock_stream takes the same two keys without waiting (deal_sync_err_rec).
        Assert.Equal(1, Regex.Count(lockStream, "pg_try_advisory_xact_lock_shared\\(1346851673, pg_catalog.hashtext\\(p_dst\\)\\)"));
        Assert.Equal(1, Regex.Count(lockStream, "pg_try_advisory_xact_lock\\(1346851674,"));
        Assert.Equal(2, Regex.Count(functions, "pg_try_advisory_xact_lock"));
        Assert.Contains($"pg_notify('{SqlNames.NotifyChannel}', '{SqlNames.RetryPrefix}' || v_dst)", functions, StringComparison.Ordinal);
    }

    [Fact]
    public void The_mode_is_one_enum_whose_names_values_and_codes_the_runtime_and_the_sql_share()
    {
        Assert.Equal(Enum.GetNames<ReplicationMode>(), QueueModes.All.Select(m => m.ToString()));
        Assert.Equal(Enum.GetValues<ReplicationMode>().Select(m => (int)m), QueueModes.All.Select(m => (int)m));
        var codes = string.Join(", ", QueueModes.All.Select(m => "'" + m.Code() + "'"));
        Assert.Contains($"mode \"char\" NOT NULL DEFAULT 'a' CHECK (mode IN ({codes}))", SqlResources.Raw("core/schema/010_sync_err_rec.sql"), StringComparison.Ordinal);
        var atCommit = string.Join(", ", QueueModes.All.Where(m => m.SentAtCommit()).Select(m => "'" + m.Code() + "'"));
        Assert.Contains($"mode \"char\" NOT NULL CHECK (mode IN ({atCommit}))", SqlResources.Raw("core/schema/030_sync_pending.sql"), StringComparison.Ordinal);
        Assert.Contains($"IF p_mode OPERATOR(pg_catalog.=) '{QueueMode.Async.Code()}' THEN", SqlResources.Raw("core/functions/230_enqueue.sql"), StringComparison.Ordinal);
        Assert.Contains($"p.mode = '{QueueMode.Strict.Code()}'", SqlResources.Raw("core/functions/200_flush_at_commit.sql"), StringComparison.Ordinal);
    }

    /// <summary>
    /// One table installs one capture function, named by the table: two models of one table (one class per
    /// destination) installed together replaced each other's, and the first one's destination silently
    /// received nothing (found in review). Refused, naming both; a node that registers the servers of only
    /// one of them installs it.
    /// </summary>
    [Fact]
    public async Task Two_models_of_one_source_table_installed_together_are_refused_naming_both()
    {
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        var table = PgSyncInstaller.Tables.Single(t => t.SourceTable == "hostile_async");

        var refused = Assert.Throws<PgSyncInstallException>(() => InstallPlan.Create(bed.Options, [table, table]));

        Assert.Contains("Table app.hostile_async is replicated by " + table.EntityType.Name + " and " + table.EntityType.Name, refused.Message, StringComparison.Ordinal);
        Assert.Contains("one [Replicate] per server", refused.Message, StringComparison.Ordinal);
        Assert.Single(InstallPlan.Create(bed.Options, [table]).Tables);
    }

    [Theory]
    [InlineData(ConflictPolicy.LastWriterWins)]
    [InlineData(ConflictPolicy.KeepLocal)]
    [InlineData(ConflictPolicy.Error)]
    [InlineData((ConflictPolicy)7)]
    public async Task A_conflict_policy_whose_model_carries_no_row_versions_is_refused_before_anything_is_installed(ConflictPolicy policy)
    {
        await using var bed = await TestBed.Create().Pair("async_dst").BuildAsync();
        var declared = PgSyncInstaller.Tables.Select(t => t.SourceTable != "hostile_async" ? t : Declaring(t, policy)).ToList();

        var refused = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstallation.InstallAsync(bed.LocalSource, bed.Options, declared));

        // A hand-made model (or one an older generator built) has no row versions: applied as ApplyRemote, it would lose
        // the very writes the policy is declared to keep.
        if (System.Enum.IsDefined(policy))
        {
            Assert.Contains($"Table app.hostile_async declares Conflicts = {policy} for server 'async_dst' (copy.hostile_async, Async)", refused.Message, StringComparison.Ordinal);
            Assert.Contains("carries no row versions", refused.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("declares Conflicts = 7 for server 'async_dst' (copy.hostile_async), which is no ConflictPolicy", refused.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(bed.Remote.OwnerPassword, refused.Message, StringComparison.Ordinal);
        Assert.Null(await Db.ScalarAsync<string>(bed.Local.ConnectionString, "SELECT to_regnamespace('pgsync')::text"));
    }

    /// <summary><paramref name="table"/> with every target declaring <paramref name="policy"/>.</summary>
    private static ReplicatedTable Declaring(ReplicatedTable table, ConflictPolicy policy) => new(
        table.EntityType,
        table.SourceSchema,
        table.SourceTable,
        [.. table.Columns],
        [.. table.KeyColumns],
        [.. table.PkVector],
        table.CreateTableSql,
        table.GetInstallSql,
        table.GetUninstallSql,
        [.. table.Targets.Select(t => new ReplicationTarget(t.Server, t.Schema, t.Table, t.Mode, t.Where, t.CreateTableSql, t.Channel) { Conflicts = policy })]);

    [Fact]
    public void The_install_script_is_the_checked_in_snapshot()
    {
        var options = new PgSyncOptions { NodeName = "snapshot" }.AddServer("async_dst", "Host=db2;Port=5433;Database=remote;Username=replicator;Password=not-in-the-script");
        var tables = PgSyncInstaller.Tables.Where(t => t.EntityType == typeof(Models.HostileAsync)).ToList();

        var script = PgSyncInstallation.GetInstallScript(options, tables);

        Assert.DoesNotContain("not-in-the-script", script, StringComparison.Ordinal);
        Snapshot.Match(script, "install-script.verified.sql");
    }

    [Fact]
    public async Task A_new_install_records_the_schema_version_and_a_reinstall_applies_no_version_again()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var versions = await Db.ScalarAsync<string>(pair.Local.ConnectionString, "SELECT string_agg(version || ' ' || installed_at, ',') FROM pgsync.schema_version");
        Assert.Equal(InstallPlan.SchemaVersion, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT max(version) FROM pgsync.schema_version"));

        await PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options);

        Assert.Equal(versions, await Db.ScalarAsync<string>(pair.Local.ConnectionString, "SELECT string_agg(version || ' ' || installed_at, ',') FROM pgsync.schema_version"));
    }

    [Fact]
    public async Task An_install_of_a_release_that_recorded_no_version_is_brought_to_version_one_and_keeps_its_queue()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (1, 'k', 'queued before the upgrade')");
        // What an earlier release left: no version record, columns added later missing, the flush trigger on the queue.
        await Db.ExecuteAsync(
            pair.Local.ConnectionString,
            "DROP TABLE pgsync.schema_version; DROP VIEW pgsync.status; " +
            "ALTER TABLE pgsync.dst_state DROP COLUMN last_error_table; ALTER TABLE pgsync.node DROP COLUMN commit_timeout; " +
            "ALTER TABLE pgsync.sync_pending DROP COLUMN keys; DROP TABLE pgsync.replicated_table; " +
            "CREATE CONSTRAINT TRIGGER flush_at_commit AFTER INSERT ON pgsync.sync_err_rec DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pgsync.flush_at_commit()");

        await PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options);

        Assert.Equal(InstallPlan.SchemaVersion, await Db.ScalarAsync<int>(pair.Local.ConnectionString, "SELECT max(version) FROM pgsync.schema_version"));
        Assert.Equal(3L, await Db.ScalarAsync<long>(
            pair.Local.ConnectionString,
            "SELECT count(*) FROM pg_attribute WHERE (attrelid, attname) IN (('pgsync.dst_state'::regclass, 'last_error_table'), ('pgsync.node'::regclass, 'commit_timeout'), ('pgsync.sync_pending'::regclass, 'keys'))"));
        Assert.Equal(TimeSpan.FromSeconds(30), await Db.ScalarAsync<TimeSpan>(pair.Local.ConnectionString, "SELECT commit_timeout FROM pgsync.node"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Local.ConnectionString, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'pgsync.sync_err_rec'::regclass AND tgname = 'flush_at_commit'"));
        Assert.Equal(1, await pair.ReplayAsync());
        Assert.Equal("queued before the upgrade", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT body FROM copy.hostile_async WHERE id = 1"));
    }

    [Fact]
    public async Task An_older_runtime_refuses_a_schema_a_newer_one_installed()
    {
        await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
        var newer = InstallPlan.SchemaVersion + 1;
        const string Functions = "SELECT md5(string_agg(p.oid::regprocedure::text || prosrc, ',' ORDER BY p.oid)) FROM pg_proc AS p WHERE pronamespace = 'pgsync'::regnamespace";
        // What a newer release leaves: a later version recorded, and its own function bodies.
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO pgsync.schema_version (version, description) VALUES ({newer}, 'a later release')");
        await Db.ExecuteAsync(pair.Local.AdminConnectionString, "CREATE OR REPLACE FUNCTION pgsync.remote_timeout() RETURNS interval LANGUAGE sql AS $$ SELECT interval '7 seconds' $$");
        var before = await Db.ScalarAsync<string>(pair.Local.ConnectionString, Functions);

        var error = await Assert.ThrowsAsync<PgSyncInstallException>(() => PgSyncInstaller.InstallAsync(pair.LocalSource, pair.Options));
        Assert.Contains($"is at schema version {newer}, newer than this runtime knows ({InstallPlan.SchemaVersion})", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Db.ScalarAsync<string>(pair.Local.ConnectionString, Functions));

        // The printed script stops at the same place: psql fails and the functions stay the newer release's.
        var script = PgSyncInstaller.GetInstallScript(pair.Options);
        var password = (ForeignServerSql.PasswordVariable(pair.Options.Servers[0]), pair.Remote.OwnerPassword);
        var psql = await Assert.ThrowsAnyAsync<Exception>(() => Psql.RunAsync(pair.Cluster, pair.Local.Name, script, password));
        Assert.Contains("newer than this runtime knows", psql.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Db.ScalarAsync<string>(pair.Local.ConnectionString, Functions));
    }

    [Fact]
    public void The_plan_puts_functions_before_the_tables_that_call_them_and_the_tables_before_the_view()
    {
        var options = new PgSyncOptions { NodeName = "n" }.AddServer("async_dst", "Host=h;Database=d;Username=u;Password=p");
        var steps = InstallPlan.Create(options, PgSyncInstaller.Tables).Steps(options, "dblink").Select(s => s.Description).ToList();

        Assert.Equal("core/000_schema_version.sql", steps[0]);
        int At(string text) => steps.FindIndex(s => s.Contains(text, StringComparison.Ordinal));
        Assert.True(At("200_flush_at_commit.sql") < At("schema version 1"));
        Assert.True(At("schema version 1") < At("views/status.sql"));
        Assert.True(At("views/status.sql") < At("foreign server async_dst"));
        Assert.True(At("answers through dblink") < At("app.hostile_async"));
    }

    [Fact]
    public async Task A_new_runtime_keeps_replicating_under_capture_functions_generated_for_the_previous_queue_layout()
    {
        await using var pair = await TestBed.Create().Pair("async_dst", "sync_dst").InstallAsync(PgSyncInstaller.Tables);
        // The application was not rebuilt: its capture functions still write the queue's tables themselves.
        var fixture = System.IO.Path.Combine(AppContext.BaseDirectory, "Installation", "Fixtures", "capture-before-enqueue.sql");
        await Db.ExecuteAsync(pair.Local.ConnectionString, await System.IO.File.ReadAllTextAsync(fixture));
        Assert.Equal(2L, await Db.ScalarAsync<long>(
            pair.Local.ConnectionString,
            "SELECT count(*) FROM pg_proc WHERE pronamespace = 'pgsync'::regnamespace AND proname LIKE 'capture_hostile_%' AND prosrc NOT LIKE '%enqueue%' AND (prosrc LIKE '%INSERT INTO \"pgsync\".\"sync_err_rec\"%' OR prosrc LIKE '%INSERT INTO \"pgsync\".\"sync_pending\"%')"));

        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_sync (id, code, body) VALUES (1, 'k', 'sync, old capture')");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO app.hostile_async (id, code, body) VALUES (2, 'k', 'async, old capture')");

        Assert.Equal("sync, old capture", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT body FROM copy.hostile_sync WHERE id = 1"));
        Assert.Equal(1, await pair.ReplayAsync());
        Assert.Equal("async, old capture", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT body FROM copy.hostile_async WHERE id = 2"));
    }
}
