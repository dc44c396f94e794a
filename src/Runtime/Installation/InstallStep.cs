using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Installation;

/// <summary>
/// One step of the install plan (<see cref="InstallPlan.Steps"/>): the installer executes the steps in
/// order in its transaction, and <c>GetInstallScript</c> prints the same steps for psql, so that the
/// script a DBA reviews is the one the application runs.
/// </summary>
internal abstract class InstallStep
{
    protected InstallStep(string description) => Description = description;

    /// <summary>What the step does, for logs and the script's comments.</summary>
    public string Description { get; }

    public abstract Task ExecuteAsync(NpgsqlConnection connection, CancellationToken ct);

    /// <summary>Appends the step as psql runs it.</summary>
    public abstract void AppendScript(StringBuilder script);

    public override string ToString() => Description;

    protected static Task ExecuteAsync(NpgsqlConnection connection, string sql, IReadOnlyList<StepValue> values, CancellationToken ct) =>
        Commands.ExecuteAsync(connection, sql, ct, values.Select(v => v.Value).ToArray());
}

/// <summary>
/// A parameter of a <see cref="SqlStep"/>: bound as <c>$n</c> when executed; in the script a literal, or
/// for a secret a psql variable (<c>:'pgsync_password_dst'</c>) so that the script holds no password.
/// </summary>
internal readonly record struct StepValue(object? Value, string ScriptText)
{
    public static StepValue Text(string? value) => new(value, value is null ? "NULL" : PgSql.QuoteLiteral(value));

    public static StepValue TextArray(IEnumerable<string> values)
    {
        var array = values.ToArray();
        return new(array, "ARRAY[" + string.Join(", ", array.Select(PgSql.QuoteLiteral)) + "]::text[]");
    }

    /// <summary>A duration in whole milliseconds, as an interval (NULL: none).</summary>
    public static StepValue Interval(TimeSpan? value) => value is { } wait
        ? new(wait, PgSql.QuoteLiteral(Math.Ceiling(wait.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + " milliseconds") + "::interval")
        : new(null, "NULL::interval");

    public static StepValue Boolean(bool value) => new(value, value ? "true" : "false");

    public static StepValue Secret(string value, string psqlVariable) => new(value, ":'" + psqlVariable + "'");

    /// <summary>The script's text (for a secret: its psql variable), never the bound value: a step's values must not reach a log or a message.</summary>
    public override readonly string ToString() => ScriptText;
}

/// <summary>SQL run as it is, with <c>$1</c>… bound to <see cref="StepValue"/>s.</summary>
internal sealed class SqlStep : InstallStep
{
    private readonly string _sql;
    private readonly StepValue[] _values;

    public SqlStep(string description, string sql, params StepValue[] values)
        : base(description)
    {
        _sql = sql;
        _values = values;
    }

    /// <summary>One embedded file (see <see cref="SqlResources"/>).</summary>
    public static SqlStep File(string path, string schema, string dblinkSchema) =>
        new(path, SqlResources.Load(path, schema, dblinkSchema));

    public override Task ExecuteAsync(NpgsqlConnection connection, CancellationToken ct) => ExecuteAsync(connection, _sql, _values, ct);

    public override void AppendScript(StringBuilder script)
    {
        var sql = _sql;
        for (var i = _values.Length; i >= 1; i--)
        {
            sql = sql.Replace("$" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), _values[i - 1].ScriptText, StringComparison.Ordinal);
        }

        script.Append("-- ").Append(Description).Append('\n').Append(sql.TrimEnd('\n', ';')).Append(";\n");
    }
}

/// <summary>
/// A schema version: its files run once, when the version is not recorded in <c>schema_version</c>
/// yet, and then it is recorded. (In the script: a psql <c>\if</c> on the same question.)
/// </summary>
internal sealed class SchemaVersionStep : InstallStep
{
    private readonly string _schema;
    private readonly IReadOnlyList<SqlStep> _files;

    private readonly string _what;

    public SchemaVersionStep(int version, string description, string schema, IReadOnlyList<SqlStep> files)
        : base($"schema version {version}: {description}")
    {
        Version = version;
        _what = description;
        _schema = schema;
        _files = files;
    }

    public int Version { get; }

    private string Versions => PgSql.QuoteIdentifier(_schema) + ".schema_version";

    public override async Task ExecuteAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var check = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {Versions} WHERE version = $1)", connection);
        await using (check.ConfigureAwait(false))
        {
            check.Parameters.Add(new NpgsqlParameter { Value = Version });
            if ((bool)(await check.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
            {
                return;
            }
        }

        foreach (var file in _files)
        {
            await file.ExecuteAsync(connection, ct).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, $"INSERT INTO {Versions} (version, description) VALUES ($1, $2)", [new(Version, string.Empty), new(_what, string.Empty)], ct).ConfigureAwait(false);
    }

    public override void AppendScript(StringBuilder script)
    {
        var flag = "pgsync_version_" + Version.ToString(System.Globalization.CultureInfo.InvariantCulture) + "_missing";
        script.Append("-- ").Append(Description).Append(" (once: when it is not recorded yet)\n");
        script.Append("SELECT NOT EXISTS (SELECT 1 FROM ").Append(Versions).Append(" WHERE version = ").Append(Version).Append(") AS ").Append(flag).Append(" \\gset\n");
        script.Append("\\if :").Append(flag).Append('\n');
        foreach (var file in _files)
        {
            file.AppendScript(script);
        }

        script.Append("INSERT INTO ").Append(Versions).Append(" (version, description) VALUES (").Append(Version).Append(", ")
              .Append(PgSql.QuoteLiteral(_what)).Append(");\n\\endif\n");
    }
}

/// <summary>
/// Refuses a database whose RoslynPgSync schema records a version newer than this runtime knows: it was
/// installed by a newer release, and this one would replace that release's functions with older ones
/// that may not understand its tables. (In the script: a psql <c>\if</c> that raises the same refusal.)
/// </summary>
internal sealed class NewerSchemaRefusal : InstallStep
{
    private readonly string _schema;

    public NewerSchemaRefusal(int known, string schema)
        : base($"refuse a schema newer than version {known}")
    {
        Known = known;
        _schema = schema;
    }

    /// <summary>The latest schema version this runtime installs.</summary>
    public int Known { get; }

    private string Versions => PgSql.QuoteIdentifier(_schema) + ".schema_version";

    /// <summary>The refusal, for the exception and the script alike (<paramref name="recorded"/>: the version the database records, or words for it).</summary>
    public string Message(string recorded) =>
        $"The RoslynPgSync schema {PgSql.QuoteIdentifier(_schema)} of this database is at {recorded}, " +
        $"newer than this runtime knows ({Known.ToString(System.Globalization.CultureInfo.InvariantCulture)}): a newer RoslynPgSync installed it. " +
        "Install with that release or a later one; this one would replace its functions with older ones. Nothing was changed.";

    public override async Task ExecuteAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var query = new NpgsqlCommand($"SELECT pg_catalog.max(version) FROM {Versions}", connection);
        await using var queryScope = query.ConfigureAwait(false);
        if (await query.ExecuteScalarAsync(ct).ConfigureAwait(false) is int recorded && recorded > Known)
        {
            throw new PgSyncInstallException(Message("schema version " + recorded.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    public override void AppendScript(StringBuilder script)
    {
        // psql does not expand variables inside the DO block's dollar quotes: the message names no number.
        script.Append("-- ").Append(Description).Append(" (a newer release installed it)\n");
        script.Append("SELECT coalesce(pg_catalog.max(version), 0) > ").Append(Known.ToString(System.Globalization.CultureInfo.InvariantCulture))
              .Append(" AS pgsync_schema_is_newer FROM ").Append(Versions).Append(" \\gset\n");
        script.Append("\\if :pgsync_schema_is_newer\n");
        script.Append("DO $pgsync$ BEGIN RAISE EXCEPTION '%', ").Append(PgSql.QuoteLiteral(Message("a later schema version"))).Append("; END $pgsync$;\n\\endif\n");
    }
}

/// <summary>
/// What only the running installer can do: a check against the live database (a probe through dblink)
/// that fails with a message naming what to fix. The script says where it was left out.
/// </summary>
internal sealed class CheckStep : InstallStep
{
    private readonly Func<NpgsqlConnection, CancellationToken, Task> _check;

    public CheckStep(string description, Func<NpgsqlConnection, CancellationToken, Task> check)
        : base(description) => _check = check;

    public override Task ExecuteAsync(NpgsqlConnection connection, CancellationToken ct) => _check(connection, ct);

    public override void AppendScript(StringBuilder script) =>
        script.Append("-- (the installer checks here: ").Append(Description).Append(")\n");
}
