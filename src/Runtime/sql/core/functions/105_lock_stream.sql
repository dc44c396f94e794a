-- A stream's name: the server, or server/channel for a named channel (as the worker's logs, the
-- health check and pgsync status write it: DestinationStatus.StreamName). Its hash keys the stream's
-- lock below and the transaction-local setting of enqueue. (No SET clause, names qualified: an
-- IMMUTABLE SQL function without one is inlined into its callers, enqueue's among them.)
CREATE OR REPLACE FUNCTION @schema@.stream_name(p_dst text, p_channel text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $pgsync$
    SELECT p_dst OPERATOR(pg_catalog.||) CASE WHEN p_channel OPERATOR(pg_catalog.=) '' THEN '' ELSE '/' OPERATOR(pg_catalog.||) p_channel END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.stream_name(text, text) FROM PUBLIC;

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
    PERFORM pg_catalog.pg_advisory_xact_lock(1346851674, pg_catalog.hashtext(@schema@.stream_name(p_dst, p_channel)));
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.lock_stream(text, text) FROM PUBLIC;

-- The same locks, only if no other session holds them: false when a batch of that stream, or a
-- restore of that destination, is in progress elsewhere (the destination's shared lock, when it was
-- free, is kept to the transaction's end all the same: it holds back only such a restore).
-- deal_sync_err_rec uses it to leave such a stream to that session instead of waiting for it while
-- holding the locks of the streams it applied before (which would hold those back too).
CREATE OR REPLACE FUNCTION @schema@.try_lock_stream(p_dst text, p_channel text)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    RETURN pg_catalog.pg_try_advisory_xact_lock_shared(1346851673, pg_catalog.hashtext(p_dst))
       AND pg_catalog.pg_try_advisory_xact_lock(1346851674, pg_catalog.hashtext(@schema@.stream_name(p_dst, p_channel)));
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.try_lock_stream(text, text) FROM PUBLIC;
