-- Settles what a destination recorded in applied_entry for this node, transaction by
-- transaction, once the (local) transaction that applied it has ended:
-- - its entries still queued were applied (its local delete did not happen): they leave the
--   queue, never to be applied again;
-- - if it aborted, the rows of the keys its own Sync/Strict entries touched (sent before its
--   commit was certain) are restored on the destination from the source's committed rows,
--   read under a SHARE lock of the table so that no writer changes them meanwhile;
-- - once nothing of it is queued any more, its record is removed, so the record stays small.
-- Returns how many aborted transactions it restored. Best effort and bounded (locks wait at
-- most lock_timeout): what it cannot do now, it does at the next call. Called by the replay
-- worker about once a second and by deal_sync_err_rec.
CREATE OR REPLACE FUNCTION @schema@.resolve_applied(p_dst text)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '200ms'
AS $pgsync$
DECLARE
    v_conn text := 'pgsync_' || p_dst;
    v_origin text;
    v_row record;
    v_aborted text[] := '{}';
    v_forget text[] := '{}';
    v_deleted integer;
    v_sql text;
    v_part text;
    v_function text;
    v_restored integer := 0;
    v_status text;
    v_incarnation constant bigint := @schema@.current_incarnation(true);
    -- The oldest snapshot of any other session of this database (pg_stat_activity shows every
    -- backend's xmin): only this database's writers read its queue.
    v_horizon constant xid := (SELECT a.backend_xmin FROM pg_catalog.pg_stat_activity AS a
                               WHERE a.backend_xmin IS NOT NULL AND a.pid <> pg_catalog.pg_backend_pid()
                                 AND a.datname = pg_catalog.current_database()
                               ORDER BY pg_catalog.age(a.backend_xmin) DESC LIMIT 1);
    v_settled text[] := '{}'; -- restored: their keys need no restore again
    v_truncate text; -- the table a whole table's restore truncates first
    v_truncates text[] := '{}'; -- the tables they truncate, for one TRUNCATE of them all
    v_timeout interval; -- the session's pgsync.remote_timeout, else the node's commit_timeout
BEGIN
    SELECT n.origin, COALESCE(@schema@.remote_timeout(), n.commit_timeout) INTO v_origin, v_timeout FROM @schema@.node AS n;
    PERFORM @schema@.remote_connect(v_conn, p_dst);
    FOR v_row IN
        SELECT * FROM pg_catalog.json_to_recordset(@schema@.remote_query(v_conn, pg_catalog.format(
            'SELECT xact_id::text AS xact, incarnation, pg_catalog.array_agg(entry_id) AS ids, pg_catalog.array_agg(entry_time) AS times, pg_catalog.bool_or(nsp_name IS NOT NULL) AS has_own, pg_catalog.bool_or(in_savepoint) AS in_savepoint FROM %s WHERE origin = %L AND dst_server = %L GROUP BY xact_id, incarnation',
            (@schema_literal@ || '.applied_entry'), v_origin, p_dst), v_timeout)) AS t(xact text, incarnation bigint, ids bigint[], times bigint[], has_own boolean, in_savepoint boolean)
    LOOP
        BEGIN
            v_status := pg_catalog.pg_xact_status(v_row.xact::xid8);
        EXCEPTION WHEN invalid_parameter_value THEN
            v_status := 'aborted'; -- a transaction id this node never made durable (it crashed)
        END;
        -- (After a crash this very transaction may have been given the xid again.)
        IF v_row.xact::xid8 = pg_catalog.pg_current_xact_id_if_assigned() THEN
            v_status := 'aborted';
        END IF;
        CONTINUE WHEN v_status = 'in progress'; -- (also a prepared transaction)
        -- Applied before this node crashed: if it never committed, its xid may have been given
        -- again to a transaction that did. Its own keys are restored whatever the status says
        -- (a restore of a committed change rewrites the same rows).
        IF v_row.has_own AND (v_status IS DISTINCT FROM 'committed' OR v_row.incarnation <> v_incarnation OR v_row.in_savepoint) THEN
            v_aborted := v_aborted || v_row.xact;
        END IF;
        DELETE FROM @schema@.sync_err_rec AS e
         USING ROWS FROM (pg_catalog.unnest(v_row.ids), pg_catalog.unnest(v_row.times)) AS d(id, entry_time)
         WHERE e.dst_server = p_dst AND e.id = d.id AND (EXTRACT(epoch FROM e.create_time) * 1000000)::bigint = d.entry_time;
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
        -- Forgotten only once no snapshot in this cluster is older than that transaction: a
        -- REPEATABLE READ writer that still sees its entries as queued must find them here.
        IF v_deleted = 0 AND (v_horizon IS NULL OR pg_catalog.age(v_row.xact::xid8::xid) > pg_catalog.age(v_horizon)) THEN
            v_forget := v_forget || v_row.xact;
        END IF;
    END LOOP;

    IF pg_catalog.cardinality(v_aborted) > 0 THEN
        BEGIN
            FOR v_row IN
                SELECT * FROM pg_catalog.json_to_recordset(@schema@.remote_query(v_conn, pg_catalog.format(
                    'SELECT nsp_name AS nsp, table_name AS tab, pg_catalog.bool_or(keys IS NULL) AS whole, pg_catalog.string_agg(pg_catalog.substr(keys, 2, pg_catalog.length(keys) - 2), '','') FILTER (WHERE pg_catalog.length(keys) > 2) AS keys FROM %s WHERE origin = %L AND dst_server = %L AND xact_id = ANY (%L::pg_catalog.xid8[]) AND nsp_name IS NOT NULL GROUP BY nsp_name, table_name ORDER BY nsp_name, table_name',
                    (@schema_literal@ || '.applied_entry'), v_origin, p_dst, v_aborted), v_timeout)) AS t(nsp text, tab text, whole boolean, keys text)
            LOOP
                SELECT r.restore_function INTO v_function FROM @schema@.replicated_table AS r WHERE r.nsp_name = v_row.nsp AND r.table_name = v_row.tab;
                CONTINUE WHEN NOT FOUND; -- no longer replicated from here
                BEGIN
                    EXECUTE pg_catalog.format('LOCK TABLE %I.%I IN SHARE MODE', v_row.nsp, v_row.tab);
                    EXECUTE pg_catalog.format('SELECT %s.%I($1, $2)', @schema_literal@, v_function) INTO v_part
                      USING p_dst, CASE WHEN v_row.whole THEN NULL ELSE '[' || COALESCE(v_row.keys, '') || ']' END;
                EXCEPTION WHEN undefined_table OR undefined_function OR insufficient_privilege THEN
                    -- (The table was dropped or renamed, or is no longer replicated: nothing to restore.)
                    RAISE WARNING 'RoslynPgSync: cannot restore %.% on destination server "%": %', v_row.nsp, v_row.tab, p_dst, SQLERRM;
                    v_part := NULL;
                END;
                -- A whole table's restore starts with its TRUNCATE (a capture's TRUNCATE aborted): all of
                -- them go first, as ONE statement, because a destination refuses to truncate a table another
                -- one references by a foreign key unless both go in one statement (truncated_table;
                -- MultiTableTruncateTests). Its first statement is told as a queued entry is (truncated_table).
                -- (A second target of the table on this server keeps its own; so does a table whose quoted
                -- name holds a semicolon and a line break, where the first statement is not found.)
                v_truncate := CASE WHEN v_row.whole THEN @schema@.truncated_table(NULL, pg_catalog.split_part(v_part, E';\n', 1)) END;
                IF v_truncate IS NOT NULL THEN
                    v_truncates := v_truncates || v_truncate;
                    v_part := NULLIF(pg_catalog.substr(v_part, pg_catalog.length('TRUNCATE ONLY ' || v_truncate) + 3), '');
                END IF;
                v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
            END LOOP;
            IF pg_catalog.cardinality(v_truncates) > 0 THEN
                v_sql := pg_catalog.concat_ws(E';\n', 'TRUNCATE ONLY ' || pg_catalog.array_to_string(v_truncates, ', '), v_sql);
            END IF;
            -- Not while a batch for that destination is being applied.
            PERFORM pg_catalog.pg_advisory_xact_lock(1346851673, pg_catalog.hashtext(p_dst));
            v_restored := pg_catalog.cardinality(v_aborted);
            v_settled := v_aborted;
        EXCEPTION WHEN lock_not_available THEN
            -- Writers or a replay hold the locks: restore at the next call, forget nothing aborted.
            v_sql := NULL;
            SELECT COALESCE(pg_catalog.array_agg(f), '{}') INTO v_forget FROM pg_catalog.unnest(v_forget) AS f WHERE f <> ALL (v_aborted);
        END;
    END IF;

    IF v_sql IS NULL AND pg_catalog.cardinality(v_forget) = 0 AND pg_catalog.cardinality(v_settled) = 0 THEN
        RETURN 0;
    END IF;
    -- The restore, and in the same transaction: restored records keep only what tells that
    -- their entries arrived (so that they are not restored again at every call while an old
    -- snapshot keeps them), and settled records go.
    -- (pgsync.restoring tells the destination's own triggers that these writes undo a change.)
    PERFORM @schema@.remote_exec(v_conn,
        @schema@.remote_begin() || '; SET LOCAL pgsync.restoring = on;' || E'\n'
        || COALESCE(v_sql || E';\n', '')
        || pg_catalog.format('UPDATE %s SET nsp_name = NULL, table_name = NULL, keys = NULL, in_savepoint = false WHERE origin = %L AND dst_server = %L AND xact_id = ANY (%L::pg_catalog.xid8[])', (@schema_literal@ || '.applied_entry'), v_origin, p_dst, v_settled)
        || E';\n'
        || pg_catalog.format('DELETE FROM %s WHERE origin = %L AND dst_server = %L AND xact_id = ANY (%L::pg_catalog.xid8[])', (@schema_literal@ || '.applied_entry'), v_origin, p_dst, v_forget)
        || E';\nCOMMIT', v_timeout);
    RETURN v_restored;
EXCEPTION WHEN query_canceled THEN
    -- (A cancel is no error WHEN OTHERS takes: the connection, maybe waiting for a result, goes too.)
    PERFORM @schema@.remote_drop(v_conn);
    RAISE;
WHEN OTHERS THEN
    -- (A destination that is down: the replay records that; here nothing is changed.)
    PERFORM @schema@.remote_drop(v_conn);
    RAISE WARNING 'RoslynPgSync: could not settle what destination server "%" applied: %', p_dst, SQLERRM;
    RETURN 0;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.resolve_applied(text) FROM PUBLIC;
