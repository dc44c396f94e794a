using System;
using Xunit;

namespace RoslynPgSync.Tests.Security;

/// <summary>Messages about a destination's registration never show its password.</summary>
public sealed class SecretMessageTests
{
    /// <summary>
    /// Found in review: AddServer's arguments swapped (the connection string as the name, an easy slip with
    /// two strings) fail on the name check, whose message quotes the "name": the whole connection string with
    /// its password, into the exception, the host's startup log and <c>pgsync: ...</c>. PgSyncOptions.AddServer
    /// documents "Messages name the server, never the password".
    /// </summary>
    [Fact]
    public void A_connection_string_given_as_the_server_name_is_not_quoted_in_the_error()
    {
        const string ConnectionString = "Host=db2;Port=5432;Database=remote;Username=replicator;Password=hunter2-not-shown";

        var error = Assert.Throws<ArgumentException>(() => new PgSyncOptions().AddServer(ConnectionString, "dst"));

        Assert.DoesNotContain("hunter2-not-shown", error.ToString(), StringComparison.Ordinal);
    }
}
