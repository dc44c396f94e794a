-- The one entry point the generated capture functions write through: one entry, for one destination,
-- of the statement being captured. Capture code knows this signature and nothing of the tables
-- behind it, so that a later runtime can change the queue without applications being rebuilt.
-- p_mode: 'a' Async (into the queue; the replay worker is woken at commit), 's' Sync or 't' Strict
-- (into sync_pending under the writer's top-level transaction, sent by flush_at_commit).
-- p_keys: Sync/Strict, the JSON array of the keys the entry touches (NULL: the whole table).
-- Called by the capture functions, which run as the installing role; nobody else may call it.
-- No SET search_path: it is not SECURITY DEFINER, its callers (SECURITY DEFINER capture functions)
-- have pinned the path already, and every name in it is qualified; a SET clause would cost every
-- captured statement a configuration save and restore.
CREATE OR REPLACE FUNCTION @schema@.enqueue(p_nsp text, p_table text, p_dst text, p_mode "char", p_rows bigint, p_sql text, p_keys text)
RETURNS void
LANGUAGE plpgsql
AS $pgsync$
BEGIN
    IF p_mode OPERATOR(pg_catalog.=) 'a' THEN
        INSERT INTO @schema@.sync_err_rec (nsp_name, table_name, dst_server, mode, row_count, dst_query)
        VALUES (p_nsp, p_table, p_dst, p_mode, p_rows, p_sql);
        PERFORM pg_catalog.pg_notify('pgsync', p_dst);
    ELSE
        INSERT INTO @schema@.sync_pending (nsp_name, table_name, dst_server, mode, row_count, xact_id, keys, dst_query)
        VALUES (p_nsp, p_table, p_dst, p_mode, p_rows, pg_catalog.pg_current_xact_id(), p_keys, p_sql);
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.enqueue(text, text, text, "char", bigint, text, text) FROM PUBLIC;
