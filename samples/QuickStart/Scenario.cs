using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Hosting;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Verification;

namespace QuickStart;

/// <summary>The seed's scenario, step by step, with progress on the console.</summary>
internal static class Scenario
{
    private const string Local = "local.loc_test";
    private const string Remote = "remote.rmt_test";

    public static async Task<bool> RunAsync(CancellationToken ct)
    {
        Step("Starting a throwaway PostgreSQL cluster");
        await using var cluster = await PostgresCluster.StartAsync(ct: ct);
        Console.WriteLine($"  PostgreSQL {cluster.Version} on {cluster.Host}:{cluster.Port}");
        await using var local = await cluster.CreateDatabaseAsync("local", ct);
        await using var remote = await cluster.CreateDatabaseAsync("remote", ct);
        Console.WriteLine($"  databases {local.Name} and {remote.Name}, each owned by its own role with a scram-sha-256 password");

        Step("Rows that exist before replication: 5,000 in local.loc_test");
        var locTest = PgSyncInstaller.Tables.Single(t => t.SourceTable == "loc_test");
        await ExecuteAsync(local.ConnectionString, locTest.CreateTableSql, ct);
        await ExecuteAsync(local.ConnectionString, $"INSERT INTO {Local} SELECT 100000 + g, md5(g::text), 'there before the install', now(), now() FROM generate_series(1, 5000) AS g", ct);

        Step("Starting a generic host with AddPgSync: the worker installs replication, copies the rows that were there, then replays");
        foreach (var table in PgSyncInstaller.Tables)
        {
            Console.WriteLine($"  {table.SourceSchema}.{table.SourceTable}: key ({string.Join(", ", table.KeyColumns)}), PK vector '{string.Join(" ", table.PkVector)}' -> {string.Join("; ", table.Targets)}");
        }

        await using var dataSource = NpgsqlDataSource.Create(local.ConnectionString);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton(dataSource);
        builder.Services.AddPgSync(
            PgSyncInstaller.Tables,
            o =>
            {
                o.NodeName = "local";
                o.CreateMissingTables = true;
                o.AddServer("dst", remote.ConnectionString);
            },
            h =>
            {
                h.PollInterval = TimeSpan.FromSeconds(1);
                h.MaxBackoff = TimeSpan.FromSeconds(2);
            });
        using var host = builder.Build();
        await host.StartAsync(ct);
        var worker = host.Services.GetServices<IHostedService>().OfType<PgSyncReplayWorker>().Single();
        await worker.Installed.WaitAsync(TimeSpan.FromMinutes(1), ct);
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RoslynPgSync.PgSyncOptions>>().Value;
        var monitor = host.Services.GetRequiredService<PgSyncMonitor>();
        Console.WriteLine($"  installed for server {options.Servers[0]}");
        while (true)
        {
            var copy = (await monitor.GetCopiesAsync(ct)).Single(c => c.Table == Local);
            Console.WriteLine($"  initial copy of {copy.Table}: {copy.Status.ToString().ToLowerInvariant()}, {copy.RowsCopied} of ~{copy.RowsEstimate} rows");
            if (!copy.IsRunning)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }

        var copied = await CompareAsync(local, remote, "after the initial copy", ct);
        await ExecuteAsync(local.ConnectionString, $"DELETE FROM {Local} WHERE pk1 > 100000", ct);

        // The same table without replication, to show what replication costs the writer.
        await ExecuteAsync(local.ConnectionString, "CREATE TABLE local.loc_test_plain (LIKE local.loc_test INCLUDING ALL)", ct);
        const string Insert10000 = "INSERT INTO {0} SELECT g, md5(g::text), md5(random()::text), now(), now() FROM generate_series(1, 10000) AS g";
        var plain = await TimeAsync(local.ConnectionString, Insert10000.Replace("{0}", "local.loc_test_plain", StringComparison.Ordinal), ct);

        Step("Writing: the seed's steps in Sync mode, compared after each");
        var replicated = await TimeAsync(local.ConnectionString, Insert10000.Replace("{0}", Local, StringComparison.Ordinal), ct);
        Console.WriteLine($"  insert 10,000 rows: {replicated.TotalMilliseconds:F0} ms replicated vs {plain.TotalMilliseconds:F0} ms without ({replicated / plain:F1}x)");
        await CompareAsync(local, remote, "after insert", ct);
        await ExecuteAsync(local.ConnectionString, $"UPDATE {Local} SET info = pk2", ct);
        await CompareAsync(local, remote, "after update info = pk2", ct);
        await ExecuteAsync(local.ConnectionString, $"DELETE FROM {Local} WHERE pk1 < 1000", ct);
        await CompareAsync(local, remote, "after delete pk1 < 1000", ct);
        await ExecuteAsync(local.ConnectionString, $"TRUNCATE {Local}", ct);
        await CompareAsync(local, remote, "after truncate", ct);

        Step("Outage: the destination's role may no longer log in");
        await remote.RefuseLoginsAsync(ct);
        for (var batch = 0; batch < 5; batch++)
        {
            await ExecuteAsync(local.ConnectionString, $"DO $$ BEGIN FOR i IN {batch * 2000 + 1}..{(batch + 1) * 2000} LOOP INSERT INTO {Local} VALUES (i, md5(i::text), 'written during the outage', now(), now()); END LOOP; END $$", ct);
            var status = (await monitor.GetStatusAsync(ct)).Single();
            Console.WriteLine($"  {(batch + 1) * 2000,6} rows committed locally, queue depth {status.Depth}, oldest entry {status.OldestAge.TotalSeconds:F1} s");
        }

        Console.WriteLine($"  last error: {(await monitor.GetStatusAsync(ct)).Single().LastError}");

        Step("Recovery: the login is back; the worker drains the queue");
        await remote.AllowLoginsAsync(ct);
        while (true)
        {
            var status = (await monitor.GetStatusAsync(ct)).Single();
            Console.WriteLine($"  queue depth {status.Depth,5}, oldest entry {status.OldestAge.TotalSeconds,5:F1} s, destination has {await ScalarAsync(remote.ConnectionString, $"SELECT count(*) FROM {Remote}", ct)} rows");
            if (status.Depth == 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }

        Step("Verifying both sides (counts and row hashes, then the keys that differ)");
        var report = await new PgSyncVerifier(dataSource, options).VerifyAsync(PgSyncInstaller.Tables, ct);
        foreach (var result in report)
        {
            Console.WriteLine("  " + result);
        }

        await host.StopAsync(CancellationToken.None);
        var equal = copied && report.All(r => r.IsEqual) && await CompareAsync(local, remote, "final", ct);
        Console.WriteLine(equal ? "  both sides are equal" : "  THE SIDES DIFFER");
        Step("Done: the cluster is removed on exit");
        return equal;
    }

    private static void Step(string text) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] {text}"));

    private static async Task<bool> CompareAsync(TestDatabase local, TestDatabase remote, string when, CancellationToken ct)
    {
        const string Digest = "SELECT count(*) || ' rows, hash ' || coalesce(sum(hashtext(t.*::text)), 0) FROM {0} AS t";
        var left = await ScalarAsync(local.ConnectionString, Digest.Replace("{0}", Local, StringComparison.Ordinal), ct);
        var right = await ScalarAsync(remote.ConnectionString, Digest.Replace("{0}", Remote, StringComparison.Ordinal), ct);
        var equal = Equals(left, right);
        Console.WriteLine($"  {when}: local {left} | remote {right} {(equal ? "(equal)" : "(DIFFERENT)")}");
        return equal;
    }

    private static async Task<TimeSpan> TimeAsync(string connectionString, string sql, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await ExecuteAsync(connectionString, sql, ct);
        return watch.Elapsed;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct);
    }
}
