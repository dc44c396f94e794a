-- Waiting for a destination at most p_timeout (NULL: as long as it takes). PostgreSQL 15's
-- dblink_exec waits for an answer without end and cannot be cancelled meanwhile: a destination
-- whose server processes stopped while its kernel still acknowledges TCP is never noticed by
-- keepalives. With a timeout the query is sent asynchronously and polled; when the time is up
-- the connection is dropped (the destination rolls back what it had not committed; what it
-- did commit is in its applied_entry) and an error is raised. The timeout is the session's
-- pgsync.remote_timeout (the replay worker sets its RemoteTimeout so; pg_cron jobs may set it
-- too), else the node's commit_timeout (PgSyncOptions.CommitTimeout, 30 s by default).
CREATE OR REPLACE FUNCTION @schema@.remote_wait(p_conn text, p_deadline timestamp with time zone)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    -- Polled without sleeping for the first 2 ms, then every millisecond: most answers come
    -- within a round trip, and pg_sleep's steps are a whole millisecond (sleeping at once
    -- made a Sync commit three times slower in the bench).
    v_spin constant timestamp with time zone := pg_catalog.clock_timestamp() + interval '2 milliseconds';
    v_now timestamp with time zone;
BEGIN
    WHILE @dblink@.dblink_is_busy(p_conn) = 1 LOOP
        v_now := pg_catalog.clock_timestamp();
        IF v_now > p_deadline THEN
            PERFORM @dblink@.dblink_disconnect(p_conn);
            RAISE EXCEPTION 'RoslynPgSync: the destination did not answer in time (pgsync.remote_timeout, else the node''s commit_timeout); the connection was dropped'
                USING ERRCODE = 'connection_failure';
        END IF;
        IF v_now > v_spin THEN
            PERFORM pg_catalog.pg_sleep(0.001);
        END IF;
    END LOOP;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.remote_wait(text, timestamp with time zone) FROM PUBLIC;
