-- What conflict resolution keeps, past its retention (the replay worker calls this every minute,
-- PgSyncHostOptions.ConflictRetention and TombstoneRetention): this database's conflict log (when it
-- is a destination of a table that detects conflicts), and the tombstones of the row versions
-- p_records (the tables this node replicates with a conflict policy; docs/multi-master.md). A
-- tombstone keeps an older write from bringing a deleted row back: drop one only after every change
-- older than it has been applied everywhere, so the retention must exceed the longest outage.
-- Returns the rows removed. Called by the worker (as the installing role); nobody else may call it.
CREATE OR REPLACE FUNCTION @schema@.purge_resolved(p_conflicts interval, p_tombstones interval, p_records text[])
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_removed bigint := 0;
    v_count bigint;
    v_record regclass;
BEGIN
    IF pg_catalog.to_regclass(@schema_literal@ || '.conflict_log') IS NOT NULL THEN
        EXECUTE pg_catalog.format('DELETE FROM %s WHERE logged_at < pg_catalog.clock_timestamp() - $1', @schema_literal@ || '.conflict_log') USING p_conflicts;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        v_removed := v_removed + v_count;
    END IF;
    FOR v_record IN SELECT pg_catalog.to_regclass(@schema_literal@ || '.' || pg_catalog.quote_ident(r)) FROM pg_catalog.unnest(p_records) AS r LOOP
        CONTINUE WHEN v_record IS NULL;
        EXECUTE pg_catalog.format('DELETE FROM %s WHERE pgsync_deleted AND pgsync_at < pg_catalog.clock_timestamp() - $1', v_record) USING p_tombstones;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        v_removed := v_removed + v_count;
    END LOOP;
    RETURN v_removed;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.purge_resolved(interval, interval, text[]) FROM PUBLIC;
