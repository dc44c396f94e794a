using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Npgsql;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Installation;

/// <summary>
/// One dblink foreign server per destination, whose connections carry <c>pgsync.origin</c> (loop
/// prevention), and the installing role's user mapping that holds the password.
/// </summary>
internal static class ForeignServerSql
{
    /// <summary>DROP + CREATE SERVER, so that a changed connection string takes effect.</summary>
    public static string CreateServer(PgSyncServer server, string nodeName)
    {
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString);
        var options = new List<string>
        {
            "host " + PgSql.QuoteLiteral(builder.Host!),
            "port " + PgSql.QuoteLiteral(builder.Port.ToString(CultureInfo.InvariantCulture)),
            "dbname " + PgSql.QuoteLiteral(builder.Database!),
            "connect_timeout " + PgSql.QuoteLiteral(builder.Timeout.ToString(CultureInfo.InvariantCulture)),
            "application_name " + PgSql.QuoteLiteral("pgsync:" + nodeName),
            "options " + PgSql.QuoteLiteral("-c " + SqlNames.OriginSetting + "=" + EscapeOption(nodeName)),
        };
        if (builder.SslMode != SslMode.Prefer)
        {
            options.Add("sslmode " + PgSql.QuoteLiteral(LibpqSslMode(builder.SslMode)));
        }

        var name = PgSql.QuoteIdentifier(server.Name);
        return "DROP SERVER IF EXISTS " + name + " CASCADE;\n" +
               "CREATE SERVER " + name + " FOREIGN DATA WRAPPER dblink_fdw OPTIONS (" + string.Join(", ", options) + ");\n";
    }

    /// <summary>
    /// The user mapping as a DO block that reads the password from the transaction-local setting
    /// <c>pgsync.mapping_password</c>, so the password never appears in statement text (or in a
    /// statement log with <c>log_statement = ddl</c>).
    /// </summary>
    public static string CreateUserMapping(PgSyncServer server) =>
        "DO $pgsync$ BEGIN EXECUTE pg_catalog.format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I OPTIONS (user %L, password %L)', " +
        PgSql.QuoteLiteral(server.Name) + ", " + PgSql.QuoteLiteral(server.Username) +
        ", pg_catalog.current_setting('pgsync.mapping_password')); END $pgsync$;\n";

    /// <summary>The user mapping as a DBA reads it in the install script: the password is a psql variable.</summary>
    public static string CreateUserMappingScript(PgSyncServer server) =>
        "CREATE USER MAPPING FOR CURRENT_USER SERVER " + PgSql.QuoteIdentifier(server.Name) +
        " OPTIONS (user " + PgSql.QuoteLiteral(server.Username) + ", password :'" + PasswordVariable(server) + "');\n";

    /// <summary>The psql variable a DBA sets to the password of <paramref name="server"/>.</summary>
    public static string PasswordVariable(PgSyncServer server)
    {
        var name = new StringBuilder("pgsync_password_");
        foreach (var c in server.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }

        return name.ToString();
    }

    /// <summary>PGOPTIONS splits on spaces: escape them (and backslashes) in the node name.</summary>
    private static string EscapeOption(string value) =>
        value.Replace("\\", "\\\\", System.StringComparison.Ordinal).Replace(" ", "\\ ", System.StringComparison.Ordinal);

    private static string LibpqSslMode(SslMode mode) => mode switch
    {
        SslMode.Disable => "disable",
        SslMode.Allow => "allow",
        SslMode.Require => "require",
        SslMode.VerifyCA => "verify-ca",
        SslMode.VerifyFull => "verify-full",
        _ => "prefer",
    };
}
