-- dblink_exec(p_conn, p_sql, true), waiting at most p_timeout.
CREATE OR REPLACE FUNCTION @schema@.remote_exec(p_conn text, p_sql text, p_timeout interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_deadline timestamp with time zone := pg_catalog.clock_timestamp() + p_timeout;
    v_results integer;
BEGIN
    IF p_timeout IS NULL THEN
        PERFORM @dblink@.dblink_exec(p_conn, p_sql, true);
        RETURN;
    END IF;
    IF @dblink@.dblink_send_query(p_conn, p_sql) <> 1 THEN
        RAISE EXCEPTION 'RoslynPgSync: could not send to the destination: %', @dblink@.dblink_error_message(p_conn)
            USING ERRCODE = 'connection_failure';
    END IF;
    -- One result per statement, then none; each waited for (a later one may take long).
    LOOP
        PERFORM @schema@.remote_wait(p_conn, v_deadline);
        BEGIN
            SELECT pg_catalog.count(*) INTO v_results FROM @dblink@.dblink_get_result(p_conn, true) AS t(status text);
        EXCEPTION WHEN OTHERS THEN
            -- The destination's error ends the statements; read the end of the results, so
            -- that the connection takes the next command (a ROLLBACK, say), then raise it.
            PERFORM @schema@.remote_wait(p_conn, v_deadline);
            PERFORM 1 FROM @dblink@.dblink_get_result(p_conn, false) AS t(status text);
            RAISE;
        END;
        EXIT WHEN v_results = 0;
    END LOOP;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.remote_exec(text, text, interval) FROM PUBLIC;
