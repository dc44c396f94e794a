using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.TestCluster;

namespace RoslynPgSync.Bench;

/// <summary>What every workload needs: run SQL, digest a table, the seed's table shape, native replication.</summary>
internal static class BenchSql
{
    /// <summary>The seed's table: pk1 int, pk2 text, info text, crt_time and mod_time timestamp(0), composite key.</summary>
    public static string SeedTable(string name) =>
        $"CREATE SCHEMA IF NOT EXISTS bench; CREATE TABLE bench.{name} (pk1 integer, pk2 text, info text, crt_time timestamp(0), mod_time timestamp(0), PRIMARY KEY (pk1, pk2))";

    /// <summary>Rows <paramref name="from"/> to <paramref name="to"/> of the seed's shape, in one statement.</summary>
    public static string InsertRows(string table, int from, int to) =>
        $"INSERT INTO {table} SELECT g, md5(g::text), 'x', now(), now() FROM generate_series({from}, {to}) AS g";

    /// <summary>Applies the server's queue as the hosted worker does (apply_pending(1000) under the stream's lock, as PgSyncReplayWorker's catch-up; it settles with resolve_applied only at intervals, not per batch) until it is empty.</summary>
    public static async Task DrainAsWorkerAsync(string connectionString, string server, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using (var lockStream = new NpgsqlCommand($"SELECT pgsync.lock_stream('{server}', '')", connection, transaction))
            {
                await lockStream.ExecuteNonQueryAsync(ct);
            }

            await using var apply = new NpgsqlCommand($"SELECT pgsync.apply_pending('{server}', '', 1000, false, NULL)", connection, transaction) { CommandTimeout = 0 };
            var applied = (int)(await apply.ExecuteScalarAsync(ct))!;
            await transaction.CommitAsync(ct);
            if (applied == 0)
            {
                return;
            }
        }
    }

    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, sql, ct);
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<object?> ScalarAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return await command.ExecuteScalarAsync(ct);
    }

    /// <summary>Row count and order-independent hash: equal digests mean equal tables.</summary>
    public static async Task<string> DigestAsync(string connectionString, string table, CancellationToken ct) =>
        (string)(await ScalarAsync(connectionString, $"SELECT count(*) || ' ' || coalesce(sum(hashtext(t.*::text)), 0) FROM {table} AS t", ct))!;

    /// <summary>
    /// Native logical replication of <c>bench.t_native</c> from <paramref name="local"/> to <paramref name="remote"/>:
    /// the tables, then <see cref="SubscribeAsync"/> without copying. Drop it with <see cref="DropSubscriptionAsync"/>.
    /// </summary>
    public static async Task CreateNativeReplicationAsync(TestDatabase local, TestDatabase remote, CancellationToken ct)
    {
        await ExecuteAsync(local.ConnectionString, SeedTable("t_native"), ct);
        await ExecuteAsync(remote.ConnectionString, SeedTable("t_native"), ct);
        await SubscribeAsync(local, remote, "bench.t_native", copyData: false, ct);
    }

    /// <summary>
    /// A publication of <paramref name="table"/> (on both sides already), a slot made beforehand
    /// (same-cluster subscriptions need it) and a subscription whose apply worker is running when this
    /// returns; with <paramref name="copyData"/> its table sync copies the rows the source holds.
    /// Drop it with <see cref="DropSubscriptionAsync"/>.
    /// </summary>
    public static async Task SubscribeAsync(TestDatabase local, TestDatabase remote, string table, bool copyData, CancellationToken ct)
    {
        var slot = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(local.AdminConnectionString, $"CREATE PUBLICATION bench_pub FOR TABLE {table}", ct);
        await ExecuteAsync(local.AdminConnectionString, $"SELECT pg_create_logical_replication_slot('{slot}', 'pgoutput')", ct);
        var admin = new NpgsqlConnectionStringBuilder(local.AdminConnectionString);
        var conninfo = $"host={admin.Host} port={admin.Port} dbname={admin.Database} user={admin.Username} password={admin.Password}";
        await ExecuteAsync(remote.AdminConnectionString, $"CREATE SUBSCRIPTION bench_sub CONNECTION '{conninfo}' PUBLICATION bench_pub WITH (create_slot = false, slot_name = '{slot}', copy_data = {(copyData ? "true" : "false")})", ct);
        while (await ScalarAsync(remote.AdminConnectionString, "SELECT coalesce(bool_or(pid IS NOT NULL), false) FROM pg_stat_subscription WHERE subname = 'bench_sub'", ct) is not true)
        {
            await Task.Delay(50, ct);
        }
    }

    /// <summary>Disables or enables the subscription; returns when its apply worker has stopped, or runs again.</summary>
    public static async Task SetSubscriptionAsync(TestDatabase remote, bool enabled, CancellationToken ct)
    {
        await ExecuteAsync(remote.AdminConnectionString, $"ALTER SUBSCRIPTION bench_sub {(enabled ? "ENABLE" : "DISABLE")}", ct);
        while (await ScalarAsync(remote.AdminConnectionString, "SELECT coalesce(bool_or(pid IS NOT NULL), false) FROM pg_stat_subscription WHERE subname = 'bench_sub'", ct) is bool running && running != enabled)
        {
            await Task.Delay(20, ct);
        }
    }

    public static Task DropSubscriptionAsync(TestDatabase remote) =>
        ExecuteAsync(remote.AdminConnectionString, "DROP SUBSCRIPTION bench_sub", CancellationToken.None);
}
