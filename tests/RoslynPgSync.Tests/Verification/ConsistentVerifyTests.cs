using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using RoslynPgSync.Verification;
using Xunit;
using Xunit.Abstractions;

namespace RoslynPgSync.Tests.Verification;

/// <summary>
/// The verifier compares at a consistent point (what was queued before it is applied first, keys in
/// flight are read again) and the repair goes through the queue in its order: under writers, with a
/// queue that cannot move, and against a writer racing the repair.
/// </summary>
public sealed class ConsistentVerifyTests(ITestOutputHelper output)
{
    private const string Server = "async_dst";
    private const string Source = "app.hostile_async";
    private const string Target = "copy.hostile_async";
    private const int Rows = 50_000;

    private static ReplicatedTable Table => PgSyncInstaller.Tables.Single(t => t.SourceTable == "hostile_async");

    [Fact]
    public async Task Changes_queued_before_the_verification_are_applied_first_and_are_no_difference()
    {
        await using var bed = await InstalledAsync();
        await Db.ExecuteAsync(bed.Local.ConnectionString, $"INSERT INTO {Source} (id, code, body) SELECT g, 'q', 'queued' FROM generate_series(1, 50) AS g");
        await Db.ExecuteAsync(bed.Local.ConnectionString, $"UPDATE {Source} SET body = 'changed' WHERE id <= 10 AND code = 'k'");
        Assert.Equal(2, await bed.QueueDepthAsync());

        var result = Assert.Single(await Verifier(bed).VerifyAsync([Table]));

        Assert.True(result.IsEqual, result.ToString());
        Assert.True(result.Settled);
        Assert.Equal(Rows + 50L, result.SourceCount);
        Assert.Equal(0, await bed.QueueDepthAsync());
        Assert.True(await bed.EqualAsync(Source, Target, "id, code"));
    }

    [Fact]
    public async Task A_queue_that_cannot_reach_the_point_is_reported_unsettled_with_its_difference()
    {
        await using var bed = await InstalledAsync();
        // The destination refuses one row: its entry stays queued, and the verifier must not wait forever.
        await Db.ExecuteAsync(bed.Remote.ConnectionString, """
            CREATE FUNCTION copy.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.body = 'refused' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON copy.hostile_async FOR EACH ROW EXECUTE FUNCTION copy.refuse();
            """);
        await Db.ExecuteAsync(bed.Local.ConnectionString, $"INSERT INTO {Source} (id, code, body) VALUES (-1, 'x', 'refused')");

        var watch = Stopwatch.StartNew();
        var result = Assert.Single(await Verifier(bed, TimeSpan.FromSeconds(2)).VerifyAsync([Table]));
        output.WriteLine($"{result} in {watch.ElapsedMilliseconds} ms");

        Assert.False(result.IsEqual);
        Assert.False(result.Settled);
        Assert.Equal(1L, result.PendingEntries);
        Assert.Equal(["(-1,x)"], result.Missing);
        Assert.Contains("1 entries queued before the comparison were not applied yet", result.ToString(), StringComparison.Ordinal);
        // It waited for the queue once (not once per recheck), then compared anyway.
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
        // Not repaired behind an entry the destination refuses: the repair would only queue behind it.
        var repaired = Assert.Single(await Verifier(bed, TimeSpan.FromSeconds(1)).RepairAsync([Table]));
        Assert.False(repaired.IsEqual);
        Assert.Equal(1, await bed.QueueDepthAsync());
    }

    [Fact]
    public async Task A_role_that_may_not_read_the_queue_compares_and_says_it_had_no_consistent_point()
    {
        await using var bed = await InstalledAsync();
        var role = "verify_reader_" + Guid.NewGuid().ToString("N")[..8];
        await Db.ExecuteAsync(bed.Local.AdminConnectionString, $"""
            CREATE ROLE {role} LOGIN PASSWORD 'reader-secret';
            GRANT CONNECT ON DATABASE "{bed.Local.Name}" TO {role};
            GRANT USAGE ON SCHEMA app TO {role};
            GRANT SELECT ON {Source} TO {role};
            """);
        await using var reader = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(bed.Local.ConnectionString) { Username = role, Password = "reader-secret" }.ConnectionString);

        var result = Assert.Single(await new PgSyncVerifier(reader, bed.Options).VerifyAsync([Table]));

        Assert.True(result.IsEqual, result.ToString());
        Assert.False(result.Settled);
        Assert.Equal(-1L, result.PendingEntries);
        Assert.Contains("compared without a consistent point", result.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("reader-secret", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_1000_writes_a_second_it_reports_no_false_difference_and_finds_and_repairs_a_real_one()
    {
        await using var bed = await InstalledAsync();
        using var stop = new CancellationTokenSource();
        var replay = ReplayAsync(bed, stop.Token);
        // 4 writers of 250 single-row transactions a second each: inserts, updates, deletes of keys 1..40,000.
        var writers = Enumerable.Range(0, 4).Select(w => WriteAsync(bed.Local.ConnectionString, w, stop.Token)).ToList();
        var writing = Stopwatch.StartNew();
        await Task.Delay(1000);

        var verifier = Verifier(bed);
        var rounds = new List<VerificationResult>();
        // At least 3 verifications, and for at least 15 s of writing: however fast the verifier is, the
        // writers' load lasts long enough to count.
        for (var i = 0; i < 3 || writing.Elapsed < TimeSpan.FromSeconds(15); i++)
        {
            var watch = Stopwatch.StartNew();
            var result = Assert.Single(await verifier.VerifyAsync([Table]));
            output.WriteLine($"under writes: {result} ({result.RecheckRounds} rechecks, {result.KeysRead} keys read, {watch.ElapsedMilliseconds} ms)");
            rounds.Add(result);
        }

        // A real difference, in keys the writers do not touch: the destination's row changed behind replication's back.
        await Db.ExecuteAsync(bed.Remote.ConnectionString, $"UPDATE {Target} SET body = 'tampered' WHERE id = 45000; DELETE FROM {Target} WHERE id = 45001");
        var different = Assert.Single(await verifier.VerifyAsync([Table]));
        output.WriteLine($"tampered: {different} ({different.RecheckRounds} rechecks)");
        var repaired = Assert.Single(await verifier.RepairAsync([Table]));
        output.WriteLine($"repaired under writes: {repaired}");

        await stop.CancelAsync();
        var writes = (await Task.WhenAll(writers)).Sum();
        await replay;
        output.WriteLine($"{writes} writes in {writing.Elapsed.TotalSeconds:F1} s, {rounds.Count} verifications under them");
        Assert.InRange(writes, 10_000, int.MaxValue);
        Assert.All(rounds, r => Assert.True(r.IsEqual && r.Settled, r.ToString()));
        Assert.Equal(["(45000,k)"], different.Changed);
        Assert.Equal(["(45001,k)"], different.Missing);
        Assert.Empty(different.Extra);
        Assert.True(repaired.IsEqual, repaired.ToString());
        await bed.ReplayAsync();
        Assert.True(await bed.EqualAsync(Source, Target, "id, code"));
    }

    [Fact]
    public async Task A_point_whose_differences_overflow_MaxKeys_and_were_all_in_flight_is_compared_again_and_found_equal()
    {
        await using var bed = await InstalledAsync();
        // One entry queued, so that the verifier has a mark to wait for; its stream's lock held meanwhile.
        await Db.ExecuteAsync(bed.Local.ConnectionString, $"UPDATE {Source} SET body = 'queued' WHERE id = 10 AND code = 'k'");
        await using var holder = new NpgsqlConnection(bed.Local.ConnectionString);
        await holder.OpenAsync();
        await Db.ExecuteAsync(holder, $"BEGIN; SELECT pgsync.lock_stream('{Server}', '')");

        var verifying = Task.Run(() => new PgSyncVerifier(bed.LocalSource, bed.Options) { MaxKeys = 2 }.VerifyAsync([Table]));
        await WaitUntilAsync(bed.Local.ConnectionString, "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory')");
        // Committed after the verifier's source snapshot, applied with its mark: at that point the destination
        // is three changes ahead, more than the two keys it lists, every one of them in flight.
        await Db.ExecuteAsync(bed.Local.ConnectionString, $"UPDATE {Source} SET body = 'after the point' WHERE id IN (1, 2, 3) AND code = 'k'");
        await Db.ExecuteAsync(holder, "COMMIT");
        var result = Assert.Single(await verifying);

        // The listed two are equal when read again, which says nothing of the third: compared again at a new point.
        Assert.True(result.IsEqual, result.ToString());
        Assert.False(result.Truncated);
        Assert.True(result.Settled);
        Assert.True(await bed.EqualAsync(Source, Target, "id, code"));
    }

    [Fact]
    public async Task A_dry_run_changes_nothing_and_the_repair_makes_missing_extra_and_changed_keys_equal()
    {
        await using var bed = await InstalledAsync();
        await Db.ExecuteAsync(bed.Remote.ConnectionString, $"""
            DELETE FROM {Target} WHERE id = 7;
            INSERT INTO {Target} (id, code, body) VALUES (-5, 'extra, "quoted"', 'only here');
            UPDATE {Target} SET body = E'changed \\ ''quoted''', numbers = ARRAY[1, NULL] WHERE id = 8;
            """);
        var before = await TestBed.RowsAsync(bed.Remote.ConnectionString, Target, "id, code");

        var plan = Assert.Single(await Verifier(bed).PlanRepairAsync([Table]));

        Assert.Equal(["(7,k)"], plan.Verification.Missing);
        Assert.Equal(["(-5,\"extra, \"\"quoted\"\"\")"], plan.Verification.Extra);
        Assert.Equal(["(8,k)"], plan.Verification.Changed);
        var statement = Assert.Single(plan.Statements);
        Assert.Contains("DELETE", statement, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("INSERT", statement, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await TestBed.RowsAsync(bed.Remote.ConnectionString, Target, "id, code"));
        Assert.Equal(0, await bed.QueueDepthAsync());

        var repaired = Assert.Single(await Verifier(bed).RepairAsync([Table]));

        Assert.True(repaired.IsEqual, repaired.ToString());
        Assert.True(await bed.EqualAsync(Source, Target, "id, code"));
        Assert.Equal(0, await bed.QueueDepthAsync());
    }

    [Fact]
    public async Task The_repair_waits_for_a_writer_in_flight_and_never_overwrites_its_newer_change()
    {
        await using var bed = await InstalledAsync();
        await Db.ExecuteAsync(bed.Remote.ConnectionString, $"UPDATE {Target} SET body = 'tampered' WHERE id = 3; INSERT INTO {Target} (id, code, body) VALUES (-9, 'n', 'extra')");
        // A writer, not committed yet, changes the differing row and inserts the key the destination has extra.
        await using var writer = new NpgsqlConnection(bed.Local.ConnectionString);
        await writer.OpenAsync();
        await using var transaction = await writer.BeginTransactionAsync();
        await Db.ExecuteAsync(writer, $"UPDATE {Source} SET body = 'newer' WHERE id = 3; INSERT INTO {Source} (id, code, body) VALUES (-9, 'n', 'inserted')");

        var repair = Verifier(bed).RepairAsync([Table]);
        // The verification reads snapshots and does not wait; the repair's lock does, for the writer.
        await WaitUntilAsync(bed.Local.ConnectionString, "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'LOCK TABLE%')");
        Assert.False(repair.IsCompleted);
        await transaction.CommitAsync();
        var repaired = Assert.Single(await repair);

        Assert.True(repaired.IsEqual, repaired.ToString());
        Assert.Equal("newer", await Db.ScalarAsync<string>(bed.Remote.ConnectionString, $"SELECT body FROM {Target} WHERE id = 3"));
        Assert.Equal("inserted", await Db.ScalarAsync<string>(bed.Remote.ConnectionString, $"SELECT body FROM {Target} WHERE id = -9"));
        Assert.True(await bed.EqualAsync(Source, Target, "id, code"));
    }

    [Fact]
    public async Task A_repeatable_read_Sync_writer_whose_snapshot_predates_a_repair_fails_to_serialize_instead_of_going_ahead_of_it()
    {
        var table = PgSyncInstaller.Tables.Single(t => t.SourceTable == "hostile_sync");
        await using var bed = await TestBed.Create().Pair("sync_dst").InstallAsync([table]);
        await Db.ExecuteAsync(bed.Local.ConnectionString, "INSERT INTO app.hostile_sync (id, code, body) SELECT g, 'k', 'row ' || g FROM generate_series(1, 100) AS g");
        await Db.ExecuteAsync(bed.Remote.ConnectionString, "UPDATE copy.hostile_sync SET body = 'tampered' WHERE id = 3");
        // The destination's lock held: the repair's entry stays queued, unapplied.
        await using var holder = new NpgsqlConnection(bed.Local.ConnectionString);
        await holder.OpenAsync();
        await Db.ExecuteAsync(holder, $"BEGIN; SELECT pg_advisory_xact_lock({RoslynPgSync.Queue.PgSyncQueue.DestinationLockSpace}, hashtext('sync_dst'))");
        await using var writer = new NpgsqlConnection(bed.Local.ConnectionString);
        await writer.OpenAsync();
        await Db.ExecuteAsync(writer, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM app.hostile_sync");

        var repair = Task.Run(() => new PgSyncVerifier(bed.LocalSource, bed.Options).RepairAsync([table]));
        await WaitUntilAsync(bed.Local.ConnectionString, "SELECT EXISTS (SELECT 1 FROM pgsync.sync_err_rec WHERE dst_server = 'sync_dst')");
        // Its snapshot shows no queued repair: without the table's mark it would send this change first.
        var failure = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(writer, "UPDATE app.hostile_sync SET body = 'newer' WHERE id = 3; COMMIT"));
        Assert.Equal(PostgresErrorCodes.SerializationFailure, failure.SqlState);
        await Db.ExecuteAsync(writer, "ROLLBACK");
        await Db.ExecuteAsync(holder, "COMMIT");
        var repaired = Assert.Single(await repair);
        await Db.ExecuteAsync(writer, "BEGIN ISOLATION LEVEL REPEATABLE READ; UPDATE app.hostile_sync SET body = 'newer' WHERE id = 3; COMMIT");

        Assert.True(repaired.IsEqual, repaired.ToString());
        Assert.Equal("newer", await Db.ScalarAsync<string>(bed.Remote.ConnectionString, "SELECT body FROM copy.hostile_sync WHERE id = 3"));
        Assert.True(await bed.EqualAsync("app.hostile_sync", "copy.hostile_sync", "id, code"));
    }

    /// <summary>The pair with hostile_async installed, 50,000 rows on both sides (keys (1..50,000, 'k')).</summary>
    private static async Task<TestBed> InstalledAsync()
    {
        var bed = await TestBed.Create().Pair(Server).InstallAsync([Table]);
        await Db.ExecuteAsync(
            bed.Local.ConnectionString,
            $"INSERT INTO {Source} (id, code, body, numbers, ratio, at) SELECT g, 'k', md5(g::text), ARRAY[g, -g], g / 3.0, timestamptz '2024-01-01' + g * interval '1 minute' FROM generate_series(1, {Rows}) AS g");
        await bed.ReplayAsync();
        return bed;
    }

    private static PgSyncVerifier Verifier(TestBed bed, TimeSpan? settle = null) =>
        new(bed.LocalSource, bed.Options) { SettleTimeout = settle ?? TimeSpan.FromSeconds(30) };

    /// <summary>The replay worker's part: applies the queue every 20 ms until stopped.</summary>
    private static async Task ReplayAsync(TestBed bed, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await bed.ReplayAsync(1000);
            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>About 250 single-row transactions a second on keys 1..40,000 (and new ones above 100,000) until stopped; returns how many.</summary>
    private static async Task<int> WriteAsync(string connectionString, int writer, CancellationToken stop)
    {
        var random = new Random(writer);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        var watch = Stopwatch.StartNew();
        var writes = 0;
        while (!stop.IsCancellationRequested)
        {
            var id = random.Next(1, 40_001);
            var sql = random.Next(10) switch
            {
                < 6 => $"UPDATE {Source} SET body = 'w{writer}-{writes}', ratio = random() WHERE id = {id} AND code = 'k'",
                < 8 => $"INSERT INTO {Source} (id, code, body) VALUES ({100_000 + (writer * 1_000_000) + writes}, 'k', 'new') ",
                < 9 => $"DELETE FROM {Source} WHERE id = {id} AND code = 'k'",
                _ => $"INSERT INTO {Source} (id, code, body) VALUES ({id}, 'k', 'back') ON CONFLICT (id, code) DO UPDATE SET body = 'upserted'",
            };
            await Db.ExecuteAsync(connection, sql);
            writes++;
            var ahead = TimeSpan.FromSeconds(writes / 250.0) - watch.Elapsed;
            if (ahead > TimeSpan.Zero)
            {
                await Task.Delay(ahead, CancellationToken.None);
            }
        }

        return writes;
    }

    private static async Task WaitUntilAsync(string connectionString, string condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await Db.ScalarAsync<bool>(connectionString, condition))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "timed out waiting for: " + condition);
            await Task.Delay(50);
        }
    }
}
