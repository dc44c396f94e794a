-- The entry points the generated capture functions write through: enqueue (one entry, for one
-- destination, of the statement being captured) and enqueue_rows (a statement's rows, as entries
-- of bounded size). Capture code knows these signatures and nothing of the tables behind them, so
-- that a later runtime can change the queue without applications being rebuilt.
-- p_mode: 'a' Async (into the queue; the replay worker is woken at commit), 's' Sync or 't' Strict
-- (into sync_pending under the writer's top-level transaction, sent by flush_at_commit).
-- p_keys: Sync/Strict, the JSON array of the keys the entry touches (NULL: the whole table).
-- Each entry carries its source transaction (xact_id, the column's default for Async; given for
-- Sync/Strict), which the apply follows so that a batch takes the transaction whole
-- (0006_xact_closure.sql).
-- Called by the capture functions, which run as the installing role; nobody else may call them.
-- No SET search_path: they are not SECURITY DEFINER, their callers (SECURITY DEFINER capture
-- functions) have pinned the path already, and every name in them is qualified; a SET clause would
-- cost every captured statement a configuration save and restore.
-- p_channel: the stream within the destination ('' its default channel, see 0005_channels.sql).
-- p_path: a forwarded change's path (0008_forwarding.sql); NULL for this node's own writes.
-- A transaction that queues an entry commits durably: with synchronous_commit = off (any session, role
-- or database may set it) its commit returns before its WAL reaches the disk, the replay may apply
-- its entries meanwhile, and a crash of the source then loses a commit the destination keeps. So
-- an entry queued while it is off sets synchronous_commit = on for the rest of the transaction
-- (SET LOCAL; other values flush the commit locally already and are kept), and records the
-- transaction in durable_mark (once), whose deferred trigger sets it again at the commit: a write
-- inside a function declared with its own SET synchronous_commit sees its SET LOCAL undone when that
-- function returns (0011_durable_mark.sql). A transaction that sets it off again after its last
-- replicated write, while it was on then, is not covered (docs/how-it-works.md, Known limits).
CREATE OR REPLACE FUNCTION @schema@.durable_commit()
RETURNS void
LANGUAGE plpgsql
AS $pgsync$
BEGIN
    IF pg_catalog.current_setting('synchronous_commit') OPERATOR(pg_catalog.=) 'off' THEN
        PERFORM pg_catalog.set_config('synchronous_commit', 'on', true);
        INSERT INTO @schema@.durable_mark (xact_id) VALUES (pg_catalog.pg_current_xact_id()) ON CONFLICT DO NOTHING;
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.durable_commit() FROM PUBLIC;

-- durable_mark's deferred trigger: at the commit of a transaction durable_commit recorded, its commit
-- is made durable (set where no function's SET clause is in force), and the record goes.
CREATE OR REPLACE FUNCTION @schema@.durable_at_commit()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    IF pg_catalog.current_setting('synchronous_commit') OPERATOR(pg_catalog.=) 'off' THEN
        PERFORM pg_catalog.set_config('synchronous_commit', 'on', true);
    END IF;
    DELETE FROM @schema@.durable_mark AS m WHERE m.xact_id = NEW.xact_id;
    RETURN NULL;
END
$pgsync$;
-- (A trigger needs no EXECUTE right to fire.)
REVOKE ALL ON FUNCTION @schema@.durable_at_commit() FROM PUBLIC;

CREATE OR REPLACE FUNCTION @schema@.enqueue(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char", p_rows bigint, p_sql text, p_keys text, p_path text)
RETURNS void
LANGUAGE plpgsql
AS $pgsync$
BEGIN
    PERFORM @schema@.durable_commit();
    IF p_mode OPERATOR(pg_catalog.=) 'a' THEN
        INSERT INTO @schema@.sync_err_rec (nsp_name, table_name, dst_server, channel, mode, row_count, dst_query, path)
        VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, p_rows, p_sql, p_path);
        PERFORM pg_catalog.pg_notify('pgsync', p_dst);
    ELSE
        INSERT INTO @schema@.sync_pending (nsp_name, table_name, dst_server, channel, mode, row_count, xact_id, keys, dst_query)
        VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, p_rows, pg_catalog.pg_current_xact_id(), p_keys, p_sql);
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.enqueue(text, text, text, text, "char", bigint, text, text, text) FROM PUBLIC;
-- (Capture generated before forwarding: its own writes.)
CREATE OR REPLACE FUNCTION @schema@.enqueue(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char", p_rows bigint, p_sql text, p_keys text)
RETURNS void
LANGUAGE sql
AS $pgsync$
    SELECT @schema@.enqueue(p_nsp, p_table, p_dst, p_channel, p_mode, p_rows, p_sql, p_keys, NULL)
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.enqueue(text, text, text, text, "char", bigint, text, text) FROM PUBLIC;
-- (Capture generated before channels: the destination's default channel.)
CREATE OR REPLACE FUNCTION @schema@.enqueue(p_nsp text, p_table text, p_dst text, p_mode "char", p_rows bigint, p_sql text, p_keys text)
RETURNS void
LANGUAGE sql
AS $pgsync$
    SELECT @schema@.enqueue(p_nsp, p_table, p_dst, '', p_mode, p_rows, p_sql, p_keys)
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.enqueue(text, text, text, "char", bigint, text, text) FROM PUBLIC;

-- A captured row whose JSON passes 256 MiB (enqueue_rows, enqueue_row) fails its statement, saying so.
CREATE OR REPLACE FUNCTION @schema@.row_too_large(p_nsp text, p_table text, p_dst text, p_bytes bigint)
RETURNS void
LANGUAGE plpgsql
AS $pgsync$
BEGIN
    RAISE EXCEPTION 'RoslynPgSync: a row of %.% is too large to replicate to "%": % bytes as JSON, more than 256 MiB',
        pg_catalog.quote_ident(p_nsp), pg_catalog.quote_ident(p_table), p_dst, p_bytes
        USING ERRCODE = 'program_limit_exceeded',
              HINT = 'Changes travel as SQL text, which PostgreSQL limits to 1 GB. The statement changed nothing.';
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.row_too_large(text, text, text, bigint) FROM PUBLIC;

-- A captured statement's rows, read from p_rows (a cursor over the capture's transition tables:
-- phase 0, the key of a row the destination deletes, as JSON in j; phase 1, a row it upserts, as
-- JSON in j and, for Sync/Strict, its key in k; all deletes before all upserts), become remote
-- statements (prefix || the rows as one JSON array literal || suffix) in entries of about
-- pgsync.entry_bytes of row data each (8 MiB unless the session sets it): a statement of millions
-- of rows is queued as many entries of one transaction, which the apply sends in one remote
-- transaction, rather than as one text past PostgreSQL's 1 GB limit. Rows are read one at a time,
-- so the capture holds one entry's rows at most. A single row whose JSON passes 256 MiB cannot be
-- sent as SQL text: the statement fails, before it changes anything, saying so.
-- p_path: as enqueue's.
CREATE OR REPLACE FUNCTION @schema@.enqueue_rows(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char",
    p_delete_prefix text, p_delete_suffix text, p_upsert_prefix text, p_upsert_suffix text, p_rows refcursor, p_path text)
RETURNS void
LANGUAGE plpgsql
AS $pgsync$
DECLARE
    v_bound constant bigint := COALESCE(
        (SELECT s.v::bigint FROM (SELECT pg_catalog.current_setting('pgsync.entry_bytes', true) AS v) AS s
          WHERE s.v OPERATOR(pg_catalog.~) '^\s*[1-9][0-9]{0,17}\s*$'), 8388608);
    v_phase integer;
    v_j text;
    v_k text;
    v_end boolean;
    v_part integer; -- the phase of the rows in v_parts (NULL: none)
    v_parts text[] := '{}';
    v_keys text[] := '{}';
    v_sql text; -- the entry's statements so far
    v_rows bigint := 0;
    v_bytes bigint := 0;
BEGIN
    LOOP
        FETCH p_rows INTO v_phase, v_j, v_k;
        v_end := NOT FOUND;
        -- The rows gathered become a statement when the phase changes, at the bound and at the end;
        -- the entry is queued at the bound and at the end (a DELETE and its UPSERT share one entry).
        IF v_part IS NOT NULL AND (v_end OR v_phase OPERATOR(pg_catalog.<>) v_part OR v_bytes OPERATOR(pg_catalog.>=) v_bound) THEN
            v_sql := pg_catalog.concat_ws(E';\n', v_sql,
                CASE WHEN v_part OPERATOR(pg_catalog.=) 0 THEN p_delete_prefix ELSE p_upsert_prefix END
                OPERATOR(pg_catalog.||) pg_catalog.quote_literal('[' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(v_parts, ', ') OPERATOR(pg_catalog.||) ']')
                OPERATOR(pg_catalog.||) CASE WHEN v_part OPERATOR(pg_catalog.=) 0 THEN p_delete_suffix ELSE p_upsert_suffix END);
            v_parts := '{}';
            v_part := NULL;
            IF v_end OR v_bytes OPERATOR(pg_catalog.>=) v_bound THEN
                PERFORM @schema@.enqueue(p_nsp, p_table, p_dst, p_channel, p_mode, v_rows, v_sql,
                    CASE WHEN p_mode OPERATOR(pg_catalog.<>) 'a' THEN '[' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(v_keys, ', ') OPERATOR(pg_catalog.||) ']' END, p_path);
                v_sql := NULL;
                v_rows := 0;
                v_bytes := 0;
                v_keys := '{}';
            END IF;
        END IF;
        EXIT WHEN v_end;
        IF pg_catalog.octet_length(v_j) OPERATOR(pg_catalog.>) 268435456 THEN
            PERFORM @schema@.row_too_large(p_nsp, p_table, p_dst, pg_catalog.octet_length(v_j));
        END IF;
        v_part := v_phase;
        v_parts := v_parts OPERATOR(pg_catalog.||) v_j;
        v_bytes := v_bytes OPERATOR(pg_catalog.+) pg_catalog.octet_length(v_j);
        v_rows := v_rows OPERATOR(pg_catalog.+) 1;
        IF p_mode OPERATOR(pg_catalog.<>) 'a' THEN
            v_keys := v_keys OPERATOR(pg_catalog.||) COALESCE(v_k, v_j);
        END IF;
    END LOOP;
    CLOSE p_rows;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.enqueue_rows(text, text, text, text, "char", text, text, text, text, refcursor, text) FROM PUBLIC;
-- (Capture generated before forwarding: its own writes.)
CREATE OR REPLACE FUNCTION @schema@.enqueue_rows(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char",
    p_delete_prefix text, p_delete_suffix text, p_upsert_prefix text, p_upsert_suffix text, p_rows refcursor)
RETURNS void
LANGUAGE sql
AS $pgsync$
    SELECT @schema@.enqueue_rows(p_nsp, p_table, p_dst, p_channel, p_mode, p_delete_prefix, p_delete_suffix, p_upsert_prefix, p_upsert_suffix, p_rows, NULL)
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.enqueue_rows(text, text, text, text, "char", text, text, text, text, refcursor) FROM PUBLIC;
-- (Capture generated before channels: the destination's default channel.)
CREATE OR REPLACE FUNCTION @schema@.enqueue_rows(p_nsp text, p_table text, p_dst text, p_mode "char",
    p_delete_prefix text, p_delete_suffix text, p_upsert_prefix text, p_upsert_suffix text, p_rows refcursor)
RETURNS void
LANGUAGE sql
AS $pgsync$
    SELECT @schema@.enqueue_rows(p_nsp, p_table, p_dst, '', p_mode, p_delete_prefix, p_delete_suffix, p_upsert_prefix, p_upsert_suffix, p_rows)
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.enqueue_rows(text, text, text, "char", text, text, text, text, refcursor) FROM PUBLIC;

-- A captured statement of one row (most OLTP writes; the capture reads the row itself, so no
-- cursor and no row loop), as compact entries (0007_compact_entries.sql): p_gone, the key the
-- destination deletes (a DELETE, or an UPDATE that changed the key or left the filter), then
-- p_row, the row it upserts, each as JSON, naming p_statement, the target's remote statements
-- (register_statement); p_key: for Sync/Strict, that row's key. Neither: nothing is queued.
-- p_path: as enqueue's.
CREATE OR REPLACE FUNCTION @schema@.enqueue_change(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char",
    p_statement text, p_gone text, p_row text, p_key text, p_path text)
RETURNS void
LANGUAGE plpgsql
AS $pgsync$
BEGIN
    IF pg_catalog.octet_length(p_gone) OPERATOR(pg_catalog.>) 268435456 OR pg_catalog.octet_length(p_row) OPERATOR(pg_catalog.>) 268435456 THEN
        PERFORM @schema@.row_too_large(p_nsp, p_table, p_dst, GREATEST(pg_catalog.octet_length(p_gone), pg_catalog.octet_length(p_row)));
    END IF;
    PERFORM @schema@.durable_commit();
    IF p_mode OPERATOR(pg_catalog.=) 'a' THEN
        IF p_gone IS NOT NULL THEN
            INSERT INTO @schema@.sync_err_rec (nsp_name, table_name, dst_server, channel, mode, row_count, dst_query, op, statement, path)
            VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, 1, p_gone, 'd', p_statement, p_path);
        END IF;
        IF p_row IS NOT NULL THEN
            INSERT INTO @schema@.sync_err_rec (nsp_name, table_name, dst_server, channel, mode, row_count, dst_query, op, statement, path)
            VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, 1, p_row, 'u', p_statement, p_path);
        END IF;
        IF p_gone IS NOT NULL OR p_row IS NOT NULL THEN
            PERFORM pg_catalog.pg_notify('pgsync', p_dst);
        END IF;
    ELSE
        IF p_gone IS NOT NULL THEN
            INSERT INTO @schema@.sync_pending (nsp_name, table_name, dst_server, channel, mode, row_count, xact_id, keys, dst_query, op, statement)
            VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, 1, pg_catalog.pg_current_xact_id(),
                    '[' OPERATOR(pg_catalog.||) p_gone OPERATOR(pg_catalog.||) ']', p_gone, 'd', p_statement);
        END IF;
        IF p_row IS NOT NULL THEN
            INSERT INTO @schema@.sync_pending (nsp_name, table_name, dst_server, channel, mode, row_count, xact_id, keys, dst_query, op, statement)
            VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, 1, pg_catalog.pg_current_xact_id(),
                    '[' OPERATOR(pg_catalog.||) COALESCE(p_key, p_row) OPERATOR(pg_catalog.||) ']', p_row, 'u', p_statement);
        END IF;
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.enqueue_change(text, text, text, text, "char", text, text, text, text, text) FROM PUBLIC;
-- (Capture generated before forwarding: its own writes.)
CREATE OR REPLACE FUNCTION @schema@.enqueue_change(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char",
    p_statement text, p_gone text, p_row text, p_key text)
RETURNS void
LANGUAGE sql
AS $pgsync$
    SELECT @schema@.enqueue_change(p_nsp, p_table, p_dst, p_channel, p_mode, p_statement, p_gone, p_row, p_key, NULL)
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.enqueue_change(text, text, text, text, "char", text, text, text, text) FROM PUBLIC;

-- The remote SQL of one queue entry: its dst_query, or a compact entry's statement around its row
-- (or key). Raises when the statement is not recorded, rather than let the entry go as nothing.
-- p_query may hold several rows' JSON joined by commas (batch_sql: a run of compact entries).
-- For the apply (batch_sql, and its entry-by-entry search for a refused entry), skip_entry, and a DBA reading the queue
-- (SELECT pgsync.entry_sql(op, statement, dst_query) FROM pgsync.sync_err_rec).
CREATE OR REPLACE FUNCTION @schema@.entry_sql(p_op "char", p_statement text, p_query text)
RETURNS text
LANGUAGE plpgsql
STABLE
AS $pgsync$
DECLARE
    v_sql text;
BEGIN
    IF p_op IS NULL THEN
        RETURN p_query;
    END IF;
    SELECT CASE WHEN p_op OPERATOR(pg_catalog.=) 'u' THEN s.upsert_prefix ELSE s.delete_prefix END
           OPERATOR(pg_catalog.||) pg_catalog.quote_literal('[' OPERATOR(pg_catalog.||) p_query OPERATOR(pg_catalog.||) ']')
           OPERATOR(pg_catalog.||) CASE WHEN p_op OPERATOR(pg_catalog.=) 'u' THEN s.upsert_suffix ELSE s.delete_suffix END
      INTO v_sql
      FROM @schema@.entry_statement AS s WHERE s.statement OPERATOR(pg_catalog.=) p_statement;
    IF v_sql IS NULL THEN
        RAISE EXCEPTION 'RoslynPgSync: a queue entry names the remote statements "%", which this database has no record of', p_statement
            USING HINT = 'Reinstall the application that replicates its table: its install records them.';
    END IF;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.entry_sql("char", text, text) FROM PUBLIC;

-- The table a queue entry truncates when it is a capture's TRUNCATE (exactly 'TRUNCATE ONLY
-- "schema"."table"', RemoteSql.Truncate), else NULL. A source statement that truncates several
-- tables (TRUNCATE a, b, or a CASCADE) fires each table's capture on its own, so it is queued as
-- consecutive entries of one transaction; the apply sends such a run as ONE statement over all
-- their tables (batch_sql, send_entries, apply_pending's entry-by-entry search; resolve_applied
-- for the TRUNCATE a whole table's restore starts with), because a
-- destination refuses to truncate a table another one references by a foreign key unless that
-- one is truncated in the same statement.
CREATE OR REPLACE FUNCTION @schema@.truncated_table(p_op "char", p_query text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $pgsync$
    -- (octet_length reads a stored value's size from its header: a large statement's text is not
    -- read for this. Two quoted names of at most 63 bytes each take at most 271.)
    SELECT CASE WHEN p_op IS NULL AND pg_catalog.octet_length(p_query) OPERATOR(pg_catalog.<=) 300
                THEN pg_catalog.substring(p_query, '^TRUNCATE ONLY ("(?:[^"]|"")+"\."(?:[^"]|"")+")$') END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.truncated_table("char", text) FROM PUBLIC;
