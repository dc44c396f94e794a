using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// Found in review: a key rewritten to a value its type calls equal but prints otherwise (numeric 1.0 to
/// 1.00; an interval 1 day to 24 hours likewise) is no key change to the capture, which sends an upsert; the
/// upsert found the old row as its conflict and set only the other columns, so the destination kept 1.0 and
/// the queue drained. The upsert sets the key columns too.
/// </summary>
public sealed class KeyFormTests
{
    [Fact]
    public async Task A_key_rewritten_to_an_equal_value_of_another_scale_arrives_as_the_source_holds_it()
    {
        await using var pair = await TestBed.Create().Pair("numkey_dst").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO numsrc.num_key (id, note) VALUES (1.0, 'a'), (2.5, 'b'), (3, 'c')");
        await pair.ReplayAsync();

        await Db.ExecuteAsync(pair.Local.ConnectionString, "UPDATE numsrc.num_key SET id = 1.00 WHERE id = 1");               // one row: a compact entry
        await Db.ExecuteAsync(pair.Local.ConnectionString, "UPDATE numsrc.num_key SET id = id::numeric(10,3) WHERE id > 2"); // several rows
        await pair.ReplayAsync();

        Assert.Equal(0, await pair.QueueDepthAsync());
        var source = await TestBed.RowsAsync(pair.Local.ConnectionString, "numsrc.num_key", "id");
        Assert.Equal(["(1.00,a)", "(2.500,b)", "(3.000,c)"], source);
        Assert.Equal(source, await TestBed.RowsAsync(pair.Remote.ConnectionString, "num_copy.num_key", "id"));
    }
}
