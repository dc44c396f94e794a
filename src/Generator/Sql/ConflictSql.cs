using System.Collections.Generic;
using System.Linq;
using System.Text;
using RoslynPgSync.Generator.Model;

namespace RoslynPgSync.Sql;

/// <summary>
/// <c>Conflicts = LastWriterWins</c>: each node keeps, per replicated table, a record of row versions
/// (<see cref="SqlNames.RowVersions"/>): per key, the stamp of the write that holds it (and the one it
/// replaced there), a tombstone when that write was a delete. A stamp is (version member if any, write time, origin node): a node's own
/// write is stamped by the capture, after every stamp the node has seen for that key (a hybrid logical
/// clock: the later of the capture clock and the previous stamp plus 1 µs, and the greater of the two
/// versions), and travels in the row's JSON; a replicated write is applied only when its stamp is
/// greater than the destination's, set-based in one statement per run of entries. Ties cannot happen
/// between nodes: the origin (node name and a random part, compared byte by byte) decides. Every node
/// therefore ends at the write with the greatest stamp, which is the write made last on top of what the
/// others had seen. Both the capture (<see cref="CaptureSql"/>) and the remote statements
/// (<see cref="Upsert"/>, <see cref="Delete"/>) are built here, so that the two sides agree on the
/// record's names and on the order.
/// </summary>
internal static class ConflictSql
{
    /// <summary>The record's columns besides the key (and the JSON keys the stamp travels as).</summary>
    public const string At = "pgsync_at";

    /// <inheritdoc cref="At"/>
    public const string Origin = "pgsync_origin";

    /// <inheritdoc cref="At"/>
    public const string Deleted = "pgsync_deleted";

    /// <inheritdoc cref="At"/>
    public const string Version = "pgsync_version";

    /// <summary>The stamp the write replaced on its node (NULL: none), which tells a destination whether the write saw what it holds.</summary>
    public const string PrevAt = "pgsync_prev_at";

    /// <inheritdoc cref="PrevAt"/>
    public const string PrevOrigin = "pgsync_prev_origin";

    /// <summary>The JSON key of the captured operation: I (insert), U (update), D (delete), or <see cref="CopyOp"/>.</summary>
    public const string Op = "pgsync_op";

    /// <summary>
    /// The operation of a row or tombstone sent by an initial copy or a repair (the table's restore
    /// function, <see cref="RestoreStampColumns"/>), and forwarded on as such: it carries the stamp the source holds for its key (its
    /// previous stamp set to that same stamp, which no captured write can have, so the record tells it
    /// too) and is applied where that stamp is greater than the destination's or equal to it (the
    /// destination drifted under the same write), under <c>LastWriterWins</c>; where the destination holds
    /// no stamp or the same one under the other policies; never recorded as a conflict (it is no change).
    /// A write of the same key that follows it in one run (both forwarded from one node) was made on top
    /// of its stamp, and conflicts where the destination holds another (<see cref="Classify"/>).
    /// </summary>
    public const string CopyOp = "C";

    /// <summary>The prefix of every name the row JSON and the row versions use: a table resolved by stamps cannot have a column that begins with it.</summary>
    public const string ReservedPrefix = "pgsync_";

    /// <summary>
    /// The row data per queue entry of a statement of many rows, for a table whose conflicts are detected
    /// (the capture function sets pgsync.entry_bytes to it; 8 MiB otherwise): its apply looks each key up
    /// in JSON objects of the run's held rows and stamps, which costs more per key the more keys a
    /// statement holds (an 8 MiB entry of 40,000 rows took seconds, past a remote timeout when the
    /// destination held every key); 256 KiB keeps a statement to about a thousand rows, as a batch of
    /// single-row entries is.
    /// </summary>
    public const int EntryBytes = 262144;

    /// <summary>How many characters of each row a conflict record keeps.</summary>
    public const int RowCap = 8192;

    /// <summary>Where a destination raises the serialization failure of a run whose rows changed under it (<c>sql/destination/040_stale_read.sql</c>).</summary>
    public const string StaleRead = "stale_read";

    /// <summary>Where a destination raises the conflict that stops a <c>Conflicts = Error</c> queue (<c>sql/destination/030_conflict_error.sql</c>).</summary>
    public const string ConflictError = "conflict_error";

    /// <summary>Whether the target's conflicts are detected (every policy but ApplyRemote): its writes are stamped.</summary>
    public static bool Resolves(TargetModel target) => target.Conflicts != Conflicts.ApplyRemote;

    /// <summary>The record of row versions of the table <paramref name="schema"/>.<paramref name="table"/> on its node (schema slot, quoted).</summary>
    public static string RecordName(string schema, string table) =>
        CaptureSql.SchemaSlot + "." + PgSql.QuoteIdentifier(SqlNames.RowVersions(schema, table));

    /// <summary>
    /// <c>CREATE TABLE IF NOT EXISTS</c> for the record of row versions of a table named
    /// <paramref name="schema"/>.<paramref name="table"/> on its node: the key columns as the model
    /// types them, the stamp and the tombstone flag. Readable by the RoslynPgSync schema's owner only.
    /// </summary>
    public static string CreateRecord(TableModel table, string schema, string name)
    {
        var record = RecordName(schema, name);
        var sql = new StringBuilder();
        sql.Append("-- The row versions of ").Append(PgSql.QualifiedName(schema, name))
           .Append(" (Conflicts = LastWriterWins): per key, the stamp of the write it holds; pgsync_deleted: a tombstone.\n");
        sql.Append("CREATE TABLE IF NOT EXISTS ").Append(record).Append(" (\n");
        foreach (var key in table.KeyColumns)
        {
            sql.Append("    ").Append(PgSql.QuoteIdentifier(key)).Append(' ').Append(table.Columns.First(c => c.ColumnName == key).PgType).Append(" NOT NULL,\n");
        }

        if (VersionType(table) is { } versionType)
        {
            sql.Append("    ").Append(Version).Append(' ').Append(versionType).Append(" NOT NULL,\n");
        }

        sql.Append("    ").Append(At).Append(" timestamp with time zone NOT NULL,\n");
        sql.Append("    ").Append(Origin).Append(" text NOT NULL,\n");
        sql.Append("    ").Append(Deleted).Append(" boolean NOT NULL,\n");
        sql.Append("    ").Append(PrevAt).Append(" timestamp with time zone,\n");
        sql.Append("    ").Append(PrevOrigin).Append(" text,\n");
        sql.Append("    PRIMARY KEY (").Append(string.Join(", ", table.KeyColumns.Select(PgSql.QuoteIdentifier))).Append(")\n);\n");
        // The tombstones by age, for the purge (purge_resolved): the worker looks every minute.
        sql.Append("CREATE INDEX IF NOT EXISTS ").Append(PgSql.QuoteIdentifier(SqlNames.RowVersions(schema, name) + "_tombstones")).Append(" ON ").Append(record)
           .Append(" (").Append(At).Append(") WHERE ").Append(Deleted).Append(";\n");
        sql.Append("REVOKE ALL ON ").Append(record).Append(" FROM PUBLIC;\n");
        return sql.ToString();
    }

    /// <summary>
    /// The capture's statements that stamp this node's write in the source's record (in the statement
    /// trigger, once per statement, before any target reads the stamps): the keys that left (a DELETE, or
    /// an UPDATE that changed the key) become tombstones, the new rows live stamps. <c>v_origin</c> holds
    /// this node's origin.
    /// </summary>
    public static string Stamp(TableModel table, string indent)
    {
        var record = RecordName(table.SourceSchema, table.SourceTable);
        var b = new StringBuilder();
        b.Append(indent).Append("-- LastWriterWins: this write's stamp, after every stamp this node has seen for its key (row versions).\n");
        b.Append(indent).Append("v_origin := ").Append(NodeOrigin).Append(";\n");
        var gone = StampInsert(table, record, "o", "old_rows", true);
        var rows = StampInsert(table, record, "n", "new_rows", false) + StampConflict(table, false) + ";\n";
        b.Append(indent).Append("IF TG_OP = 'UPDATE' THEN\n");
        b.Append(indent).Append("    ").Append(gone).Append(" WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE ").Append(RemoteSql.KeyMatch(table, "n", "o")).Append(')')
         .Append(StampConflict(table, true)).Append(";\n");
        b.Append(indent).Append("    ").Append(rows);
        b.Append(indent).Append("ELSIF TG_OP = 'DELETE' THEN\n");
        b.Append(indent).Append("    ").Append(gone).Append(StampConflict(table, true)).Append(";\n");
        b.Append(indent).Append("ELSE\n");
        b.Append(indent).Append("    ").Append(rows);
        b.Append(indent).Append("END IF;\n");
        return b.ToString();
    }

    /// <summary>
    /// In a replication session (the apply's, which set the origin), the capture's refusal of a change
    /// that came without a stamp. Every change a node sends to a table that resolves conflicts goes
    /// through the target's stamped statement, which writes each applied row's stamp (or tombstone) in the
    /// same statement, so in the same transaction, before this trigger fires; the destination's apply runs
    /// in no subtransaction. A statement whose first row has no stamp written by this transaction came
    /// from a node that does not stamp the table (its model keeps ApplyRemote for this target: its
    /// changes, copies and repairs; a TRUNCATE the capture refuses in every session before this), or from an operator's session that set the origin: it would
    /// overwrite the row whatever its stamp says, leave the stamps behind, and a forwarding node would send
    /// it on without one. So it is refused, and the statement (the sender's batch) fails, saying why,
    /// before anything of it commits: the sender's queue stops at the entry.
    /// </summary>
    public static string RefuseUnstamped(TableModel table, string indent)
    {
        var record = RecordName(table.SourceSchema, table.SourceTable);
        var name = PgSql.QuoteLiteral(PgSql.QuoteIdentifier(table.SourceSchema)) + ", " + PgSql.QuoteLiteral(PgSql.QuoteIdentifier(table.SourceTable));
        string Unstamped(string rows) =>
            "EXISTS (SELECT 1 FROM (SELECT " + Keys(table, "r") + " FROM " + rows + " AS r LIMIT 1) AS r WHERE NOT EXISTS (SELECT 1 FROM " + record +
            " AS m WHERE " + RemoteSql.KeyMatch(table, "m", "r") + " AND m.xmin = pg_catalog.pg_current_xact_id()::xid))";
        string Refuse(string at) =>
            at + "RAISE EXCEPTION 'RoslynPgSync: a replicated change to %.% came without a stamp, from a node that does not resolve conflicts on this table: refused, or it would bypass them', " + name +
            "\n" + at + "    USING ERRCODE = 'feature_not_supported', HINT = 'Declare the same Conflicts policy for this table on every node that sends it changes, and install there again; an operator''s session must not set " +
            SqlNames.OriginSetting + " on this table.';\n";
        return indent + "-- Every change applied here comes stamped (RefuseUnstamped): one that does not would bypass the resolution.\n" +
               indent + "IF TG_OP = 'DELETE' THEN\n" +
               indent + "    IF " + Unstamped("old_rows") + " THEN\n" + Refuse(indent + "        ") + indent + "    END IF;\n" +
               indent + "ELSIF " + Unstamped("new_rows") + " THEN\n" + Refuse(indent + "    ") +
               indent + "END IF;\n";
    }

    private static string StampInsert(TableModel table, string record, string alias, string rows, bool deleted) =>
        "INSERT INTO " + record + " AS m (" + RecordColumns(table) + ")\n" +
        "        SELECT " + string.Join(", ", table.KeyColumns.Select(k => alias + "." + PgSql.QuoteIdentifier(k))) +
        (table.VersionColumn is null ? string.Empty : ", " + alias + "." + PgSql.QuoteIdentifier(table.VersionColumn)) +
        ", pg_catalog.clock_timestamp(), v_origin, " + (deleted ? "true" : "false") + " FROM " + rows + " AS " + alias;

    private static string StampConflict(TableModel table, bool deleted) =>
        "\n        ON CONFLICT (" + string.Join(", ", table.KeyColumns.Select(PgSql.QuoteIdentifier)) + ") DO UPDATE SET " +
        (table.VersionColumn is null ? string.Empty : Version + " = GREATEST(EXCLUDED." + Version + ", m." + Version + "), ") +
        At + " = GREATEST(EXCLUDED." + At + ", m." + At + " + '00:00:00.000001'::pg_catalog.interval), " +
        Origin + " = EXCLUDED." + Origin + ", " + Deleted + " = " + (deleted ? "true" : "false") + ", " +
        PrevAt + " = m." + At + ", " + PrevOrigin + " = m." + Origin;

    /// <summary>
    /// The stamp columns a captured row or key carries in its JSON, read from the source's record
    /// (<c>v</c>): the version, write time and origin, the stamp the write replaced, and the operation.
    /// </summary>
    public static string StampColumns(TableModel table) =>
        (table.VersionColumn is null ? string.Empty : ", v." + Version) + ", v." + At + ", v." + Origin + ", v." + PrevAt + ", v." + PrevOrigin +
        // A copied row applied here and forwarded (its record's previous stamp is its own, which no write
        // stamped here can have) goes on as a copy, so that the next node does not take it for a write.
        ", CASE WHEN " + IsCopy("v") + " THEN '" + CopyOp + "' ELSE pg_catalog.left(TG_OP, 1) END AS " + Op;

    /// <summary>
    /// The restore function's stamp columns of a copied row or tombstone (its stamp <c>v</c> in the source's
    /// record, <see cref="StampJoin"/>; <see cref="CopyOp"/>).
    /// </summary>
    public static string RestoreStampColumns(TableModel table) =>
        (table.VersionColumn is null ? string.Empty : ", v." + Version) + ", v." + At + ", v." + Origin + ", v." + At + " AS " + PrevAt + ", v." + Origin + " AS " + PrevOrigin +
        ", '" + CopyOp + "'::text AS " + Op;

    /// <summary>
    /// <see cref="RestoreStampColumns"/> for a source row <c>n</c> and its stamp <c>v</c>, left joined: a row
    /// no write has stamped goes with this node's lowest stamp (<see cref="RecordUnstamped"/>), recorded or
    /// not (a dry run records nothing).
    /// </summary>
    public static string RestoreRowStampColumns(TableModel table)
    {
        const string Lowest = "'-infinity'::timestamp with time zone";
        var origin = "COALESCE(v." + Origin + ", " + NodeOrigin + ")";
        return (table.VersionColumn is null ? string.Empty : ", COALESCE(v." + Version + ", n." + PgSql.QuoteIdentifier(table.VersionColumn) + ") AS " + Version) +
               ", COALESCE(v." + At + ", " + Lowest + ") AS " + At + ", " + origin + " AS " + Origin +
               ", COALESCE(v." + At + ", " + Lowest + ") AS " + PrevAt + ", " + origin + " AS " + PrevOrigin + ", '" + CopyOp + "'::text AS " + Op;
    }

    /// <summary>The left join of a source row (<paramref name="alias"/>) to its stamp <c>v</c>, if any (<see cref="RestoreRowStampColumns"/>).</summary>
    public static string StampLeftJoin(TableModel table, string alias) =>
        " LEFT JOIN " + RecordName(table.SourceSchema, table.SourceTable) + " AS v ON " + RemoteSql.KeyMatch(table, "v", alias);

    /// <summary>
    /// The restore function's first step for a table whose writes are stamped: the source rows selected by
    /// <paramref name="where"/> (alias <c>n</c>) that no write has stamped yet (rows from before the
    /// install) get the lowest stamp of this node's origin, so that what a copy sends has a stamp every
    /// node orders the same way (any write stamped since wins over it; two nodes' unstamped rows of one
    /// key are decided by origin), and the source's record says what it sent.
    /// </summary>
    public static string RecordUnstamped(TableModel table, string where)
    {
        var record = RecordName(table.SourceSchema, table.SourceTable);
        return "INSERT INTO " + record + " AS m (" + RecordColumns(table) + ") SELECT " + Keys(table, "n") +
               (table.VersionColumn is null ? string.Empty : ", n." + PgSql.QuoteIdentifier(table.VersionColumn)) +
               ", '-infinity', " + NodeOrigin + ", false FROM " +
               PgSql.QualifiedName(table.SourceSchema, table.SourceTable) + " AS n" + (where.Length == 0 ? string.Empty : " WHERE " + where) +
               " ON CONFLICT (" + string.Join(", ", table.KeyColumns.Select(PgSql.QuoteIdentifier)) + ") DO NOTHING";
    }

    /// <summary>The join of a captured row (<paramref name="alias"/>) to its stamp <c>v</c> in the source's record.</summary>
    public static string StampJoin(TableModel table, string alias) =>
        " JOIN " + RecordName(table.SourceSchema, table.SourceTable) + " AS v ON " + RemoteSql.KeyMatch(table, "v", alias);

    /// <summary>
    /// What goes before and after the JSON array of rows (each with its stamp) to upsert on a
    /// LastWriterWins target: per key the row with the greatest stamp, and of those only the ones whose
    /// stamp is greater than the target's record says; the record takes their stamps. Conflicts are
    /// detected in the same statement and recorded (<see cref="Classify"/>). The apply writes in the
    /// order a local writer does, the row first and then its stamp (<see cref="Settle"/>), so that the
    /// two wait for each other rather than deadlock, a new key too.
    /// </summary>
    public static (string Prefix, string Suffix) Upsert(TableModel table, TargetModel target)
    {
        var targetName = PgSql.QualifiedName(target.Schema, target.Table);
        var columns = string.Join(", ", table.Columns.Select(c => PgSql.QuoteIdentifier(c.ColumnName)));
        var values = string.Join(", ", table.Columns.Select(c => RemoteSql.IsJson(c.PgType)
            ? "(k." + PgSql.QuoteIdentifier(c.ColumnName) + " #>> '{}')::" + c.PgType
            : "k." + PgSql.QuoteIdentifier(c.ColumnName)));
        // The key columns too, as RemoteSql.Upsert sets them: a key written again in a form its type calls
        // equal but prints otherwise (numeric 1.0 to 1.00) arrives in the form the winning write gave it.
        var write = "INSERT INTO " + targetName + " AS t (" + columns + ") SELECT " + values + " FROM k WHERE k.pgsync_applies" + RaiseGate(target) +
                    " ON CONFLICT (" + string.Join(", ", table.KeyColumns.Select(PgSql.QuoteIdentifier)) + ") DO UPDATE SET " +
                    string.Join(", ", table.Columns.Select(c => PgSql.QuoteIdentifier(c.ColumnName) + " = EXCLUDED." + PgSql.QuoteIdentifier(c.ColumnName)));
        return Run(table, target, table.Columns, write, deleted: false);
    }

    /// <summary>
    /// What goes before and after the JSON array of keys (each with its stamp) to delete on a
    /// LastWriterWins target: per key the greatest stamp, applied where it is greater than the record's,
    /// which keeps it as a tombstone (so that an older write arriving later cannot bring the row back).
    /// </summary>
    public static (string Prefix, string Suffix) Delete(TableModel table, TargetModel target)
    {
        var write = "DELETE FROM " + PgSql.QualifiedName(target.Schema, target.Table) + " AS t USING k WHERE " + RemoteSql.KeyMatch(table, "t", "k") +
                    " AND k.pgsync_applies" + RaiseGate(target);
        return Run(table, target, table.Columns.Where(c => c.IsKey).ToList(), write, deleted: true);
    }

    /// <summary>
    /// The statement of <see cref="Upsert"/> and <see cref="Delete"/> around its JSON array of
    /// <paramref name="columns"/> with their stamps: per key the latest change (<c>d</c>), the target's rows
    /// locked (<c>l</c>), the decision against what the destination holds (<see cref="Classify"/>), then
    /// <paramref name="write"/> of the target's rows (<c>ti</c>), their stamps (<see cref="Settle"/>) and the
    /// conflicts (<see cref="Log"/>). Every step reads the destination's tables from the run's keys (one
    /// primary-key probe per key) or counts another step: no step joins two others, whose sizes the
    /// planner cannot know (a join of two CTEs of a thousand rows each ran as a nested loop of a million).
    /// </summary>
    private static (string Prefix, string Suffix) Run(TableModel table, TargetModel target, IReadOnlyList<ColumnModel> columns, string write, bool deleted)
    {
        var record = RecordName(target.Schema, target.Table);
        var targetName = PgSql.QualifiedName(target.Schema, target.Table);
        var prefix = "WITH d AS (SELECT DISTINCT ON (" + Keys(table, "s") + ") s.*" + Firsts(table) +
                     " FROM pg_catalog.json_to_recordset(";
        var suffix = "::pg_catalog.json) AS s (" + Incoming(table, columns) + ")" +
                     Window(table) + " ORDER BY " + Keys(table, "s") + ", " + Descending(table, "s") + "), " +
                     "l AS (SELECT 1 FROM d JOIN " + targetName + " AS t ON " + RemoteSql.KeyMatch(table, "t", "d") + " ORDER BY " + Keys(table, "t") + " FOR UPDATE OF t), " +
                     Classify(table, target, targetName, record, deleted) + ", " + Raise(table, target) +
                     "ti AS (" + write + " RETURNING 1), " + Settle(table, target, record, deleted) + " " + Log(table, target, targetName, columns);
        return (prefix, suffix);
    }

    /// <summary>
    /// Per key of the run, what its first write replaced and was, and whether any of its rows is a
    /// write rather than a copy: whether the destination holds that tells a conflict. (The window is ordered as DISTINCT ON keeps the latest, newest first, so one
    /// sort serves both: the first write is the partition's last row.)
    /// </summary>
    private static string Firsts(TableModel table) =>
        ", pg_catalog.last_value(s." + PrevAt + ") OVER f AS pgsync_first_prev_at, pg_catalog.last_value(s." + PrevOrigin + ") OVER f AS pgsync_first_prev_origin" +
        ", pg_catalog.last_value(s." + Op + ") OVER f AS pgsync_first_op, pg_catalog.bool_or(s." + Op + " IS DISTINCT FROM '" + CopyOp + "') OVER f AS pgsync_written";

    /// <summary>
    /// The column definitions the run's JSON array is read by, in one pass (<c>json_to_recordset</c>): the
    /// <paramref name="columns"/> as the model types them (the installer checked that the target's are
    /// the same), then the stamp and the operation. (Reading it as the target's row and again as the
    /// record's, element by element, parsed every row twice: a quarter of the statement.)
    /// </summary>
    private static string Incoming(TableModel table, IEnumerable<ColumnModel> columns) =>
        string.Join(", ", columns.Select(c => PgSql.QuoteIdentifier(c.ColumnName) + " " + c.PgType)) +
        (table.VersionColumn is null ? string.Empty : ", " + Version + " " + VersionType(table)) +
        ", " + At + " timestamp with time zone, " + Origin + " text, " + PrevAt + " timestamp with time zone, " + PrevOrigin + " text, " + Op + " text";

    private static string Window(TableModel table) =>
        " WINDOW f AS (PARTITION BY " + Keys(table, "s") + " ORDER BY " + Descending(table, "s") + " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)";

    /// <summary>
    /// <c>k</c>: per key of the run, whether the change conflicts and of which kind, and whether the
    /// policy applies it (<c>pgsync_applies</c>; every name a step adds begins with the prefix no model
    /// column may have), with the stamp the destination holds (<c>q</c>, its record of row versions) and
    /// whether it holds the row (<c>t</c>), both as the statement's snapshot shows them, after <c>l</c> has
    /// locked the rows (<see cref="Settle"/> notices a write committed since). A change conflicts when
    /// the destination holds a stamp other than the one its first write in the run replaced on its own
    /// node (it did not see what is here: a concurrent write), or when what it expects is not there;
    /// the kinds are PostgreSQL 18's: insert_exists (an insert met a row, or the tombstone of a delete it
    /// did not see), update_missing (an update found no row), update_origin_differs (an update met a row
    /// another write made), and for deletes delete_missing and delete_origin_differs. A change made on top
    /// of what the destination holds (the usual back and forth of a pair) is no conflict. What applies it
    /// is the very rule the stamp write's guard repeats (<see cref="Guard"/>) against the record as it is
    /// then: the two agree unless a write committed after the snapshot, which then fails the run
    /// (<see cref="Settle"/>).
    /// </summary>
    private static string Classify(TableModel table, TargetModel target, string targetName, string record, bool deleted)
    {
        var found = "(t." + PgSql.QuoteIdentifier(table.KeyColumns[0]) + " IS NOT NULL)";
        var stamped = "(q." + At + " IS NOT NULL)";
        // seen: the destination holds the very stamp the change's first write replaced on its node.
        var seen = "(" + stamped + " AND (q." + At + ", q." + Origin + ") IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))";
        var concurrent = "(" + stamped + " AND NOT " + seen + ")";
        // A write that replaced no stamp on its node, or was an insert, made the key there: an insert.
        const string Inserted = "(d.pgsync_first_op = 'I' OR d.pgsync_first_prev_at IS NULL)";
        // Where the destination holds the row and no stamp for it, only an insert conflicts: an update or
        // delete that replaced no stamp either changed a row both nodes held before the install (neither
        // side has written it since), which is no conflict.
        var kind = deleted
            ? "CASE WHEN NOT " + found + " THEN CASE WHEN NOT (" + seen + " AND q." + Deleted + ") THEN 'delete_missing' END" +
              " WHEN " + concurrent + " THEN 'delete_origin_differs' END"
            : "CASE WHEN " + found + " THEN CASE WHEN " + concurrent + " OR (NOT " + stamped + " AND d.pgsync_first_op = 'I')" +
              " THEN CASE WHEN " + Inserted + " THEN 'insert_exists' ELSE 'update_origin_differs' END END" +
              " WHEN NOT " + Inserted + " AND NOT (" + seen + " AND q." + Deleted + ") THEN 'update_missing'" +
              // An insert that finds no row but a tombstone it did not replace: the key was written here meanwhile.
              " WHEN " + Inserted + " AND " + concurrent + " THEN 'insert_exists' END";
        // A copied row (CopyOp) is no change: it conflicts with nothing (and under LastWriterWins wins over the same stamp too).
        // A write the run holds after a copy of its key (both forwarded from one node) was made on top of
        // the copy's stamp: where the destination holds another, it crossed that write.
        var afterCopy = "CASE WHEN d.pgsync_written AND " + concurrent + " THEN CASE WHEN " + found + " THEN '" + (deleted ? "delete" : "update") + "_origin_differs' ELSE '" +
                        (deleted ? "delete" : "update") + "_missing' END END";
        var guard = "(NOT " + stamped + " OR " + Guard(table, target, "q", "d", "d.pgsync_first_prev_at", "d.pgsync_first_prev_origin", deleted) + ")";
        // KeepLocal: a delete that meets the tombstone of a delete of its own here (both nodes deleted the
        // key) keeps no local value by being refused, only a stamp: the later tombstone is kept on both
        // nodes (Guard), so that they agree on it and the key's next write is no conflict. Still logged.
        var applies = target.Conflicts switch
        {
            Conflicts.LastWriterWins => "j.pgsync_guard",
            Conflicts.KeepLocal when deleted => "((j.pgsync_kind IS NULL OR (j.pgsync_kind = 'delete_missing' AND j.pgsync_local_deleted)) AND j.pgsync_guard)",
            _ => "(j.pgsync_kind IS NULL AND j.pgsync_guard)",
        };
        return "k AS (SELECT j.*, " + applies + " AS pgsync_applies FROM (" +
               "SELECT d.*, CASE WHEN d.pgsync_first_op IS DISTINCT FROM '" + CopyOp + "' THEN " + kind + " ELSE " + afterCopy + " END AS pgsync_kind, " + guard + " AS pgsync_guard," +
               " q." + At + " AS pgsync_local_at, q." + Origin + " AS pgsync_local_origin, q." + Deleted + " AS pgsync_local_deleted" +
               (table.VersionColumn is null ? string.Empty : ", q." + Version + " AS pgsync_local_version") +
               " FROM d LEFT JOIN " + record + " AS q ON " + RemoteSql.KeyMatch(table, "q", "d") + " LEFT JOIN " + targetName + " AS t ON " + RemoteSql.KeyMatch(table, "t", "d") +
               " WHERE (SELECT pg_catalog.count(*) FROM l) >= 0) AS j)";
    }

    /// <summary>
    /// Whether the policy lets an incoming write (<paramref name="incoming"/>, the stamp its first write in
    /// the run replaced: <paramref name="prevAt"/>, <paramref name="prevOrigin"/>) replace the stamp
    /// <paramref name="held"/> the destination's record holds for its key. LastWriterWins: the greater
    /// stamp, or the same one sent by a copy (its previous stamp is its own: the destination drifted
    /// under that write). KeepLocal and Error: the write was made on top of the held stamp; KeepLocal, a
    /// delete (<paramref name="deleted"/>) over a tombstone also when its stamp is the greater (both nodes
    /// deleted the key: they keep the later tombstone alike).
    /// </summary>
    private static string Guard(TableModel table, TargetModel target, string held, string incoming, string prevAt, string prevOrigin, bool deleted) =>
        target.Conflicts == Conflicts.LastWriterWins
            ? "(" + Order(table, held) + " < " + Order(table, incoming) + " OR (" + Order(table, held) + " = " + Order(table, incoming) +
              " AND " + IsCopy(incoming, prevAt, prevOrigin) + "))"
            : "((" + held + "." + At + ", " + held + "." + Origin + ") IS NOT DISTINCT FROM (" + prevAt + ", " + prevOrigin + ")" +
              (target.Conflicts == Conflicts.KeepLocal && deleted
                  ? " OR (" + held + "." + Deleted + " AND " + Order(table, held) + " < " + Order(table, incoming) + ")"
                  : string.Empty) + ")";

    /// <summary>
    /// Error: <c>e</c> raises at the run's first conflict, failing the batch (the apply then stops its
    /// queue at that entry, its error recorded), before anything is written (<see cref="RaiseGate"/>).
    /// </summary>
    private static string Raise(TableModel table, TargetModel target) =>
        target.Conflicts == Conflicts.Error
            ? "e AS (SELECT " + CaptureSql.SchemaSlot + "." + PgSql.QuoteIdentifier(ConflictError) + "(" + PgSql.QuoteLiteral(target.Schema) + ", " + PgSql.QuoteLiteral(target.Table) +
              ", " + KeyText(table, "k") + ", k.pgsync_kind, k." + Origin + ") FROM k WHERE k.pgsync_kind IS NOT NULL LIMIT 1), "
            : string.Empty;

    private static string RaiseGate(TargetModel target) =>
        target.Conflicts == Conflicts.Error ? " AND (SELECT pg_catalog.count(*) FROM e) = 0" : string.Empty;

    /// <summary>
    /// After <c>ti</c> has written the target's rows (applied changes only): <c>p</c> locks, in key order,
    /// the stamps the snapshot showed for the run's keys (<c>k</c>'s <c>pgsync_local_*</c>) and tells which
    /// differ now (one committed since is invisible to the snapshot, and <c>w</c> meets it); <c>w</c> then
    /// writes the applied keys' stamps (LastWriterWins: a missing record is an incoming write's, as over a
    /// row no stamped write has touched), its ON CONFLICT guard the same rule as <c>pgsync_applies</c>
    /// (<see cref="Guard"/>) against the record as it is then. The row first, then its stamp, is the order
    /// a local writer takes (its capture stamps at the end of its statement): an apply that locked or wrote
    /// the stamp first deadlocked with a local insert of the same new key, caught between its row and its
    /// stamp. <c>x</c>: fails the batch with a serialization failure (the apply tries it again, with a new
    /// snapshot) when a write committed after the statement's snapshot: a stamp <c>p</c> locked that
    /// differs from the snapshot's, or one it did not find, or a key the rule applied that <c>w</c> did not
    /// write as the snapshot said it would (an update of the stamp the snapshot showed, an insert where it
    /// showed none). Each key is written at most once and <c>p</c> holds every stamp the snapshot showed, so
    /// the counts tell (a key is looked for only then, for the message). The steps that decided read the
    /// snapshot, so the batch must not stand then (a delete that wins over such a write would leave its row
    /// in place, under a tombstone; a row written in <c>ti</c> would keep a stamp it does not hold).
    /// </summary>
    private static string Settle(TableModel table, TargetModel target, string record, bool deleted)
    {
        var held = "(m." + At + ", m." + Origin + ", m." + Deleted + (table.VersionColumn is null ? string.Empty : ", m." + Version) + ")";
        var snapshot = "(k.pgsync_local_at, k.pgsync_local_origin, k.pgsync_local_deleted" + (table.VersionColumn is null ? string.Empty : ", k.pgsync_local_version") + ")";
        const string Count = "(SELECT pg_catalog.count(*) FROM ";
        var locked = Count + "p) <> " + Count + "k WHERE k.pgsync_local_at IS NOT NULL)";
        var written = Count + "w WHERE NOT w.pgsync_inserted) <> " + Count + "k WHERE k.pgsync_applies AND k.pgsync_local_at IS NOT NULL) OR " +
                      Count + "w WHERE w.pgsync_inserted) <> " + Count + "k WHERE k.pgsync_applies AND k.pgsync_local_at IS NULL)";
        return "p AS (SELECT " + Keys(table, "m") + ", " + held + " IS DISTINCT FROM " + snapshot + " AS pgsync_changed FROM k JOIN " + record + " AS m ON " + RemoteSql.KeyMatch(table, "m", "k") +
               " WHERE " + Count + "ti) >= 0 AND k.pgsync_local_at IS NOT NULL ORDER BY " + Keys(table, "m") + " FOR UPDATE OF m), " +
               "w AS (INSERT INTO " + record + " AS m (" + RecordColumns(table) + ", " + PrevAt + ", " + PrevOrigin + ") SELECT " + Keys(table, "d") +
               (table.VersionColumn is null ? string.Empty : ", d." + Version) + ", d." + At + ", d." + Origin + ", " + (deleted ? "true" : "false") +
               ", d.pgsync_first_prev_at, d.pgsync_first_prev_origin FROM k AS d WHERE " + Count + "p) >= 0 AND d.pgsync_applies" +
               " ON CONFLICT (" + string.Join(", ", table.KeyColumns.Select(PgSql.QuoteIdentifier)) +
               ") DO UPDATE SET " + (table.VersionColumn is null ? string.Empty : Version + " = EXCLUDED." + Version + ", ") +
               At + " = EXCLUDED." + At + ", " + Origin + " = EXCLUDED." + Origin + ", " + Deleted + " = " + (deleted ? "true" : "false") +
               ", " + PrevAt + " = EXCLUDED." + PrevAt + ", " + PrevOrigin + " = EXCLUDED." + PrevOrigin +
               " WHERE " + Guard(table, target, "m", "EXCLUDED", "EXCLUDED." + PrevAt, "EXCLUDED." + PrevOrigin, deleted) +
               " RETURNING " + Keys(table, "m") + ", (m.xmax = 0) AS pgsync_inserted), " +
               "x AS (SELECT " + CaptureSql.SchemaSlot + "." + PgSql.QuoteIdentifier(StaleRead) + "(" + PgSql.QuoteLiteral(target.Schema) + ", " + PgSql.QuoteLiteral(target.Table) +
               ", c.pgsync_key) FROM (SELECT " + KeyText(table, "p") + " AS pgsync_key FROM p WHERE p.pgsync_changed" +
               // (A stamp the snapshot showed that p did not find.)
               " UNION ALL SELECT " + KeyText(table, "k") + " FROM k WHERE " + locked + " AND k.pgsync_local_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM p WHERE " + RemoteSql.KeyMatch(table, "p", "k") + ")" +
               // (A key applied but not written as the snapshot said: updated where it showed no stamp, inserted where it showed one, or not written.)
               " UNION ALL SELECT " + KeyText(table, "k") + " FROM k WHERE (" + written + ") AND k.pgsync_applies AND NOT EXISTS (SELECT 1 FROM w WHERE " + RemoteSql.KeyMatch(table, "w", "k") +
               " AND w.pgsync_inserted = (k.pgsync_local_at IS NULL))) AS c LIMIT 1)";
    }

    /// <summary>
    /// The statement's last step, after <c>x</c> (so after every write): the run's conflicts, recorded in
    /// the destination's conflict log with both rows (capped; the destination's as the snapshot shows it,
    /// read for the conflicts only), both stamps, how they were resolved and the batch's queue entries.
    /// (Under Error none is left to record: <c>e</c> has failed the batch at the first one.)
    /// </summary>
    private static string Log(TableModel table, TargetModel target, string targetName, IEnumerable<ColumnModel> columns)
    {
        // The incoming row as it came, with its stamp (built for the conflicts only).
        var remoteRow = "(SELECT pg_catalog.row_to_json(r)::text FROM (SELECT " +
                        string.Join(", ", columns.Select(c => "k." + PgSql.QuoteIdentifier(c.ColumnName))) +
                        (table.VersionColumn is null ? string.Empty : ", k." + Version) +
                        ", k." + At + ", k." + Origin + ", k." + PrevAt + ", k." + PrevOrigin + ", k." + Op + ") AS r)";
        var localRow = "(SELECT pg_catalog.row_to_json(t)::text FROM " + targetName + " AS t WHERE " + RemoteSql.KeyMatch(table, "t", "k") + ")";
        var log = CaptureSql.SchemaSlot + "." + PgSql.QuoteIdentifier(SqlNames.ConflictLog);
        var cap = RowCap.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var resolution = target.Conflicts switch
        {
            Conflicts.LastWriterWins => "CASE WHEN k.pgsync_applies THEN 'apply_remote' ELSE 'keep_local' END",
            Conflicts.Error => "'error'",
            _ => "'keep_local'",
        };
        return "INSERT INTO " + log + " (nsp_name, table_name, key, kind, resolution, local_origin, local_at, local_row, remote_origin, remote_at, remote_row, entries)" +
               " SELECT " + PgSql.QuoteLiteral(target.Schema) + ", " + PgSql.QuoteLiteral(target.Table) + ", " + KeyText(table, "k") + ", k.pgsync_kind, " + resolution + "," +
               " k.pgsync_local_origin, k.pgsync_local_at, pg_catalog.left(" + localRow + ", " + cap + "), k." + Origin + ", k." + At + ", pg_catalog.left(" + remoteRow + ", " + cap + ")," +
               " pg_catalog.current_setting('pgsync.entries', true) FROM k WHERE k.pgsync_kind IS NOT NULL AND (SELECT pg_catalog.count(*) FROM x) = 0";
    }

    /// <summary>This node's origin (<c>pgsync.node</c>), as the capture's stamps and the restore's lowest stamps name it.</summary>
    private const string NodeOrigin = "(SELECT o.origin FROM " + CaptureSql.SchemaSlot + ".node AS o)";

    /// <summary>Whether a record row (<paramref name="alias"/>) was written by a copy: its previous stamp is its own (<see cref="CopyOp"/>).</summary>
    private static string IsCopy(string alias) => IsCopy(alias, alias + "." + PrevAt, alias + "." + PrevOrigin);

    /// <summary><see cref="IsCopy(string)"/> of a stamp (<paramref name="alias"/>) whose previous one is <paramref name="prevAt"/>, <paramref name="prevOrigin"/>.</summary>
    private static string IsCopy(string alias, string prevAt, string prevOrigin) =>
        "(" + prevAt + ", " + prevOrigin + ") IS NOT DISTINCT FROM (" + alias + "." + At + ", " + alias + "." + Origin + ")";

    /// <summary>The stamp as one row value that orders writes: (version, time, origin byte by byte).</summary>
    private static string Order(TableModel table, string alias) =>
        "(" + (table.VersionColumn is null ? string.Empty : alias + "." + Version + ", ") + alias + "." + At + ", " + alias + "." + Origin + " COLLATE pg_catalog.\"C\")";

    private static string Descending(TableModel table, string alias) =>
        (table.VersionColumn is null ? string.Empty : alias + "." + Version + " DESC, ") + alias + "." + At + " DESC, " + alias + "." + Origin + " COLLATE pg_catalog.\"C\" DESC";

    /// <summary>A key as text (its JSON object): how the conflict log and the errors name it.</summary>
    private static string KeyText(TableModel table, string alias) =>
        "pg_catalog.json_build_object(" + string.Join(", ", table.KeyColumns.Select(k => PgSql.QuoteLiteral(k) + ", " + alias + "." + PgSql.QuoteIdentifier(k))) + ")::text";

    private static string Keys(TableModel table, string alias) =>
        string.Join(", ", table.KeyColumns.Select(k => alias + "." + PgSql.QuoteIdentifier(k)));

    private static string RecordColumns(TableModel table) =>
        string.Join(", ", table.KeyColumns.Select(PgSql.QuoteIdentifier)) + (table.VersionColumn is null ? string.Empty : ", " + Version) +
        ", " + At + ", " + Origin + ", " + Deleted;

    private static string? VersionType(TableModel table) =>
        table.VersionColumn is null ? null : table.Columns.First(c => c.ColumnName == table.VersionColumn).PgType;

    /// <summary>Why a target cannot be resolved by stamps in this version, or null when it can.</summary>
    public static string? Problem(QueueMode mode, string? where, IEnumerable<string> columnNames)
    {
        if (mode != QueueMode.Async)
        {
            return "is " + mode + ": a Sync or Strict change is applied before its source transaction commits, and its repair after an abort writes unstamped rows; use Async";
        }

        if (where is not null)
        {
            return "has a Where filter: a row that leaves the filter is deleted on the target without a stamp";
        }

        foreach (var name in columnNames)
        {
            if (name.StartsWith(ReservedPrefix, System.StringComparison.Ordinal))
            {
                return "has a column named " + name + ": names that begin with " + ReservedPrefix + " are the row's stamp in its JSON";
            }
        }

        return null;
    }
}
