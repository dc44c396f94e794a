-- Takes one stream's lock until the transaction ends: a stream is a destination's channel ('' the
-- default), whose entries are applied in order by one session at a time. It also takes the
-- destination's lock shared, so that what must wait for every stream of a destination (the restore
-- of an aborted transaction's keys, resolve_applied) takes that lock exclusively. Always in this
-- order (destination, then stream), so two sessions cannot wait for each other. The replay worker
-- takes it through PgSyncQueue.LockStream, apply_pending and skip_entry here.
-- (Advisory locks are not privileges: any role can take these keys; a role that does only delays
-- the replay, and the lock ends with its transaction.)
CREATE OR REPLACE FUNCTION @schema@.lock_stream(p_dst text, p_channel text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock_shared(1346851673, pg_catalog.hashtext(p_dst));
    PERFORM pg_catalog.pg_advisory_xact_lock(1346851674,
        pg_catalog.hashtext(p_dst OPERATOR(pg_catalog.||) CASE WHEN p_channel OPERATOR(pg_catalog.=) '' THEN '' ELSE '/' OPERATOR(pg_catalog.||) p_channel END));
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.lock_stream(text, text) FROM PUBLIC;

-- The same locks, only if no other session holds them: false (and nothing taken) when a batch of
-- that stream, or a restore of that destination, is in progress elsewhere. deal_sync_err_rec uses it
-- to leave such a stream to that session instead of waiting for it while holding the locks of the
-- streams it applied before (which would hold those back too).
CREATE OR REPLACE FUNCTION @schema@.try_lock_stream(p_dst text, p_channel text)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    RETURN pg_catalog.pg_try_advisory_xact_lock_shared(1346851673, pg_catalog.hashtext(p_dst))
       AND pg_catalog.pg_try_advisory_xact_lock(1346851674,
               pg_catalog.hashtext(p_dst OPERATOR(pg_catalog.||) CASE WHEN p_channel OPERATOR(pg_catalog.=) '' THEN '' ELSE '/' OPERATOR(pg_catalog.||) p_channel END));
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.try_lock_stream(text, text) FROM PUBLIC;
