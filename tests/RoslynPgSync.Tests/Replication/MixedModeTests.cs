using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// A transaction that writes a Strict table fails when the Strict destination fails, whatever else
/// it wrote and in whatever order: Sync and Async entries to the same destination do not let it
/// commit unsent.
/// </summary>
public sealed class MixedModeTests
{
    [Theory]
    [InlineData("sync,strict")]
    [InlineData("strict,sync")]
    [InlineData("async,strict")]
    [InlineData("strict,async")]
    [InlineData("sync,async,strict")]
    [InlineData("async,sync,strict,sync")]
    public async Task A_transaction_with_a_strict_write_fails_when_its_destination_is_down_whatever_the_order(string order)
    {
        await using var pair = await TestBed.Create().Pair("mix_dst").InstallAsync(PgSyncInstaller.Tables);
        await pair.TakeRemoteDownAsync();
        await using var connection = new NpgsqlConnection(pair.Local.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var id = 0;
        foreach (var mode in order.Split(','))
        {
            await using var insert = new NpgsqlCommand($"INSERT INTO mix.mixed_{mode} (id, note) VALUES ({++id}, '{mode}')", connection, transaction);
            await insert.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<PostgresException>(() => transaction.CommitAsync());
        Assert.Contains("destination server \"mix_dst\" did not accept the change", error.MessageText, StringComparison.Ordinal);

        foreach (var table in new[] { "mix.mixed_async", "mix.mixed_sync", "mix.mixed_strict" })
        {
            Assert.Equal(0L, await Db.ScalarAsync<long>(pair.Local.ConnectionString, $"SELECT count(*) FROM {table}"));
        }

        Assert.Equal(0, await pair.QueueDepthAsync());
    }

    [Fact]
    public async Task The_same_transaction_commits_and_arrives_when_the_destination_is_up_its_async_part_after_the_commit()
    {
        await using var pair = await TestBed.Create().Pair("mix_dst").InstallAsync(PgSyncInstaller.Tables);
        await using (var connection = new NpgsqlConnection(pair.Local.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            foreach (var (mode, id) in new[] { ("sync", 1), ("async", 2), ("strict", 3) })
            {
                await using var insert = new NpgsqlCommand($"INSERT INTO mix.mixed_{mode} (id, note) VALUES ({id}, '{mode}')", connection, transaction);
                await insert.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }

        // Sync and Strict arrived at commit; the Async entry never goes before its transaction committed.
        Assert.Equal("sync", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT note FROM mix_copy.mixed_sync WHERE id = 1"));
        Assert.Equal("strict", await Db.ScalarAsync<string>(pair.Remote.ConnectionString, "SELECT note FROM mix_copy.mixed_strict WHERE id = 3"));
        Assert.Equal(1, await pair.QueueDepthAsync());
        Assert.Equal(1, await pair.ReplayAsync());
        foreach (var (mode, id) in new[] { ("sync", 1), ("async", 2), ("strict", 3) })
        {
            Assert.Equal(mode, await Db.ScalarAsync<string>(pair.Remote.ConnectionString, $"SELECT note FROM mix_copy.mixed_{mode} WHERE id = {id}"));
        }
    }
}
