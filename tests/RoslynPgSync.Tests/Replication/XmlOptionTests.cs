using System.Threading.Tasks;
using RoslynPgSync.Generated;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Replication;

/// <summary>
/// Found in review: an xml value that is a content fragment (valid under the default xmloption = content,
/// as the source holds it) travels as text and is parsed again in the destination's apply session. A
/// destination database that set xmloption = document refused it, and the stream stopped at that entry.
/// The apply pins xmloption = content (which accepts documents too), as it pins DateStyle and lc_monetary.
/// </summary>
public sealed class XmlOptionTests
{
    [Fact]
    public async Task An_xml_fragment_arrives_whatever_xmloption_the_destination_database_sets()
    {
        await using var pair = await TestBed.Create().Pair("xml_dst").InstallAsync(PgSyncInstaller.Tables);
        await Db.ExecuteAsync(pair.Remote.AdminConnectionString, $"ALTER DATABASE \"{pair.Remote.Name}\" SET xmloption = document");
        Npgsql.NpgsqlConnection.ClearAllPools();

        // Many rows in one statement, and one (a compact entry).
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO xmlsrc.doc (id, body) VALUES (1, '<a>x</a>'), (2, 'text then <b/>')");
        await Db.ExecuteAsync(pair.Local.ConnectionString, "INSERT INTO xmlsrc.doc (id, body) VALUES (3, 'single <c/> row')");
        await pair.ReplayAsync();

        Assert.Null(await Db.ScalarAsync<string?>(pair.Local.ConnectionString, "SELECT string_agg(last_error, '; ') FROM pgsync.status"));
        Assert.Equal(0, await pair.QueueDepthAsync());
        Assert.Equal(
            "1|<a>x</a>;2|text then <b/>;3|single <c/> row",
            await Db.ScalarAsync<string?>(pair.Remote.AdminConnectionString, "SELECT string_agg(id || '|' || body::text, ';' ORDER BY id) FROM xml_copy.doc"));
    }
}
