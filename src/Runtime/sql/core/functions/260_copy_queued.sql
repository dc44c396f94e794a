-- Records one chunk of an initial copy, in the transaction that read it (its rows locked FOR
-- SHARE, so that a concurrent change to them is queued before or after it, never around it): the
-- chunk's remote statement goes into the queue as one entry, like a captured statement, and the
-- copy's state moves past p_last_key. p_sql NULL: the chunk held no rows (nothing is queued).
-- p_finished: the chunk reached the end of the table. p_channel: the target's stream (its
-- [Replicate] Channel, '' the default). Returns the entry's id (NULL: none).
-- Raises when no copy of that table to that destination is pending or running.
CREATE OR REPLACE FUNCTION @schema@.copy_queued(p_nsp text, p_table text, p_dst text, p_channel text, p_rows bigint, p_sql text, p_last_key text, p_finished boolean)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_id bigint;
BEGIN
    IF p_sql IS NOT NULL THEN
        PERFORM @schema@.durable_commit();
        INSERT INTO @schema@.sync_err_rec (nsp_name, table_name, dst_server, channel, mode, row_count, dst_query)
        VALUES (p_nsp, p_table, p_dst, p_channel, 'a', p_rows, p_sql)
        RETURNING id INTO v_id;
        INSERT INTO @schema@.copy_chunk (entry_id, nsp_name, table_name, dst_server, row_count)
        VALUES (v_id, p_nsp, p_table, p_dst, p_rows);
        PERFORM pg_catalog.pg_notify('pgsync', p_dst);
    END IF;
    -- The table's marker: a REPEATABLE READ or SERIALIZABLE Sync writer whose snapshot predates this
    -- chunk cannot see it queued; it locks this row at commit (flush_at_commit) and gets a
    -- serialization failure instead of sending its change ahead of the chunk.
    UPDATE @schema@.replicated_table AS r SET restore_function = r.restore_function
     WHERE r.nsp_name = p_nsp AND r.table_name = p_table;
    UPDATE @schema@.copy_state AS c
       SET status = 'copying',
           last_key = COALESCE(p_last_key, c.last_key),
           all_queued = p_finished,
           rows_copied = c.rows_copied + p_rows,
           chunks = c.chunks + CASE WHEN v_id IS NULL THEN 0 ELSE 1 END,
           started_at = COALESCE(c.started_at, pg_catalog.clock_timestamp()),
           updated_at = pg_catalog.clock_timestamp(),
           reason = NULL
     WHERE c.nsp_name = p_nsp AND c.table_name = p_table AND c.dst_server = p_dst AND c.status IN ('pending', 'copying');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'RoslynPgSync: no initial copy of %.% to server "%" is pending or running', p_nsp, p_table, p_dst;
    END IF;
    RETURN v_id;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.copy_queued(text, text, text, text, bigint, text, text, boolean) FROM PUBLIC;
