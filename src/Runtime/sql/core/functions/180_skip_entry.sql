-- The documented way past an entry a destination will never accept: moves it from the queue
-- to the skipped table with the error that stopped it, clears that error and wakes the
-- workers to go on with the entries after it. Raises when the entry is not queued.
CREATE OR REPLACE FUNCTION @schema@.skip_entry(p_id bigint)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_dst text;
    v_channel text;
    v_entry record;
BEGIN
    SELECT e.dst_server, e.channel INTO v_dst, v_channel FROM @schema@.sync_err_rec AS e WHERE e.id = p_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'RoslynPgSync: queue entry % does not exist (already applied or skipped?)', p_id;
    END IF;
    -- Not while a batch of that stream is being applied.
    PERFORM @schema@.lock_stream(v_dst, v_channel);
    DELETE FROM @schema@.sync_err_rec AS e WHERE e.id = p_id RETURNING e.* INTO v_entry;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'RoslynPgSync: queue entry % was applied meanwhile', p_id;
    END IF;
    INSERT INTO @schema@.skipped_entry (id, nsp_name, table_name, dst_server, channel, dst_query, create_time, mode, row_count, error)
    SELECT v_entry.id, v_entry.nsp_name, v_entry.table_name, v_entry.dst_server, v_entry.channel,
           @schema@.entry_sql(v_entry.op, v_entry.statement, v_entry.dst_query),
           v_entry.create_time, v_entry.mode, v_entry.row_count,
           (SELECT s.last_error FROM @schema@.dst_state AS s WHERE s.dst_server = v_dst AND s.channel = v_channel AND s.last_error_entry = p_id);
    UPDATE @schema@.dst_state AS s SET last_error = NULL, last_error_time = NULL, last_error_entry = NULL, last_error_table = NULL
     WHERE s.dst_server = v_dst AND s.channel = v_channel AND s.last_error_entry = p_id;
    PERFORM pg_catalog.pg_notify('pgsync', 'retry:' || v_dst);
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.skip_entry(bigint) FROM PUBLIC;
