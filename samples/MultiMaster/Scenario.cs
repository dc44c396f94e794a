using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using RoslynPgSync;
using RoslynPgSync.Generated;
using RoslynPgSync.Hosting;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Verification;

namespace MultiMaster;

/// <summary>Two nodes writing the same keys at once, step by step, with progress on the console.</summary>
internal static class Scenario
{
    private const string Table = "shop.stock";
    private const int Keys = 200;

    public static async Task<bool> RunAsync(CancellationToken ct)
    {
        Step("Starting a throwaway PostgreSQL cluster with two nodes");
        await using var cluster = await PostgresCluster.StartAsync(ct: ct);
        await using var a = await cluster.CreateDatabaseAsync("node_a", ct);
        await using var b = await cluster.CreateDatabaseAsync("node_b", ct);
        Console.WriteLine($"  PostgreSQL {cluster.Version}: databases {a.Name} and {b.Name}, each owned by its own role");
        var model = PgSyncInstaller.Tables.Single();
        Console.WriteLine($"  {model}: {string.Join("; ", model.Targets)} on both nodes, each registering the other as 'peer'");

        Step("Starting a replay worker per node (AddPgSync); each installs replication on its node");
        using var hostA = StartHost("node_a", a, b);
        using var hostB = StartHost("node_b", b, a);
        foreach (var host in new[] { hostA, hostB })
        {
            await host.StartAsync(ct);
        }

        foreach (var host in new[] { hostA, hostB })
        {
            await host.Services.GetServices<IHostedService>().OfType<PgSyncReplayWorker>().Single().Installed.WaitAsync(TimeSpan.FromMinutes(2), ct);
        }

        Console.WriteLine("  installed on both nodes");

        Step($"Writing the same {Keys} keys on both nodes at once for 6 s; the link between them cut from second 2 to 4");
        using var stop = new CancellationTokenSource();
        var writers = new[] { WriteAsync(a, "node_a", 1, stop.Token), WriteAsync(a, "node_a", 2, stop.Token), WriteAsync(b, "node_b", 1, stop.Token), WriteAsync(b, "node_b", 2, stop.Token) };
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        Console.WriteLine("  cutting the link (the workers' sessions are ended so that they reconnect: the errors they log are expected)");
        var dbnames = new[] { await PointPeerAtAsync(a, "pgsync_cut_off", reconnect: true, ct), await PointPeerAtAsync(b, "pgsync_cut_off", reconnect: true, ct) };
        Console.WriteLine("  link cut: each node keeps writing, its changes wait in its queue");
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        Console.WriteLine($"  waiting: node_a {await QueuedAsync(a, ct)} entries, node_b {await QueuedAsync(b, ct)} entries");
        await PointPeerAtAsync(a, dbnames[0], reconnect: false, ct);
        await PointPeerAtAsync(b, dbnames[1], reconnect: false, ct);
        Console.WriteLine("  link back");
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        await stop.CancelAsync();
        var commits = await Task.WhenAll(writers);
        Console.WriteLine($"  {commits.Sum():N0} commits ({string.Join(", ", commits)} per writer)");

        Step("Letting both workers drain their queues");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await QueuedAsync(a, ct) + await QueuedAsync(b, ct) > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the queues did not drain within 2 minutes");
            }

            foreach (var node in new[] { a, b })
            {
                // Wake the worker now rather than at its next poll (the link was down: it backs off).
                await ExecuteAsync(node.ConnectionString, "SELECT pg_notify('pgsync', 'retry:peer')", ct);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }

        Step("The conflicts each node met (same key written on both before either change arrived)");
        foreach (var (name, host) in new[] { ("node_a", hostA), ("node_b", hostB) })
        {
            var monitor = host.Services.GetRequiredService<PgSyncMonitor>();
            foreach (var count in await monitor.GetConflictCountsAsync(ct: ct))
            {
                Console.WriteLine($"  {name}: {count.Count,5} {count.Kind}, {count.Resolution}");
            }

            var latest = await monitor.GetConflictsAsync(1, ct: ct);
            foreach (var c in latest)
            {
                Console.WriteLine($"  {name}, the latest: key {c.Key} {c.Kind} -> {c.Resolution}: here {c.LocalRow} ({c.LocalOrigin}), incoming {c.RemoteRow}");
            }
        }

        Step("Verifying: both nodes hold the same rows (counts and row hashes, then the keys that differ)");
        var options = hostA.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PgSyncOptions>>().Value;
        var report = await new PgSyncVerifier(hostA.Services.GetRequiredService<NpgsqlDataSource>(), options).VerifyAsync(PgSyncInstaller.Tables, ct);
        foreach (var result in report)
        {
            Console.WriteLine("  " + result);
        }

        foreach (var host in new[] { hostA, hostB })
        {
            await host.StopAsync(CancellationToken.None);
        }

        var equal = report.All(r => r.IsEqual);
        Console.WriteLine(equal ? "  the nodes are equal: every key holds its latest write" : "  THE NODES DIFFER");
        Step("Done: the cluster is removed on exit");
        return equal;
    }

    private static void Step(string text) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] {text}"));

    private static IHost StartHost(string node, TestDatabase local, TestDatabase peer)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(NpgsqlDataSource.Create(local.ConnectionString));
        builder.Services.AddPgSync(
            PgSyncInstaller.Tables,
            o =>
            {
                o.NodeName = node;
                o.CreateMissingTables = true;
                o.AddServer("peer", peer.ConnectionString);
            },
            h =>
            {
                h.PollInterval = TimeSpan.FromMilliseconds(200);
                h.MinBackoff = TimeSpan.FromMilliseconds(200);
                h.MaxBackoff = TimeSpan.FromSeconds(1);
            });
        return builder.Build();
    }

    /// <summary>Upserts, updates and deletes random keys until stopped; returns the commits.</summary>
    private static async Task<int> WriteAsync(TestDatabase node, string name, int writer, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(name, writer));
        var commits = 0;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(node.ConnectionString) { ApplicationName = "writer" }.ConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            var dice = random.Next(10);
            var sql = dice < 6
                ? $"INSERT INTO {Table} (sku, quantity, note) VALUES ($1, $2, $3) ON CONFLICT (sku) DO UPDATE SET quantity = EXCLUDED.quantity, note = EXCLUDED.note"
                : dice < 9 ? $"UPDATE {Table} SET quantity = $2, note = $3 WHERE sku = $1" : $"DELETE FROM {Table} WHERE sku = $1";
            await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = random.Next(Keys) } } };
            if (dice < 9)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = random.Next(1000) });
                command.Parameters.Add(new NpgsqlParameter { Value = string.Create(CultureInfo.InvariantCulture, $"{name}, writer {writer}, commit {commits}") });
            }

            try
            {
                await command.ExecuteNonQueryAsync(CancellationToken.None);
                commits++;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // A local write and an incoming change of the same rows: the application retries.
            }
        }

        return commits;
    }

    /// <summary>Points the node's foreign server "peer" at another database (a cut link); returns the one it pointed at.</summary>
    private static async Task<string> PointPeerAtAsync(TestDatabase node, string dbname, bool reconnect, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(node.ConnectionString);
        await connection.OpenAsync(ct);
        await using var read = new NpgsqlCommand("SELECT substr(o, 8) FROM pg_foreign_server AS s, unnest(s.srvoptions) AS o WHERE s.srvname = 'peer' AND o LIKE 'dbname=%'", connection);
        var old = (string)(await read.ExecuteScalarAsync(ct))!;
        await using var alter = new NpgsqlCommand($"ALTER SERVER peer OPTIONS (SET dbname '{dbname.Replace("'", "''", StringComparison.Ordinal)}')", connection);
        await alter.ExecuteNonQueryAsync(ct);
        if (reconnect)
        {
            // The worker's open connection to the peer stays up: end the node's sessions but the writers', so
            // that the worker connects again, to the server as it is now. (Back from the cut, it has no
            // connection to the peer left: the next one goes to the server as restored.)
            await using var end = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid() AND application_name <> 'writer'", connection);
            await end.ExecuteNonQueryAsync(ct);
        }
        return old;
    }

    private static async Task<long> QueuedAsync(TestDatabase node, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(node.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pgsync.sync_err_rec", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
