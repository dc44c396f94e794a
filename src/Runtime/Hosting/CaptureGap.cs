using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Hosting;

/// <summary>
/// A source table whose capture is off, or was off since the last verification that found every
/// destination of it equal (<c>pgsync.capture_gap</c>): a capture trigger its owner disabled
/// (<c>ALTER TABLE ... DISABLE TRIGGER</c>), set to fire in replica sessions only, or dropped. Changes
/// written meanwhile were not captured: they are missing on the destinations until a repair
/// (<c>pgsync verify --repair</c>, <see cref="Verification.PgSyncVerifier.RepairAsync"/>), whose equal result closes the gap.
/// </summary>
/// <param name="Schema">The source table's schema.</param>
/// <param name="TableName">The source table's name.</param>
/// <param name="CaptureOn">Whether its capture triggers are all on again (the installer turns them back on when its role owns the table).</param>
/// <param name="FoundAt">When the capture was first found off.</param>
/// <param name="Detail">Which trigger, and how it was found (missing, disabled, or enabled for replica sessions only).</param>
public sealed record CaptureGap(string Schema, string TableName, bool CaptureOn, DateTimeOffset FoundAt, string Detail)
{
    /// <summary>The source table as <c>schema.table</c>, for messages.</summary>
    public string Table => Schema + "." + TableName;

    /// <summary>The gap in words, with what to do, for logs and health checks.</summary>
    public override string ToString() =>
        CaptureOn
            ? $"the capture of {Table} was off ({Detail}, found {FoundAt:u}): changes written meanwhile may be missing on its destinations; verify and repair the table (pgsync verify --repair) to close this"
            : $"the capture of {Table} is off ({Detail}, found {FoundAt:u}): its changes are not replicated; turn it on (ALTER TABLE {PgSql.QualifiedName(Schema, TableName)} ENABLE TRIGGER USER as its owner, or restart the worker, which does so when its role owns the table), then verify and repair the table";

    /// <summary>
    /// Runs <c>capture_check</c>: records the tables whose capture is off now, with <paramref name="enable"/> turns
    /// their disabled triggers back on where this role may, and returns every open gap.
    /// </summary>
    internal static async Task<IReadOnlyList<CaptureGap>> CheckAsync(NpgsqlConnection connection, string schema, bool enable, CancellationToken ct)
    {
        var gaps = new List<CaptureGap>();
        var command = Commands.Create(
            connection,
            $"SELECT nsp_name, table_name, capture_on, found_at, detail FROM {PgSql.QuoteIdentifier(schema)}.capture_check($1, $2)",
            SqlNames.CaptureTriggers,
            enable);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    gaps.Add(new CaptureGap(
                        reader.GetString(0),
                        reader.GetString(1),
                        reader.GetBoolean(2),
                        reader.GetFieldValue<DateTimeOffset>(3),
                        reader.GetString(4)));
                }
            }
        }

        return gaps;
    }
}
