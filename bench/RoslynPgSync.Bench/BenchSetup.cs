using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.TestCluster;

namespace RoslynPgSync.Bench;

/// <summary>
/// One configuration's tables on fresh source and destination databases, and how to tell when its
/// destination has caught up. The bulk and oltp workloads share it.
/// </summary>
internal sealed class BenchSetup : IAsyncDisposable
{
    private readonly TestBed _bed;

    private BenchSetup(string table, TestBed bed)
    {
        Table = table;
        _bed = bed;
    }

    /// <summary>plain, seed, sync, async and native, in the order every workload reports them (oltp adds sync-unbounded).</summary>
    public static readonly string[] Configurations = { "plain", "seed", "sync", "async", "native" };

    /// <summary>
    /// The oltp workload's: also Sync without a commit timeout, beside Sync with the default one, and
    /// Async with its replay paused while the clients write (the capture's own cost, without the
    /// replay's share of the machine).
    /// </summary>
    public static readonly string[] OltpConfigurations = { "plain", "seed", "sync", "sync-unbounded", "async", "async-paused", "native" };

    /// <summary>The configurations <c>--configurations</c> chose (plain always runs: it is the baseline); null: all.</summary>
    public static IReadOnlySet<string>? Chosen { get; set; }

    /// <summary>Those of <paramref name="configurations"/> to run.</summary>
    public static IEnumerable<string> Selected(IEnumerable<string> configurations) =>
        configurations.Where(c => Chosen is null || c == "plain" || Chosen.Contains(c));

    public string Table { get; }

    public string? RemoteTable { get; private init; }

    /// <summary>The destination has the change when the writer's commit returns (seed, sync).</summary>
    public bool SyncAtCommit { get; private init; }

    /// <summary>Async: the queue is replayed with deal_sync_err_rec.</summary>
    public bool Replays { get; private init; }

    /// <summary>
    /// Whether a replay loop runs beside the writers while they write (a replaying configuration but
    /// <c>async-paused</c>, which measures the capture alone and leaves its queue to drain afterwards).
    /// </summary>
    public bool ReplaysDuringWrites { get; private init; }

    private bool Subscription { get; init; }

    public bool HasDestination => RemoteTable is not null;

    /// <summary>The source database ("local" of the test bed).</summary>
    public TestDatabase Local => _bed.Local;

    /// <summary>The destination database ("remote"), also for the configurations that replicate nothing.</summary>
    public TestDatabase Remote => _bed.Remote;

    public string LocalConnectionString => Local.ConnectionString;

    /// <summary>Fresh source and destination databases on <paramref name="cluster"/> (the tests' <see cref="TestBed"/>), set up as <paramref name="configuration"/> says.</summary>
    public static async Task<BenchSetup> CreateAsync(string configuration, PostgresCluster cluster, CancellationToken ct)
    {
        var builder = TestBed.Create().On(cluster).Node("local").Node("remote");
        if (configuration is "sync" or "sync-unbounded" or "async" or "async-paused")
        {
            // sync-unbounded: Sync whose committers wait for the destination without a bound (no
            // polling), to show what the default CommitTimeout costs.
            var mode = configuration.StartsWith("async", StringComparison.Ordinal) ? "async" : "sync";
            var installed = await builder
                .Pair("bench_" + mode)
                .Configure("local", o =>
                {
                    o.NodeName = "bench";
                    if (configuration == "sync-unbounded")
                    {
                        o.CommitTimeout = null;
                    }
                })
                .InstallAsync(PgSyncInstaller.Tables, ct);
            var table = "bench.t_" + mode;
            return new BenchSetup(table, installed) { RemoteTable = table, SyncAtCommit = mode == "sync", Replays = mode == "async", ReplaysDuringWrites = configuration == "async" };
        }

        var bed = await builder.BuildAsync(ct);
        try
        {
            return await CreateAsync(configuration, bed, bed.Local, bed.Remote, ct);
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    private static async Task<BenchSetup> CreateAsync(string configuration, TestBed bed, TestDatabase local, TestDatabase remote, CancellationToken ct)
    {
        switch (configuration)
        {
            case "plain":
                await BenchSql.ExecuteAsync(local.ConnectionString, BenchSql.SeedTable("t_plain"), ct);
                return new BenchSetup("bench.t_plain", bed);
            case "seed":
                await BenchSql.ExecuteAsync(local.ConnectionString, BenchSql.SeedTable("t_seed"), ct);
                await BenchSql.ExecuteAsync(remote.ConnectionString, BenchSql.SeedTable("t_seed"), ct);
                await BenchSql.ExecuteAsync(
                    local.ConnectionString,
                    $"CREATE SERVER seed_dst FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host '{remote.Host}', port '{remote.Port}', dbname '{remote.Name}');" +
                    $"CREATE USER MAPPING FOR CURRENT_USER SERVER seed_dst OPTIONS (user '{remote.OwnerRole}', password '{remote.OwnerPassword}');" +
                    SeedBaseline.Trigger,
                    ct);
                return new BenchSetup("bench.t_seed", bed) { RemoteTable = "bench.t_seed", SyncAtCommit = true };
            case "native":
                await BenchSql.CreateNativeReplicationAsync(local, remote, ct);
                return new BenchSetup("bench.t_native", bed) { RemoteTable = "bench.t_native", Subscription = true };
            default:
                throw new ArgumentOutOfRangeException(nameof(configuration), configuration, "unknown configuration");
        }
    }

    /// <summary>Async: one replay call; returns how many queue entries it applied (0 for the others).</summary>
    public async Task<int> ReplayOnceAsync(NpgsqlConnection connection, int limit, CancellationToken ct)
    {
        if (!Replays)
        {
            return 0;
        }

        await using var command = new NpgsqlCommand($"SELECT pgsync.deal_sync_err_rec({limit})", connection) { CommandTimeout = 0 };
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Async: replay until the queue is empty. Native: wait until the subscriber matches.</summary>
    public async Task ConvergeAsync(CancellationToken ct)
    {
        if (Replays)
        {
            await using var connection = new NpgsqlConnection(Local.ConnectionString);
            await connection.OpenAsync(ct);
            while (await ReplayOnceAsync(connection, 100_000, ct) > 0)
            {
            }
        }

        if (Subscription)
        {
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while (!await EqualAsync(ct) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5, ct);
            }
        }
    }

    public async Task<bool> EqualAsync(CancellationToken ct) =>
        RemoteTable is null || await BenchSql.DigestAsync(Local.ConnectionString, Table, ct) == await BenchSql.DigestAsync(Remote.ConnectionString, RemoteTable, ct);

    public async ValueTask DisposeAsync()
    {
        if (Subscription)
        {
            await BenchSql.DropSubscriptionAsync(Remote);
        }

        await _bed.DisposeAsync();
    }
}
