using System;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using RoslynPgSync.Generated;

namespace RoslynPgSync.Tests.Replication;

/// <summary>Identifiers that need quoting everywhere still replicate, and Async commits wake listeners.</summary>
public sealed class AwkwardIdentifierTests
{
    private const string Source = "\"Select\".\"Order Items \"\"v2\"\"\"";
    private const string Target = "\"from\".\"weird\"\"name; drop table x; --\"";

    [Fact]
    public async Task Mixed_case_spaces_quotes_and_reserved_words_replicate_and_notify_at_commit()
    {
        await using var pair = await TestBed.Create().Pair("dst").InstallAsync(PgSyncInstaller.Tables);
        await using var listener = new NpgsqlConnection(pair.Local.ConnectionString);
        await listener.OpenAsync();
        string? payload = null;
        listener.Notification += (_, e) => payload = e.Channel + "/" + e.Payload;
        await using (var listen = new NpgsqlCommand("LISTEN pgsync", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await Db.ExecuteAsync(pair.Local.ConnectionString, $"INSERT INTO {Source} (\"Order\", \"user\", \"Größe \\ \"\"x\"\"\", \"group\") VALUES (1, 'u1', 'S', 7), (2, 'u''2', NULL, NULL)");
        await Db.ExecuteAsync(pair.Local.ConnectionString, $"UPDATE {Source} SET \"user\" = 'renamed' WHERE \"Order\" = 1");
        await listener.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("pgsync/dst", payload);
        // The insert's entry, and the update's two compact entries: "user" is part of the key, so
        // the old key is deleted and the new row upserted.
        Assert.Equal(3, await pair.ReplayAsync());
        Assert.Equal(
            await TestBed.RowsAsync(pair.Local.ConnectionString, Source, "t.\"Order\""),
            await TestBed.RowsAsync(pair.Remote.ConnectionString, Target, "t.\"Order\""));
        Assert.Equal(1L, await Db.ScalarAsync<long>(pair.Remote.ConnectionString, $"SELECT count(*) FROM {Target} WHERE \"user\" = 'renamed'"));
    }
}
