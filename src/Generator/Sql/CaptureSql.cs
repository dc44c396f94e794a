using System.Collections.Generic;
using System.Linq;
using System.Text;
using RoslynPgSync.Generator.Model;

namespace RoslynPgSync.Sql;

/// <summary>
/// Per source table: the statement-level capture function and its triggers, computed at build time.
/// The text contains <see cref="SchemaSlot"/> wherever the RoslynPgSync schema (chosen at run time,
/// <c>pgsync</c> by default) goes; no identifier, literal or filter can contain it, since none may
/// contain NUL.
/// </summary>
internal static class CaptureSql
{
    /// <summary>Stands for the quoted RoslynPgSync schema.</summary>
    public const string SchemaSlot = "\u0000schema\u0000";

    /// <summary>Stands for the quoted RoslynPgSync schema as a SQL string literal (see <see cref="Literal"/>).</summary>
    public const string SchemaLiteralSlot = "\u0000schema-literal\u0000";

    /// <summary>
    /// <paramref name="text"/> as a SQL string expression: a literal, or where the text names the
    /// RoslynPgSync schema (a LastWriterWins statement names its row versions), literals joined with
    /// the schema's own literal (<see cref="SchemaLiteralSlot"/>), so that no schema name, quotes and
    /// backslashes included, can end a literal early.
    /// </summary>
    public static string Literal(string text)
    {
        var parts = text.Split(new[] { SchemaSlot }, System.StringSplitOptions.None);
        return string.Join(" || " + SchemaLiteralSlot + " || ", parts.Select(PgSql.QuoteLiteral));
    }

    /// <summary>
    /// Creates (or replaces) the capture function and the four triggers: one queue entry per statement
    /// and destination, written in the writer's transaction.
    /// </summary>
    public static string Install(TableModel table)
    {
        var source = PgSql.QualifiedName(table.SourceSchema, table.SourceTable);
        var function = SchemaSlot + "." + PgSql.QuoteIdentifier(SqlNames.CaptureFunction(table.SourceSchema, table.SourceTable));
        var compact = table.Targets.Select(target => CompactStatements(table, target)).ToList();
        var body = Body(table, compact.Select(c => c.Key).ToList());
        var tag = PgSql.DollarTag(body);

        var sql = new StringBuilder();
        if (table.Targets.Any(ConflictSql.Resolves))
        {
            sql.Append(ConflictSql.CreateRecord(table, table.SourceSchema, table.SourceTable));
        }

        sql.Append("CREATE OR REPLACE FUNCTION ").Append(function).Append("()\n");
        // SECURITY DEFINER: only the installing role writes the queue, so writers need no rights on it
        // and cannot put SQL of their own into it (it runs on the destination).
        sql.Append("RETURNS trigger\nLANGUAGE plpgsql\nSECURITY DEFINER\n").Append(PinnedSettings(table)).Append("AS ").Append(tag).Append('\n');
        sql.Append(body);
        sql.Append(tag).Append(";\n");
        sql.Append("REVOKE ALL ON FUNCTION ").Append(function).Append("() FROM PUBLIC;\n");

        var triggers = new[]
        {
            ("INSERT", "REFERENCING NEW TABLE AS new_rows "),
            ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "),
            ("DELETE", "REFERENCING OLD TABLE AS old_rows "),
            ("TRUNCATE", string.Empty),
        };
        // Triggers are created only when missing: re-running the installer at every start must not
        // take an exclusive lock on a busy table (the function above is replaced in place).
        var regclass = PgSql.QuoteLiteral(source);
        sql.Append("DO ").Append(tag).Append("\nBEGIN\n");
        for (var i = 0; i < triggers.Length; i++)
        {
            var name = SqlNames.CaptureTriggers[i];
            sql.Append("    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = ").Append(regclass).Append("::pg_catalog.regclass AND tgname = ")
               .Append(PgSql.QuoteLiteral(name)).Append(") THEN\n");
            sql.Append("        CREATE TRIGGER ").Append(PgSql.QuoteIdentifier(name)).Append(" AFTER ").Append(triggers[i].Item1).Append(" ON ").Append(source)
               .Append(' ').Append(triggers[i].Item2).Append("FOR EACH STATEMENT EXECUTE FUNCTION ").Append(function).Append("();\n");
            sql.Append("    END IF;\n");
        }

        sql.Append("END\n").Append(tag).Append(";\n");

        // The remote statements compact entries (a single-row statement's) name by key, recorded where
        // the apply finds them; entries keep the key they were written with, so a reinstall that
        // changes a target leaves the entries queued before with the statements they were meant for.
        foreach (var (deletePrefix, deleteSuffix, upsertPrefix, upsertSuffix, key) in compact)
        {
            sql.Append("SELECT ").Append(SchemaSlot).Append('.').Append(PgSql.QuoteIdentifier(SqlNames.RegisterStatement)).Append('(')
               .Append(PgSql.QuoteLiteral(key)).Append(",\n    ")
               .Append(Literal(deletePrefix)).Append(", ").Append(Literal(deleteSuffix)).Append(",\n    ")
               .Append(Literal(upsertPrefix)).Append(", ").Append(Literal(upsertSuffix)).Append(");\n");
        }

        var restore = SchemaSlot + "." + PgSql.QuoteIdentifier(SqlNames.RestoreFunction(table.SourceSchema, table.SourceTable));
        sql.Append(Restore(table, restore));
        sql.Append("SELECT ").Append(SchemaSlot).Append('.').Append(PgSql.QuoteIdentifier(SqlNames.RegisterTable)).Append('(')
           .Append(PgSql.QuoteLiteral(table.SourceSchema)).Append(", ").Append(PgSql.QuoteLiteral(table.SourceTable)).Append(", ")
           .Append(PgSql.QuoteLiteral(SqlNames.RestoreFunction(table.SourceSchema, table.SourceTable))).Append(");\n");
        return sql.ToString();
    }

    /// <summary>Drops the triggers and the capture function; the table and its rows stay.</summary>
    public static string Uninstall(TableModel table)
    {
        var source = PgSql.QualifiedName(table.SourceSchema, table.SourceTable);
        var sql = new StringBuilder();
        foreach (var trigger in SqlNames.CaptureTriggers)
        {
            sql.Append("DROP TRIGGER IF EXISTS ").Append(PgSql.QuoteIdentifier(trigger)).Append(" ON ").Append(source).Append(";\n");
        }

        sql.Append("DROP FUNCTION IF EXISTS ").Append(SchemaSlot).Append('.')
           .Append(PgSql.QuoteIdentifier(SqlNames.CaptureFunction(table.SourceSchema, table.SourceTable))).Append("();\n");
        sql.Append("DROP FUNCTION IF EXISTS ").Append(SchemaSlot).Append('.')
           .Append(PgSql.QuoteIdentifier(SqlNames.RestoreFunction(table.SourceSchema, table.SourceTable))).Append("(text, text);\n");
        var tag = PgSql.DollarTag(table.SourceSchema + table.SourceTable);
        sql.Append("DO ").Append(tag).Append("\nBEGIN\n    PERFORM ").Append(SchemaSlot).Append('.').Append(PgSql.QuoteIdentifier(SqlNames.UnregisterTable))
           .Append('(').Append(PgSql.QuoteLiteral(table.SourceSchema)).Append(", ").Append(PgSql.QuoteLiteral(table.SourceTable))
           .Append(");\nEXCEPTION WHEN undefined_function OR invalid_schema_name THEN\n    NULL; -- (never installed)\nEND\n").Append(tag).Append(";\n");
        return sql.ToString();
    }

    /// <param name="statementKeys">Per target, in order, the key its compact entries name its statements by.</param>
    private static string Body(TableModel table, List<string> statementKeys)
    {
        var b = new StringBuilder();
        var stamped = table.Targets.Any(ConflictSql.Resolves);
        var forwards = table.Targets.Any(t => t.Forward);
        b.Append("DECLARE\n    v_rows refcursor;\n    v_single boolean;\n    v_gone text;\n    v_row text;\n    v_key text;\n    v_late text;\n    v_now text;\n");
        if (stamped)
        {
            b.Append("    v_origin text;\n    v_entry_bytes text;\n");
        }

        if (forwards)
        {
            b.Append("    v_path text; -- the nodes a change applied here has been through (NULL: this node's own write)\n");
        }

        b.Append("BEGIN\n");
        if (stamped)
        {
            // A TRUNCATE empties every node whatever was written there since, and leaves the row versions
            // claiming rows that are gone: it cannot be resolved against other nodes' writes, so it is
            // refused in every session, this node's own and the apply's of another node's (before anything
            // changed: the trigger's error rolls it back).
            b.Append("    IF TG_OP = 'TRUNCATE' THEN\n");
            b.Append("        RAISE EXCEPTION 'RoslynPgSync: TRUNCATE of %.% is refused: it declares a conflict policy, and a TRUNCATE cannot be resolved against the writes of the other nodes', ")
             .Append(PgSql.QuoteLiteral(PgSql.QuoteIdentifier(table.SourceSchema))).Append(", ").Append(PgSql.QuoteLiteral(PgSql.QuoteIdentifier(table.SourceTable)))
             .Append("\n            USING ERRCODE = 'feature_not_supported', HINT = 'DELETE the rows instead: each delete is stamped and replicated. A node that sends it a TRUNCATE must declare the same Conflicts policy, which refuses TRUNCATE there too.';\n");
            b.Append("    END IF;\n\n");
        }

        b.Append("    -- A session that applies replicated changes carries ").Append(SqlNames.OriginSetting).Append(": never send them back.\n");
        b.Append("    -- Honoured only in sessions of the installing role (this function's owner) or its members: any\n");
        b.Append("    -- session may set the setting, and another role's writes are captured whatever it says.\n");
        // (COALESCE: false, not NULL, where the setting is absent, so that the role check is not evaluated.)
        b.Append("    IF COALESCE(pg_catalog.current_setting('").Append(SqlNames.OriginSetting)
         .Append("', true), '') <> '' AND pg_catalog.pg_has_role(SESSION_USER, CURRENT_USER, 'MEMBER') THEN\n");
        if (stamped)
        {
            b.Append(ConflictSql.RefuseUnstamped(table, "        "));
        }

        if (forwards)
        {
            // Cascade: the change goes on to the forwarding destinations only, never to a node on its path
            // (the apply that brought it set the path, with the same trust as the origin).
            b.Append("        -- Applied from another node: on to the destinations that forward it (Forward), none on its path.\n");
            b.Append("        v_path := COALESCE(pg_catalog.current_setting('").Append(SqlNames.PathSetting).Append("', true), '');\n");
            // Two guards that need no knowledge of the other nodes: a change that has been through this node
            // already (a ring whose nodes have not learned each other's identities yet) goes nowhere again, and
            // neither does one whose session names no path (a sender that does not say where the change has
            // been, or an operator's session that set the origin to keep its writes here): either could loop.
            b.Append("        -- Been through this node already, or its path unknown: not forwarded (it could loop).\n");
            b.Append("        IF v_path = '' OR (SELECT i.identity FROM ").Append(SchemaSlot)
             .Append(".node_identity AS i) = ANY (pg_catalog.string_to_array(v_path, ',')) THEN\n            RETURN NULL;\n        END IF;\n    END IF;\n\n");
        }
        else
        {
            b.Append("        RETURN NULL;\n    END IF;\n\n");
        }

        if (!stamped)
        {
            b.Append("    IF TG_OP = 'TRUNCATE' THEN\n");
            foreach (var target in table.Targets)
            {
                if (forwards)
                {
                    b.Append("        IF ").Append(Sends(target)).Append(" THEN\n    ");
                }

                b.Append("        ").Append(QueueInsert(table, target, PgSql.QuoteLiteral(RemoteSql.Truncate(target)), "0", "NULL", forwards)).Append('\n');
                if (forwards)
                {
                    b.Append("        END IF;\n");
                }
            }

            b.Append("        RETURN NULL;\n    END IF;\n\n");
        }

        b.Append(RefuseLateCapture(table));

        // A statement of at most one row (most OLTP writes) reads its row here and queues it through
        // enqueue_change as compact entries: the key that left and the row, as JSON, with the key of
        // the statements they go into (no SQL text built per row, no cursor, no row loop).
        // (Whether a second row exists: a bare scan that stops there, FOUND its answer. A count over the
        // first two, as this was before, costs an aggregate's start-up, about a twentieth of the capture.)
        b.Append("    -- One row or none: read here, queued as compact entries (enqueue_change).\n");
        b.Append("    IF TG_OP = 'DELETE' THEN\n        PERFORM FROM old_rows OFFSET 1 LIMIT 1;\n");
        b.Append("    ELSE\n        PERFORM FROM new_rows OFFSET 1 LIMIT 1;\n    END IF;\n");
        b.Append("    v_single := NOT FOUND;\n");
        if (stamped && forwards)
        {
            // A forwarded change keeps the stamp its apply recorded (the origin's): only this node's writes are stamped.
            b.Append("\n    IF v_path IS NULL THEN\n").Append(ConflictSql.Stamp(table, "        ")).Append("    END IF;\n");
        }
        else if (stamped)
        {
            b.Append('\n').Append(ConflictSql.Stamp(table, "    "));
        }

        var columns = string.Join(", ", table.Columns.Select(c => RemoteSql.CaptureColumn(c, "n")));
        var oldKeys = string.Join(", ", table.KeyColumns.Select(k => RemoteSql.CaptureKey(table, k, "o")));
        for (var t = 0; t < table.Targets.Count; t++)
        {
            var target = table.Targets[t];
            var filter = target.Where is null ? null : "(" + target.Where + ")";
            var resolves = ConflictSql.Resolves(target);
            var (upsertPrefix, upsertSuffix) = resolves ? ConflictSql.Upsert(table, target) : RemoteSql.Upsert(table, target);
            var (deletePrefix, deleteSuffix) = resolves ? ConflictSql.Delete(table, target) : RemoteSql.DeleteKeys(table, target);
            // LastWriterWins: each row and key carries its stamp from the row versions (ConflictSql).
            var stamp = resolves ? ConflictSql.StampColumns(table) : string.Empty;
            var newJoin = resolves ? ConflictSql.StampJoin(table, "n") : string.Empty;
            var oldJoin = resolves ? ConflictSql.StampJoin(table, "o") : string.Empty;
            b.Append("\n    -- ").Append(target.Server).Append(" → ").Append(target.Schema).Append('.').Append(target.Table)
             .Append(" (").Append(target.Mode).Append(')').Append(filter is null ? string.Empty : " where " + target.Where).Append('\n');
            // The statement's rows, read by enqueue_rows one at a time into entries of bounded size: phase 0 the keys
            // the destination deletes, phase 1 the rows it upserts. Sync and Strict entries are sent before the
            // writer's commit is certain: they carry the keys they touch, which the destination records with
            // them, so that the keys of a transaction that then aborts can be restored from the source.
            // The new rows that match, as JSON with (Sync/Strict) each one's key: for the cursor and for the row read here.
            var rowAndKey = "pg_catalog.row_to_json(r)::text, " + (target.Mode.SentAtCommit() ? KeyObject(table, "r") + "::text" : "NULL::text");
            var newRows = " FROM (SELECT " + columns + stamp + " FROM new_rows AS n" + newJoin + (filter is null ? string.Empty : " WHERE " + filter) + ") AS r";
            var upserts = "SELECT 1, " + rowAndKey + newRows;
            const string Deletes = "SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT ";
            var row = "SELECT " + rowAndKey + " INTO v_row, v_key" + newRows;
            const string Gone = "SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT ";
            if (forwards)
            {
                b.Append("    IF NOT (").Append(Sends(target)).Append(") THEN\n        NULL; -- (applied from another node: not forwarded here)\n    ELSIF v_single THEN\n");
            }
            else
            {
                b.Append("    IF v_single THEN\n");
            }

            b.Append("        v_gone := NULL;\n        v_row := NULL;\n        v_key := NULL;\n");
            b.Append("        IF TG_OP = 'INSERT' THEN\n            ").Append(row).Append(";\n");
            b.Append("        ELSIF TG_OP = 'UPDATE' THEN\n");
            b.Append("            ").Append(Gone).Append(oldKeys).Append(stamp)
             .Append(" FROM old_rows AS o").Append(oldJoin).Append(" WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE ").Append(RemoteSql.KeyMatch(table, "n", "o"))
             .Append(filter is null ? string.Empty : " AND " + filter).Append(")) AS r;\n");
            b.Append("            ").Append(row).Append(";\n");
            b.Append("        ELSE\n            ").Append(Gone).Append(oldKeys).Append(stamp)
             .Append(" FROM old_rows AS o").Append(oldJoin).Append(filter is null ? string.Empty : " WHERE " + filter).Append(") AS r;\n");
            b.Append("        END IF;\n");
            b.Append("        PERFORM ").Append(SchemaSlot).Append('.').Append(PgSql.QuoteIdentifier(SqlNames.EnqueueChange)).Append('(')
             .Append(PgSql.QuoteLiteral(table.SourceSchema)).Append(", ").Append(PgSql.QuoteLiteral(table.SourceTable)).Append(", ")
             .Append(PgSql.QuoteLiteral(target.Server)).Append(", ").Append(PgSql.QuoteLiteral(target.Channel)).Append(", '").Append(target.Mode.Code()).Append("', ")
             .Append(PgSql.QuoteLiteral(statementKeys[t])).Append(", v_gone, v_row, v_key, ").Append(forwards ? "v_path" : "NULL").Append(");\n");
            b.Append("    ELSE\n");
            b.Append("        IF TG_OP = 'INSERT' THEN\n            OPEN v_rows FOR ").Append(upserts).Append(";\n");
            b.Append("        ELSIF TG_OP = 'UPDATE' THEN\n");
            b.Append("            -- Keys that left (the key changed, or the row no longer matches the filter), then the rows.\n");
            b.Append("            -- (UNION ALL reads its branches in order.)\n");
            b.Append("            OPEN v_rows FOR ").Append(Deletes).Append(oldKeys).Append(stamp)
             .Append(" FROM old_rows AS o").Append(oldJoin).Append(" WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE ").Append(RemoteSql.KeyMatch(table, "n", "o"))
             .Append(filter is null ? string.Empty : " AND " + filter).Append(")) AS r\n                UNION ALL ").Append(upserts).Append(";\n");
            b.Append("        ELSE\n            OPEN v_rows FOR ").Append(Deletes).Append(oldKeys).Append(stamp)
             .Append(" FROM old_rows AS o").Append(oldJoin).Append(filter is null ? string.Empty : " WHERE " + filter).Append(") AS r;\n");
            b.Append("        END IF;\n");
            if (resolves)
            {
                // Entries of at most ConflictSql.EntryBytes of rows each, so that the destination resolves
                // about a thousand rows per statement (the session's own pgsync.entry_bytes comes back after).
                b.Append("        v_entry_bytes := pg_catalog.current_setting('pgsync.entry_bytes', true);\n");
                b.Append("        PERFORM pg_catalog.set_config('pgsync.entry_bytes', '").Append(ConflictSql.EntryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("', true);\n");
            }

            b.Append("        PERFORM ").Append(SchemaSlot).Append('.').Append(PgSql.QuoteIdentifier(SqlNames.EnqueueRows)).Append('(')
             .Append(PgSql.QuoteLiteral(table.SourceSchema)).Append(", ").Append(PgSql.QuoteLiteral(table.SourceTable)).Append(", ")
             .Append(PgSql.QuoteLiteral(target.Server)).Append(", ").Append(PgSql.QuoteLiteral(target.Channel)).Append(", '").Append(target.Mode.Code()).Append("',\n            ")
             .Append(Literal(deletePrefix)).Append(", ").Append(Literal(deleteSuffix)).Append(",\n            ")
             .Append(Literal(upsertPrefix)).Append(", ").Append(Literal(upsertSuffix)).Append(", v_rows, ").Append(forwards ? "v_path" : "NULL").Append(");\n");
            if (resolves)
            {
                b.Append("        PERFORM pg_catalog.set_config('pgsync.entry_bytes', COALESCE(v_entry_bytes, ''), true);\n");
            }

            b.Append("    END IF;\n");
        }

        b.Append("    RETURN NULL;\nEND\n");
        return b.ToString();
    }

    /// <summary>
    /// The capture's refusal of a statement whose rows another write changed again before this capture ran,
    /// in the same top-level statement. A statement's capture runs when it ends, and queues its changes
    /// then; two writes of one key in one statement can end the other way round: a data-modifying WITH
    /// that the statement reads only in part ends after it (EXISTS, LIMIT), and a write made by a trigger
    /// of the statement (an AFTER ROW trigger that writes the table again) ends before it. The later write
    /// was then queued first, and the destination would end at the earlier one (a row deleted that the
    /// source holds, a value the source overwrote), with no error. So a capture that is not the first of
    /// the table in its top-level statement (the only one that can come late: a marker in a
    /// transaction-local setting, the statement's start time) checks that the table still holds its rows
    /// as it wrote them, and its deleted keys not at all; where it does not, the statement fails, naming the
    /// table and the key, before anything of it commits. (One made in the right order passes the check:
    /// nothing has written its rows since.)
    /// </summary>
    private static string RefuseLateCapture(TableModel table)
    {
        var source = PgSql.QualifiedName(table.SourceSchema, table.SourceTable);
        var setting = PgSql.QuoteLiteral("pgsync." + SqlNames.CaptureFunction(table.SourceSchema, table.SourceTable));
        const string Now = "(EXTRACT(epoch FROM pg_catalog.statement_timestamp()))::text";
        string Present(string alias, bool same) =>
            "EXISTS (SELECT 1 FROM " + source + " AS t WHERE " + RemoteSql.KeyMatch(table, "t", alias) + (same ? " AND t OPERATOR(pg_catalog.*=) " + alias : string.Empty) + ")";
        string Key(string alias) => KeyObject(table, alias) + "::text";
        var gone = "SELECT " + Key("o") + " INTO v_late FROM old_rows AS o WHERE ";
        var b = new StringBuilder();
        b.Append("    -- A capture that can come late (not the table's first in this statement) checks nothing wrote its rows since (RefuseLateCapture).\n");
        b.Append("    v_now := ").Append(Now).Append(";\n");
        b.Append("    IF pg_catalog.current_setting(").Append(setting).Append(", true) IS DISTINCT FROM v_now THEN\n");
        b.Append("        PERFORM pg_catalog.set_config(").Append(setting).Append(", v_now, true);\n");
        b.Append("    ELSE\n");
        b.Append("        IF TG_OP = 'DELETE' THEN\n");
        b.Append("            ").Append(gone).Append(Present("o", false)).Append(" LIMIT 1;\n");
        b.Append("        ELSE\n");
        b.Append("            SELECT ").Append(Key("n")).Append(" INTO v_late FROM new_rows AS n WHERE NOT ").Append(Present("n", true)).Append(" LIMIT 1;\n");
        b.Append("            IF v_late IS NULL AND TG_OP = 'UPDATE' THEN\n");
        b.Append("                ").Append(gone).Append("NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE ").Append(RemoteSql.KeyMatch(table, "n", "o")).Append(") AND ").Append(Present("o", false)).Append(" LIMIT 1;\n");
        b.Append("            END IF;\n");
        b.Append("        END IF;\n");
        b.Append("        IF v_late IS NOT NULL THEN\n");
        b.Append("            RAISE EXCEPTION 'RoslynPgSync: a statement wrote the row of %.% with key %, and another write in the same statement changed it again before its capture ran: their changes would be replicated in the wrong order; refused', ")
         .Append(PgSql.QuoteLiteral(PgSql.QuoteIdentifier(table.SourceSchema))).Append(", ").Append(PgSql.QuoteLiteral(PgSql.QuoteIdentifier(table.SourceTable))).Append(", v_late\n");
        b.Append("                USING ERRCODE = 'feature_not_supported', HINT = 'Write the row once per statement: run a data-modifying WITH that writes it as a statement of its own, or read all of its RETURNING rows; make a trigger that changes the row a BEFORE ROW trigger that sets NEW.';\n");
        b.Append("        END IF;\n");
        b.Append("    END IF;\n\n");
        return b.ToString();
    }

    /// <summary>A target's statements for compact entries (the delete, and the upsert where a key may come more than once), and their key.</summary>
    private static (string DeletePrefix, string DeleteSuffix, string UpsertPrefix, string UpsertSuffix, string Key) CompactStatements(TableModel table, TargetModel target)
    {
        var resolves = ConflictSql.Resolves(target);
        var (deletePrefix, deleteSuffix) = resolves ? ConflictSql.Delete(table, target) : RemoteSql.DeleteKeys(table, target);
        var (upsertPrefix, upsertSuffix) = resolves ? ConflictSql.Upsert(table, target) : RemoteSql.UpsertLatest(table, target);
        return (deletePrefix, deleteSuffix, upsertPrefix, upsertSuffix,
                SqlNames.StatementKey(target.Table, deletePrefix, deleteSuffix, upsertPrefix, upsertSuffix));
    }

    /// <summary>
    /// One entry, through the runtime's entry point <c>enqueue</c> (the capture knows its signature and
    /// nothing of the queue's tables): Async ones go into the queue, waking the replay worker at commit;
    /// Sync and Strict ones wait under their transaction for the flush at its commit.
    /// </summary>
    /// <param name="keysExpression">Sync/Strict: the JSON array of the keys the entry touches (NULL: the whole table).</param>
    /// <param name="forwards">Whether the table forwards: the entry carries <c>v_path</c>.</param>
    private static string QueueInsert(TableModel table, TargetModel target, string queryExpression, string rowCountExpression, string keysExpression, bool forwards) =>
        "PERFORM " + SchemaSlot + "." + PgSql.QuoteIdentifier(SqlNames.Enqueue) + "(" +
        PgSql.QuoteLiteral(table.SourceSchema) + ", " + PgSql.QuoteLiteral(table.SourceTable) + ", " + PgSql.QuoteLiteral(target.Server) + ", " +
        PgSql.QuoteLiteral(target.Channel) + ", '" +
        target.Mode.Code() + "', " + rowCountExpression + ", " + queryExpression + ", " +
        (target.Mode.SentAtCommit() ? keysExpression : "NULL") + ", " + (forwards ? "v_path" : "NULL") + ");";

    /// <summary>
    /// In the capture of a table that forwards: whether this statement's rows go to <paramref name="target"/>. This node's
    /// own writes go everywhere; a change applied from another node (<c>v_path</c> set) only to a forwarding target whose
    /// identity (<c>peer</c>, learned at install) is not on the change's path.
    /// </summary>
    private static string Sends(TargetModel target) =>
        target.Forward
            ? "v_path IS NULL OR NOT COALESCE((SELECT p.identity FROM " + SchemaSlot + ".peer AS p WHERE p.dst_server = " + PgSql.QuoteLiteral(target.Server) +
              ") = ANY (pg_catalog.string_to_array(v_path, ',')), false)"
            : "v_path IS NULL";

    /// <summary><c>pg_catalog.json_build_object('k1', a."k1", ...)</c>: a row's key as the JSON object keys travel as.</summary>
    /// (<paramref name="alias"/> is the capture's row, where json and jsonb columns travel as their text:
    /// a json or jsonb key goes back to its JSON value, as the restore function reads keys.)
    private static string KeyObject(TableModel table, string alias) =>
        "pg_catalog.json_build_object(" + string.Join(", ", table.KeyColumns.Select(k =>
        {
            var value = alias + "." + PgSql.QuoteIdentifier(k);
            var json = table.Columns.Any(c => c.ColumnName == k && RemoteSql.IsJson(c.PgType));
            return PgSql.QuoteLiteral(k) + ", " + (json ? "(" + value + ")::pg_catalog.json" : value);
        })) + ")";

    /// <summary>
    /// The SET clauses of the functions that write a table's rows as text (the capture, in the writer's
    /// session, and the restore): the search path, and the settings that change how values print, so
    /// that the destination reads what the source holds whatever the writer's session set. A session
    /// with extra_float_digits below 1 rounded doubles; IntervalStyle sql_standard prints intervals
    /// other parsers read differently; for the types whose JSON is their text form
    /// (<see cref="PgTypeNames.PrintsAlikeInEverySession"/>: date ranges, money, types we do not know),
    /// DateStyle <c>SQL, DMY</c> printed 1 February as 2 January to an MDY reader and lc_monetary
    /// printed money the destination refused. (The destination's apply pins the same settings for
    /// reading: remote_begin.) DateStyle and lc_monetary cost about 0.3 µs each per captured
    /// statement, and only tables with such a column pin them (docs/type-mapping.md).
    /// </summary>
    internal static string PinnedSettings(TableModel table) =>
        "SET search_path = pg_catalog, pg_temp\nSET extra_float_digits = 3\nSET IntervalStyle = postgres\n" +
        (table.Columns.All(c => PgTypeNames.PrintsAlikeInEverySession(c.PgType)) ? string.Empty : "SET DateStyle = 'ISO, MDY'\nSET lc_monetary = 'C'\n");

    /// <summary>
    /// The table's restore function: for a destination server and a JSON array of keys (NULL: the whole
    /// table), the remote SQL that makes those keys of each of the server's targets equal to the source's
    /// current rows (present and matching the filter: upserted; otherwise: deleted). Used when a
    /// transaction whose Sync/Strict changes reached the destination aborted. The caller holds a SHARE
    /// lock on the table, so the rows read are the last committed ones.
    /// </summary>
    private static string Restore(TableModel table, string function)
    {
        var source = PgSql.QualifiedName(table.SourceSchema, table.SourceTable);
        var columns = string.Join(", ", table.Columns.Select(c => RemoteSql.CaptureColumn(c, "n")));
        var oldKeys = string.Join(", ", table.KeyColumns.Select(k => RemoteSql.CaptureKey(table, k, "o")));
        var b = new StringBuilder();
        b.Append("DECLARE\n    v_rows text;\n    v_gone text;\n    v_part text;\n    v_sql text;\nBEGIN\n");
        foreach (var target in table.Targets)
        {
            if (ConflictSql.Resolves(target))
            {
                RestoreStamped(b, table, target, source, columns);
                continue;
            }

            var filter = target.Where is null ? null : "(" + target.Where + ")";
            var (upsertPrefix, upsertSuffix) = RemoteSql.Upsert(table, target);
            var (deletePrefix, deleteSuffix) = RemoteSql.DeleteKeys(table, target);
            b.Append("    IF p_dst = ").Append(PgSql.QuoteLiteral(target.Server)).Append(" THEN\n");
            b.Append("        IF p_keys IS NULL THEN\n");
            b.Append("            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT ").Append(columns).Append(" FROM ").Append(source)
             .Append(" AS n").Append(filter is null ? string.Empty : " WHERE " + filter).Append(") AS r;\n");
            b.Append("            v_part := ").Append(PgSql.QuoteLiteral(RemoteSql.Truncate(target))).Append(";\n");
            b.Append("        ELSE\n");
            b.Append("            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT ").Append(columns).Append(" FROM ").Append(source)
             .Append(" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::").Append(source).Append(", p_keys::json) AS o WHERE ")
             .Append(RemoteSql.KeyMatch(table, "n", "o")).Append(')').Append(filter is null ? string.Empty : " AND " + filter).Append(") AS r;\n");
            b.Append("            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT DISTINCT ").Append(oldKeys)
             .Append(" FROM pg_catalog.json_populate_recordset(NULL::").Append(source).Append(", p_keys::json) AS o WHERE NOT EXISTS (SELECT 1 FROM ")
             .Append(source).Append(" AS n WHERE ").Append(RemoteSql.KeyMatch(table, "n", "o")).Append(filter is null ? string.Empty : " AND " + filter).Append(")) AS r;\n");
            b.Append("            v_part := NULL;\n");
            b.Append("            IF v_gone IS NOT NULL THEN\n                v_part := ").Append(PgSql.QuoteLiteral(deletePrefix))
             .Append(" || pg_catalog.quote_literal(v_gone) || ").Append(PgSql.QuoteLiteral(deleteSuffix)).Append(";\n            END IF;\n");
            b.Append("        END IF;\n");
            b.Append("        IF v_rows IS NOT NULL THEN\n            v_part := pg_catalog.concat_ws(E';\\n', v_part, ").Append(PgSql.QuoteLiteral(upsertPrefix))
             .Append(" || pg_catalog.quote_literal(v_rows) || ").Append(PgSql.QuoteLiteral(upsertSuffix)).Append(");\n        END IF;\n");
            b.Append("        v_sql := pg_catalog.concat_ws(E';\\n', v_sql, v_part);\n");
            b.Append("    END IF;\n");
        }

        b.Append("    RETURN v_sql;\nEND\n");
        var body = b.ToString();
        var tag = PgSql.DollarTag(body);
        return "CREATE OR REPLACE FUNCTION " + function + "(p_dst text, p_keys text)\nRETURNS text\nLANGUAGE plpgsql\nSECURITY DEFINER\n" +
               // (Row security off: rows a policy would hide fail the restore instead of going missing from it.)
               PinnedSettings(table) + "SET row_security = off\n" + "AS " + tag + "\n" + body + tag + ";\n" +
               "REVOKE ALL ON FUNCTION " + function + "(text, text) FROM PUBLIC;\n";
    }

    /// <summary>
    /// The restore of a target whose conflicts are detected (<see cref="ConflictSql"/>): the rows go with
    /// the stamps the source holds for them (rows no write has stamped get this node's lowest stamp
    /// first, <see cref="ConflictSql.RecordUnstamped"/>), through the target's stamped upsert, and the keys
    /// the source lacks only as the tombstones it holds for them, through the stamped delete; so a copy or
    /// a repair never undoes a newer write on the destination, and the destination's record ends with the
    /// stamps its rows came with. No TRUNCATE for the whole table: it could not be resolved (the rows only
    /// the destination holds stay, as its own writes do; they reach the source through its queue). Such a
    /// target has no Where filter (PGSYNC020).
    /// </summary>
    private static void RestoreStamped(StringBuilder b, TableModel table, TargetModel target, string source, string columns)
    {
        var record = ConflictSql.RecordName(table.SourceSchema, table.SourceTable);
        var (upsertPrefix, upsertSuffix) = ConflictSql.Upsert(table, target);
        var (deletePrefix, deleteSuffix) = ConflictSql.Delete(table, target);
        var stamp = ConflictSql.RestoreStampColumns(table);
        var rowStamp = ConflictSql.RestoreRowStampColumns(table);
        // (Not in a read-only transaction, a dry run's: what it would send is the same, recorded or not.)
        const string Writable = "IF pg_catalog.current_setting('transaction_read_only') = 'off' THEN\n                ";
        var keys = string.Join(", ", table.KeyColumns.Select(k => "v." + PgSql.QuoteIdentifier(k)));
        // The keys asked for (p_keys), matched to a row or record under alias.
        string Asked(string alias) =>
            "EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::" + source + ", p_keys::json) AS o WHERE " + RemoteSql.KeyMatch(table, alias, "o") + ")";
        b.Append("    IF p_dst = ").Append(PgSql.QuoteLiteral(target.Server)).Append(" THEN\n");
        b.Append("        -- Conflicts are detected on ").Append(target.Server).Append(": every row and tombstone goes with its stamp.\n");
        // The whole table (p_keys NULL), then the keys asked for: the same three steps, filtered or not.
        foreach (var whole in new[] { true, false })
        {
            b.Append(whole ? "        IF p_keys IS NULL THEN\n" : "        ELSE\n");
            b.Append("            ").Append(Writable).Append(ConflictSql.RecordUnstamped(table, whole ? string.Empty : Asked("n"))).Append(";\n            END IF;\n");
            b.Append("            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT ").Append(columns).Append(rowStamp).Append(" FROM ").Append(source)
             .Append(" AS n").Append(ConflictSql.StampLeftJoin(table, "n")).Append(whole ? string.Empty : " WHERE " + Asked("n")).Append(") AS r;\n");
            b.Append("            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT ").Append(keys).Append(stamp).Append(" FROM ").Append(record)
             .Append(" AS v WHERE v.").Append(ConflictSql.Deleted).Append(whole ? string.Empty : " AND " + Asked("v")).Append(" AND NOT EXISTS (SELECT 1 FROM ").Append(source)
             .Append(" AS n WHERE ").Append(RemoteSql.KeyMatch(table, "n", "v")).Append(")) AS r;\n");
        }

        b.Append("        END IF;\n");
        b.Append("        v_part := NULL;\n");
        b.Append("        IF v_gone IS NOT NULL THEN\n            v_part := ").Append(Literal(deletePrefix))
         .Append(" || pg_catalog.quote_literal(v_gone) || ").Append(Literal(deleteSuffix)).Append(";\n        END IF;\n");
        b.Append("        IF v_rows IS NOT NULL THEN\n            v_part := pg_catalog.concat_ws(E';\\n', v_part, ").Append(Literal(upsertPrefix))
         .Append(" || pg_catalog.quote_literal(v_rows) || ").Append(Literal(upsertSuffix)).Append(");\n        END IF;\n");
        b.Append("        v_sql := pg_catalog.concat_ws(E';\\n', v_sql, v_part);\n");
        b.Append("    END IF;\n");
    }

}
