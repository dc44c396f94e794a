using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.TestCluster;

namespace RoslynPgSync.Bench;

/// <summary>
/// The drain workload: the time from the writer's commit until the destination equals the source.
/// Async: the rows wait in the queue and deal_sync_err_rec replays them; native: a running
/// subscription applies them (it may start while the writer is still writing, an advantage it keeps).
/// Written as one large statement and as many small ones (10 rows each).
/// </summary>
internal static class DrainBenchmark
{
    public static async Task<List<(string Shape, string Configuration, TimeSpan Drain, bool Equal)>> RunAsync(PostgresCluster cluster, int rows, int repetitions, TextWriter log, CancellationToken ct)
    {
        var results = new List<(string, string, TimeSpan, bool)>();
        var shapes = new[]
        {
            ("1 statement", $"INSERT INTO {{t}} SELECT g, md5(g::text), 'x', now(), now() FROM generate_series(1, {rows}) AS g"),
            ($"{rows / 10:N0} statements", $"DO $$ BEGIN FOR s IN 0..{rows / 10 - 1} LOOP INSERT INTO {{t}} SELECT g, md5(g::text), 'x', now(), now() FROM generate_series(s * 10 + 1, s * 10 + 10) AS g; END LOOP; END $$"),
        };
        foreach (var (shape, sql) in shapes)
        {
            foreach (var configuration in new[] { "async", "native" })
            {
                var samples = new List<(TimeSpan Drain, bool Equal)>();
                for (var repetition = 0; repetition < repetitions; repetition++)
                {
                    samples.Add(await RunOnceAsync(cluster, rows, shape, sql, configuration, log, ct));
                }

                results.Add((shape, configuration, BulkBenchmark.Median(samples.Select(x => x.Drain)), samples.All(x => x.Equal)));
            }
        }

        return results;
    }

    private static async Task<(TimeSpan Drain, bool Equal)> RunOnceAsync(PostgresCluster cluster, int rows, string shape, string sql, string configuration, TextWriter log, CancellationToken ct)
    {
        await using var local = await cluster.CreateDatabaseAsync("drain_local", ct);
        await using var remote = await cluster.CreateDatabaseAsync("drain_remote", ct);
        TimeSpan drain;
        bool equal;
        if (configuration == "async")
        {
            await using var source = NpgsqlDataSource.Create(local.ConnectionString);
            await PgSyncInstaller.InstallAsync(source, new PgSyncOptions { CreateMissingTables = true }.AddServer("bench_async", remote.ConnectionString), ct);
            await ExecuteAsync(local.ConnectionString, sql.Replace("{t}", "bench.t_async", StringComparison.Ordinal), ct);
            var watch = Stopwatch.StartNew();
            await using (var connection = new NpgsqlConnection(local.ConnectionString))
            {
                await connection.OpenAsync(ct);
                while (true)
                {
                    await using var replay = new NpgsqlCommand("SELECT pgsync.deal_sync_err_rec(1000)", connection) { CommandTimeout = 0 };
                    if ((int)(await replay.ExecuteScalarAsync(ct))! == 0)
                    {
                        break;
                    }
                }
            }

            drain = watch.Elapsed;
            equal = await DigestAsync(local.ConnectionString, "bench.t_async", ct) == await DigestAsync(remote.ConnectionString, "bench.t_async", ct);
        }
        else
        {
            const string Table = "CREATE SCHEMA bench; CREATE TABLE bench.t_native (pk1 integer, pk2 text, info text, crt_time timestamp(0), mod_time timestamp(0), PRIMARY KEY (pk1, pk2))";
            await ExecuteAsync(local.ConnectionString, Table, ct);
            await ExecuteAsync(remote.ConnectionString, Table, ct);
            var slot = "drain_" + Guid.NewGuid().ToString("N")[..12];
            await ExecuteAsync(local.AdminConnectionString, "CREATE PUBLICATION drain_pub FOR TABLE bench.t_native", ct);
            await ExecuteAsync(local.AdminConnectionString, $"SELECT pg_create_logical_replication_slot('{slot}', 'pgoutput')", ct);
            var admin = new NpgsqlConnectionStringBuilder(local.AdminConnectionString);
            // The subscription runs (its apply worker started) before the write, as in production:
            // the clock starts when the writer has committed, as it does for async.
            await ExecuteAsync(remote.AdminConnectionString, $"CREATE SUBSCRIPTION drain_sub CONNECTION 'host={admin.Host} port={admin.Port} dbname={admin.Database} user={admin.Username} password={admin.Password}' PUBLICATION drain_pub WITH (create_slot = false, slot_name = '{slot}', copy_data = false)", ct);
            while (!await ScalarBoolAsync(remote.AdminConnectionString, "SELECT coalesce(bool_or(pid IS NOT NULL), false) FROM pg_stat_subscription WHERE subname = 'drain_sub'", ct))
            {
                await Task.Delay(50, ct);
            }

            await ExecuteAsync(local.ConnectionString, sql.Replace("{t}", "bench.t_native", StringComparison.Ordinal), ct);
            var expected = await DigestAsync(local.ConnectionString, "bench.t_native", ct);
            var watch = Stopwatch.StartNew();
            var deadline = DateTime.UtcNow.AddMinutes(10);
            while (await DigestAsync(remote.ConnectionString, "bench.t_native", ct) != expected && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, ct);
            }

            drain = watch.Elapsed;
            equal = await DigestAsync(remote.ConnectionString, "bench.t_native", ct) == expected;
            await ExecuteAsync(remote.AdminConnectionString, "DROP SUBSCRIPTION drain_sub", ct);
        }

        NpgsqlConnection.ClearAllPools();
        await log.WriteLineAsync($"  drain {shape,-18} {configuration,-7} {drain.TotalMilliseconds,9:F0} ms, {rows / drain.TotalSeconds,10:N0} rows/s{(equal ? string.Empty : "  DESTINATION DIFFERS")}");
        return (drain, equal);
    }

    public static string Markdown(List<(string Shape, string Configuration, TimeSpan Drain, bool Equal)> results, int rows)
    {
        var text = new StringBuilder();
        text.Append("\n## drain (").Append(rows.ToString("N0", CultureInfo.InvariantCulture)).Append(" rows)\n\n");
        text.Append("Median of the runs; time from the writer's commit until the destination equals the source; async replays its queue with deal_sync_err_rec(1000) in a loop, native applies through a subscription that was already running.\n\n");
        text.Append("| written as | configuration | drain ms | rows/s | ratio to native | equal |\n|---|---|---:|---:|---:|---|\n");
        foreach (var result in results)
        {
            var native = results.Find(r => r.Shape == result.Shape && r.Configuration == "native").Drain;
            text.Append(CultureInfo.InvariantCulture, $"| {result.Shape} | {result.Configuration} | {result.Drain.TotalMilliseconds:F0} | {rows / result.Drain.TotalSeconds:F0} | {result.Drain.TotalMilliseconds / native.TotalMilliseconds:F2}x | {(result.Equal ? "yes" : "NO")} |\n");
        }

        return text.ToString();
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<bool> ScalarBoolAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<string> DigestAsync(string connectionString, string table, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT count(*) || ' ' || coalesce(sum(hashtext(t.*::text)), 0) FROM {table} AS t", connection) { CommandTimeout = 0 };
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }
}
