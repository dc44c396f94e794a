-- The rows of the query p_sql as one JSON array, waiting at most p_timeout.
CREATE OR REPLACE FUNCTION @schema@.remote_query(p_conn text, p_sql text, p_timeout interval)
RETURNS json
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_sql constant text := 'SELECT COALESCE(pg_catalog.json_agg(q), ''[]'')::text FROM (' || p_sql || ') AS q';
    v_deadline timestamp with time zone := pg_catalog.clock_timestamp() + p_timeout;
    v_rows text;
BEGIN
    IF p_timeout IS NULL THEN
        SELECT t.j INTO v_rows FROM @dblink@.dblink(p_conn, v_sql, true) AS t(j text);
        RETURN v_rows::json;
    END IF;
    IF @dblink@.dblink_send_query(p_conn, v_sql) <> 1 THEN
        RAISE EXCEPTION 'RoslynPgSync: could not send to the destination: %', @dblink@.dblink_error_message(p_conn)
            USING ERRCODE = 'connection_failure';
    END IF;
    PERFORM @schema@.remote_wait(p_conn, v_deadline);
    BEGIN
        SELECT t.j INTO v_rows FROM @dblink@.dblink_get_result(p_conn, true) AS t(j text);
    EXCEPTION WHEN OTHERS THEN
        PERFORM @schema@.remote_wait(p_conn, v_deadline);
        PERFORM 1 FROM @dblink@.dblink_get_result(p_conn, false) AS t(j text);
        RAISE;
    END;
    PERFORM @schema@.remote_wait(p_conn, v_deadline);
    PERFORM 1 FROM @dblink@.dblink_get_result(p_conn, true) AS t(j text);
    RETURN v_rows::json;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.remote_query(text, text, interval) FROM PUBLIC;
