-- Vacuums a destination's record of applied entries (applied_entry) over the replication's own
-- connection to it: every applied entry writes a row there and resolve_applied deletes it a few
-- seconds later, so at a steady write rate the table is all churn. The destination's autovacuum
-- cannot be relied on for it: its counts of dead rows restart from zero after every crash or
-- immediate shutdown of the destination, and between its rounds (a minute apart by default) every
-- resolve_applied reads the dead rows too. The replay worker calls this every 10 seconds per
-- destination, as it vacuums the local queue. Best effort: false when the destination is down or
-- the connection is inside a transaction (then the next call tries again). SKIP_LOCKED: a vacuum
-- of it in progress elsewhere is as good. (A role that does not own the table gets PostgreSQL's
-- warning that it was skipped; the vacuum is then the destination DBA's.)
-- On the same connection it also learns the destination's identity (learn_peer, 172_peers.sql): a
-- node installed from the script, or a destination whose RoslynPgSync schema was made again, is known
-- by the time of the worker's next round, so that no forwarded change goes back to it. (A destination
-- without one, older than forwarding, is vacuumed all the same.)
CREATE OR REPLACE FUNCTION @schema@.vacuum_applied(p_dst text)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_conn text := 'pgsync_' || p_dst;
    v_timeout interval;
BEGIN
    SELECT COALESCE(@schema@.remote_timeout(), n.commit_timeout) INTO v_timeout FROM @schema@.node AS n;
    PERFORM @schema@.remote_connect(v_conn, p_dst);
    PERFORM @schema@.remote_exec(v_conn, 'VACUUM (SKIP_LOCKED) ' || @schema_literal@ || '.applied_entry', v_timeout);
    PERFORM @schema@.learn_peer(v_conn, p_dst, v_timeout);
    RETURN true;
EXCEPTION WHEN query_canceled THEN
    PERFORM @schema@.remote_drop(v_conn); -- (a cancel still cancels; the connection goes with it)
    RAISE;
WHEN OTHERS THEN
    PERFORM @schema@.remote_drop(v_conn);
    RETURN false;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.vacuum_applied(text) FROM PUBLIC;
