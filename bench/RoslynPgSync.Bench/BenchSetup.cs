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
    private readonly TestDatabase _local;
    private readonly TestDatabase _remote;

    private BenchSetup(string table, TestDatabase local, TestDatabase remote)
    {
        Table = table;
        _local = local;
        _remote = remote;
    }

    /// <summary>plain, seed, sync, async and native, in the order every workload reports them (oltp adds sync-unbounded).</summary>
    public static readonly string[] Configurations = { "plain", "seed", "sync", "async", "native" };

    /// <summary>The oltp workload's: also Sync without a commit timeout, beside Sync with the default one.</summary>
    public static readonly string[] OltpConfigurations = { "plain", "seed", "sync", "sync-unbounded", "async", "native" };

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

    private bool Subscription { get; init; }

    private NpgsqlDataSource? Source { get; init; }

    public bool HasDestination => RemoteTable is not null;

    public string LocalConnectionString => _local.ConnectionString;

    public static async Task<BenchSetup> CreateAsync(string configuration, TestDatabase local, TestDatabase remote, CancellationToken ct)
    {
        switch (configuration)
        {
            case "plain":
                await BenchSql.ExecuteAsync(local.ConnectionString, BenchSql.SeedTable("t_plain"), ct);
                return new BenchSetup("bench.t_plain", local, remote);
            case "seed":
                await BenchSql.ExecuteAsync(local.ConnectionString, BenchSql.SeedTable("t_seed"), ct);
                await BenchSql.ExecuteAsync(remote.ConnectionString, BenchSql.SeedTable("t_seed"), ct);
                await BenchSql.ExecuteAsync(
                    local.ConnectionString,
                    $"CREATE SERVER seed_dst FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host '{remote.Host}', port '{remote.Port}', dbname '{remote.Name}');" +
                    $"CREATE USER MAPPING FOR CURRENT_USER SERVER seed_dst OPTIONS (user '{remote.OwnerRole}', password '{remote.OwnerPassword}');" +
                    SeedBaseline.Trigger,
                    ct);
                return new BenchSetup("bench.t_seed", local, remote) { RemoteTable = "bench.t_seed", SyncAtCommit = true };
            case "sync":
            case "sync-unbounded":
            case "async":
            {
                // sync-unbounded: Sync whose committers wait for the destination without a bound (no
                // polling), to show what the default CommitTimeout costs.
                var mode = configuration == "async" ? "async" : "sync";
                var server = "bench_" + mode;
                var options = new PgSyncOptions { NodeName = "bench", CreateMissingTables = true }.AddServer(server, remote.ConnectionString);
                if (configuration == "sync-unbounded")
                {
                    options.CommitTimeout = null;
                }

                var source = NpgsqlDataSource.Create(local.ConnectionString);
                await PgSyncInstaller.InstallAsync(source, options, ct);
                var table = "bench.t_" + mode;
                return new BenchSetup(table, local, remote) { RemoteTable = table, SyncAtCommit = mode == "sync", Source = source, Replays = mode == "async" };
            }
            case "native":
                await BenchSql.CreateNativeReplicationAsync(local, remote, ct);
                return new BenchSetup("bench.t_native", local, remote) { RemoteTable = "bench.t_native", Subscription = true };
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
            await using var connection = new NpgsqlConnection(_local.ConnectionString);
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
        RemoteTable is null || await BenchSql.DigestAsync(_local.ConnectionString, Table, ct) == await BenchSql.DigestAsync(_remote.ConnectionString, RemoteTable, ct);

    public async ValueTask DisposeAsync()
    {
        if (Subscription)
        {
            await BenchSql.DropSubscriptionAsync(_remote);
        }

        if (Source is not null)
        {
            await Source.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
    }
}
