-- Marks the tables whose Sync or Strict entries this transaction leaves in the queue (its destination
-- was down, or a backlog was ahead of them), as an initial copy's chunk marks its table (copy_queued):
-- it updates their replicated_table rows. A REPEATABLE READ or SERIALIZABLE writer of such a table
-- whose snapshot predates this commit cannot see the entries queued, and a change of its own (an
-- INSERT of a key they delete) may raise no conflict of PostgreSQL's; it locks those rows at its own
-- commit (flush_at_commit) and gets a serialization failure instead of sending its change ahead of them.
-- This deferred trigger on queued_mark fires after every flush of the transaction (the flushes queue
-- the tables while they run, so their events come after the flushes' own), so the marks are the last
-- locks the transaction takes: a committer that holds one waits for nothing more, and committers that
-- mark the same tables wait for each other in turn, never in a cycle (a mark made in the flushes'
-- order deadlocked writers during a destination's outage, against the queue's state row). All of the
-- transaction's tables at its first event, in the tables' order; its later events find nothing left.
CREATE OR REPLACE FUNCTION @schema@.mark_queued()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_tables text[];
BEGIN
    WITH done AS (DELETE FROM @schema@.queued_mark AS m WHERE m.xact_id = NEW.xact_id RETURNING m.nsp_name, m.table_name)
    SELECT pg_catalog.array_agg(pg_catalog.format('%I.%I', d.nsp_name, d.table_name)) INTO v_tables FROM done AS d;
    IF v_tables IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM @schema@.replicated_table AS r
     WHERE pg_catalog.format('%I.%I', r.nsp_name, r.table_name) = ANY (v_tables)
     ORDER BY r.nsp_name, r.table_name
       FOR UPDATE OF r;
    UPDATE @schema@.replicated_table AS r SET restore_function = r.restore_function
     WHERE pg_catalog.format('%I.%I', r.nsp_name, r.table_name) = ANY (v_tables);
    RETURN NULL;
END
$pgsync$;
-- (A trigger needs no EXECUTE right to fire.)
REVOKE ALL ON FUNCTION @schema@.mark_queued() FROM PUBLIC;
