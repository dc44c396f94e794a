using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// Concurrent writers on the same keys: whatever order the transactions commit in, the destination
/// ends equal to the source, because entries for one destination are applied in queue order and
/// never around older pending ones.
/// </summary>
public sealed class ConcurrentWriterTests
{
    [Theory]
    [InlineData("sync_dst", "hostile_sync")]
    [InlineData("async_dst", "hostile_async")]
    public async Task Four_writers_on_shared_keys_with_replay_running_end_equal(string server, string table)
    {
        await using var pair = await TestBed.Create().Pair(server).InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, $"INSERT INTO app.{table} (id, code, body) SELECT g, 'k', '0' FROM generate_series(1, 20) g");

        var writers = Enumerable.Range(1, 4).Select(w => Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(local);
            await connection.OpenAsync();
            for (var i = 0; i < 150; i++)
            {
                // Writers that lock shared rows in varying order deadlock now and then, as real
                // applications do; like them, retry the transaction.
                while (!await TryWriteAsync(connection, table, w, i))
                {
                }
            }
        })).ToList();
        var replaying = Task.Run(async () =>
        {
            while (!writers.All(w => w.IsCompleted))
            {
                await pair.ReplayAsync(50);
            }
        });

        await Task.WhenAll(writers);
        await replaying;
        await pair.ReplayAsync();

        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(
            await TestBed.RowsAsync(local, $"app.{table}", "id, code"),
            await TestBed.RowsAsync(pair.Remote.ConnectionString, $"copy.{table}", "id, code"));
    }

    private static async Task<bool> TryWriteAsync(NpgsqlConnection connection, string table, int writer, int i)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        try
        {
            // Two statements per transaction over overlapping keys.
            await using (var first = new NpgsqlCommand($"UPDATE app.{table} SET body = body || '{writer}', ratio = {i} WHERE id <= 20 AND id % 4 = {i % 4}", connection, transaction))
            {
                await first.ExecuteNonQueryAsync();
            }

            await using (var second = new NpgsqlCommand($"INSERT INTO app.{table} (id, code, body) VALUES ({100 + (i % 10)}, 'w{writer}', '{i}') ON CONFLICT (id, code) DO UPDATE SET body = EXCLUDED.body", connection, transaction))
            {
                await second.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected)
        {
            await transaction.RollbackAsync();
            return false;
        }
    }
}
