-- The replication's named dblink connection to a destination in this session ('pgsync_' and the
-- server's name, as apply_pending, resolve_applied and vacuum_applied call it): made through the
-- destination's foreign server when this session has none, kept for the next call otherwise.
-- (Named connections belong to the session: no other backend, and so no other role, can use them.)
CREATE OR REPLACE FUNCTION @schema@.remote_connect(p_conn text, p_dst text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    IF p_conn <> ALL (COALESCE(@dblink@.dblink_get_connections(), '{}'::text[])) THEN
        PERFORM @dblink@.dblink_connect(p_conn, p_dst);
        -- Names in pg_catalog only for every statement of the session, not just inside the remote
        -- transactions that pin it (remote_begin): the ledger's queries too compare values with
        -- operators an exact one in the destination's public could outrank.
        PERFORM @dblink@.dblink_exec(p_conn, 'SET search_path = pg_catalog, pg_temp');
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.remote_connect(text, text) FROM PUBLIC;

-- Drops the named connection whatever state it is in (broken by a destination restart, inside an
-- aborted remote transaction, or already gone), so that the next call starts clean.
CREATE OR REPLACE FUNCTION @schema@.remote_drop(p_conn text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    PERFORM @dblink@.dblink_disconnect(p_conn);
EXCEPTION WHEN OTHERS THEN
    NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.remote_drop(text) FROM PUBLIC;
