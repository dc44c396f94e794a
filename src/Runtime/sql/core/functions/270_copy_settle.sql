-- Settles the running copies against the queue: a chunk entry that left the queue was applied
-- (forgotten here), or skipped by an operator (the copy failed: the target lacks its rows); a copy
-- whose every chunk is queued and none is left is done. Never done before the destination has
-- every chunk. Returns how many copies changed status.
CREATE OR REPLACE FUNCTION @schema@.copy_settle()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_failed integer;
    v_done integer;
BEGIN
    UPDATE @schema@.copy_state AS c
       SET status = 'failed', updated_at = pg_catalog.clock_timestamp(),
           reason = pg_catalog.format('queue entry %s of the copy (%s rows) was skipped with skip_entry, so the target lacks those rows: run pgsync copy --replace', k.entry_id, k.row_count)
      FROM @schema@.copy_chunk AS k JOIN @schema@.skipped_entry AS x ON x.id = k.entry_id
     WHERE c.status = 'copying' AND k.nsp_name = c.nsp_name AND k.table_name = c.table_name AND k.dst_server = c.dst_server;
    GET DIAGNOSTICS v_failed = ROW_COUNT;
    DELETE FROM @schema@.copy_chunk AS k
     WHERE NOT EXISTS (SELECT 1 FROM @schema@.sync_err_rec AS e WHERE e.id = k.entry_id)
       AND NOT EXISTS (SELECT 1 FROM @schema@.skipped_entry AS x WHERE x.id = k.entry_id);
    UPDATE @schema@.copy_state AS c
       SET status = 'done', finished_at = pg_catalog.clock_timestamp(), updated_at = pg_catalog.clock_timestamp()
     WHERE c.status = 'copying' AND c.all_queued
       AND NOT EXISTS (SELECT 1 FROM @schema@.copy_chunk AS k
                        WHERE k.nsp_name = c.nsp_name AND k.table_name = c.table_name AND k.dst_server = c.dst_server);
    GET DIAGNOSTICS v_done = ROW_COUNT;
    RETURN v_failed + v_done;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.copy_settle() FROM PUBLIC;
