using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Faults;

/// <summary>
/// A REPEATABLE READ or SERIALIZABLE Sync writer reads the queue at its commit with its own, older
/// snapshot: what another commit left queued after that snapshot was taken is not there for it.
/// </summary>
public sealed class RepeatableReadOrderTests
{
    private const string Key = "id, code";

    /// <summary>
    /// Another session deletes a key while the destination is down (its entry stays queued), then the
    /// writer, whose snapshot is older, inserts the key again: PostgreSQL sees no conflict (the delete
    /// committed), and the writer's flush saw no queued entry and sent its insert alone, ahead of the
    /// older delete, which the replay then applied: the destination ended without the row the source
    /// holds (found in review). Now the commit that left the delete queued marks its table, and the
    /// writer's commit fails to serialize (40001), which such an application retries; the retry sees the
    /// delete queued and goes behind it.
    /// </summary>
    [Theory]
    [InlineData("REPEATABLE READ")]
    [InlineData("SERIALIZABLE")]
    public async Task A_writer_whose_snapshot_predates_a_queued_delete_of_its_key_fails_to_serialize_and_its_retry_goes_behind_it(string isolation)
    {
        await using var pair = await TestBed.Create().Pair("sync_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await Db.ExecuteAsync(local, "INSERT INTO app.hostile_sync (id, code, body) VALUES (1, 'k', 'first')");

        // The writer's snapshot is taken now.
        await using var writer = new NpgsqlConnection(local);
        await writer.OpenAsync();
        await Db.ExecuteAsync(writer, "BEGIN ISOLATION LEVEL " + isolation);
        await Db.ExecuteAsync(writer, "SELECT count(*) FROM app.hostile_sync");

        // Another session deletes the row while the destination is down: its entry stays queued.
        await pair.TakeRemoteDownAsync();
        await Db.ExecuteAsync(local, "DELETE FROM app.hostile_sync WHERE id = 1");
        Assert.Equal(1, await pair.QueueDepthAsync());
        await pair.BringRemoteBackAsync();

        // The writer inserts the key again (no conflict: the delete committed); its commit cannot be ordered.
        await Db.ExecuteAsync(writer, "INSERT INTO app.hostile_sync (id, code, body) VALUES (1, 'k', 'again')");
        var error = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(writer, "COMMIT"));
        Assert.Equal(PostgresErrorCodes.SerializationFailure, error.SqlState);
        Assert.Equal(0L, await Db.ScalarAsync<long>(local, "SELECT count(*) FROM app.hostile_sync"));

        // The application's retry, with a new snapshot, goes behind the queued delete.
        await Db.ExecuteAsync(writer, "BEGIN ISOLATION LEVEL " + isolation);
        await Db.ExecuteAsync(writer, "INSERT INTO app.hostile_sync (id, code, body) VALUES (1, 'k', 'again')");
        await Db.ExecuteAsync(writer, "COMMIT");

        await pair.ReplayAsync();
        Assert.Equal(0, await pair.QueueDepthAsync());
        var source = await TestBed.RowsAsync(local, "app.hostile_sync", Key);
        Assert.Single(source);
        Assert.Equal(source, await TestBed.RowsAsync(pair.Remote.ConnectionString, "copy.hostile_sync", Key));
    }
}
