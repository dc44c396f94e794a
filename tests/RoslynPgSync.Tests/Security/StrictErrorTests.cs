using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Security;

/// <summary>What a second role of the source database learns from the replication's errors.</summary>
public sealed class StrictErrorTests
{
    /// <summary>
    /// A role that may only INSERT into a Strict table (no right on the pgsync schema, none on the other
    /// tables) commits while another user's entry of another table is refused by the destination at the head
    /// of the stream. Its commit goes the ordered way, the refusal fails it, and the error it is raised names
    /// the destination's message with its DETAIL: the other user's whole row ("Failing row contains ...").
    /// security.md: reading the queue's contents is the installing role's only (found in review; the
    /// role read "salary of alice: 250000"). Now the committer is told only that an older queued change
    /// to that table was refused ahead of its own.
    /// </summary>
    [Fact]
    public async Task A_strict_writer_role_refused_behind_another_users_entry_is_not_told_that_entrys_row()
    {
        await using var pair = await TestBed.Create().Pair("mix_dst").InstallAsync(PgSyncInstaller.Tables);
        var local = pair.Local.ConnectionString;
        await using var hostile = await pair.Cluster.CreateRoleAsync("hostile");
        await Db.ExecuteAsync(pair.Local.AdminConnectionString,
            $"GRANT USAGE ON SCHEMA mix TO \"{hostile.Name}\"; GRANT INSERT ON mix.mixed_strict TO \"{hostile.Name}\"");

        // The destination refuses one of the owner's rows of another table: it waits at the head of the queue.
        await Db.ExecuteAsync(pair.Remote.ConnectionString, "ALTER TABLE mix_copy.mixed_async ADD CONSTRAINT no_secrets CHECK (note NOT LIKE 'salary%')");
        await Db.ExecuteAsync(local, "INSERT INTO mix.mixed_async (id, note) VALUES (1, 'salary of alice: 250000')");
        await pair.ReplayAsync();
        Assert.Equal(1, await pair.QueueDepthAsync());

        await using var session = new NpgsqlConnection(hostile.ConnectionStringFor(pair.Local.Name));
        await session.OpenAsync();
        // (The role cannot read that table.)
        var denied = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(session, "SELECT note FROM mix.mixed_async"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);

        var error = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(session, "INSERT INTO mix.mixed_strict (id, note) VALUES (100, 'mine')"));
        Assert.DoesNotContain("250000", error.MessageText + " " + error.Detail + " " + error.Hint);
        Assert.Contains("refused an older queued change to mix.mixed_async", error.MessageText);
    }
}
