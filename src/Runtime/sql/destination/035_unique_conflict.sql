-- On each destination database: what the origin's apply calls, outside any transaction, after the
-- destination rejected a queue entry with a unique violation (PostgreSQL 18's insert_exists or
-- update_exists on an index other than the key, which no policy resolves here): the batch failed and
-- the queue stops at the entry, its error recorded on the origin (pgsync.status, dst_state). This
-- records the conflict here too, in conflict_log, where the others are (resolution 'error'): the
-- index, the incoming row's key, the incoming row and the row here it collides with (each capped at
-- 8192 characters), the origin, the entry's write time and the entry. Once per entry: the worker
-- tries the entry again and again until an operator resolves it (pgsync.skip_entry, or by freeing
-- the value).
-- p_sql: the entry's remote statement, run again in a subtransaction that is always rolled back,
-- to learn which constraint it violates now (nothing is recorded when it violates none). p_rows: the
-- entry's rows (a compact upsert's, as a JSON array; NULL for an entry that holds SQL: then only the
-- constraint's own description of the key is recorded). Runs as its caller (the replication's login
-- here, which runs such statements anyway); nobody else may call it.
CREATE OR REPLACE FUNCTION @schema@.unique_conflict(p_sql text, p_rows text, p_origin text, p_entry bigint, p_at timestamp with time zone)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_index text;
    v_schema text;
    v_table text;
    v_detail text;
    v_target regclass;
    v_columns text[];
    v_keys text[];
    v_key text;
    v_remote text;
    v_local text;
    v_existed boolean;
    v_id bigint;
BEGIN
    SELECT c.id INTO v_id FROM @schema@.conflict_log AS c
     WHERE c.remote_origin = p_origin AND c.entries = p_entry || '-' || p_entry AND c.resolution = 'error' AND c.index_name IS NOT NULL;
    IF FOUND THEN
        RETURN v_id;
    END IF;
    BEGIN
        EXECUTE p_sql;
        RAISE EXCEPTION 'rolled back' USING ERRCODE = 'P0004';
    EXCEPTION
        WHEN unique_violation THEN
            GET STACKED DIAGNOSTICS v_index = CONSTRAINT_NAME, v_schema = SCHEMA_NAME, v_table = TABLE_NAME, v_detail = PG_EXCEPTION_DETAIL;
        WHEN OTHERS THEN
            RETURN NULL; -- (it went through this time, or failed otherwise: nothing to record)
    END;
    v_target := pg_catalog.format('%I.%I', v_schema, v_table)::regclass;

    -- The index's columns (none for an expression index) and the key's.
    SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.n) FILTER (WHERE NOT i.indisprimary),
           pg_catalog.bool_or(k.attnum = 0) FILTER (WHERE NOT i.indisprimary)
      INTO v_columns, v_existed
      FROM pg_catalog.pg_index AS i
      JOIN pg_catalog.pg_class AS x ON x.oid = i.indexrelid
     CROSS JOIN LATERAL pg_catalog.unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
      LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = v_target AND x.relname = v_index;
    IF v_existed THEN
        v_columns := NULL;
    END IF;
    SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.n) INTO v_keys
      FROM pg_catalog.pg_index AS i
     CROSS JOIN LATERAL pg_catalog.unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = v_target AND i.indisprimary;
    v_existed := NULL;

    -- The incoming row that collides with a row here (another key, the same values in the index), that
    -- row, and whether the incoming key was here already (update_exists) or not (insert_exists).
    IF p_rows IS NOT NULL AND v_columns IS NOT NULL AND v_keys IS NOT NULL THEN
        BEGIN
            EXECUTE pg_catalog.format(
                'SELECT pg_catalog.json_build_object(%s)::text, pg_catalog.row_to_json(r)::text, pg_catalog.row_to_json(l)::text, '
                'EXISTS (SELECT 1 FROM %s AS h WHERE %s) '
                'FROM pg_catalog.json_array_elements($1::pg_catalog.json) AS e (v) '
                'CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::%s, e.v) AS r '
                'JOIN %s AS l ON %s WHERE NOT (%s) LIMIT 1',
                (SELECT pg_catalog.string_agg(pg_catalog.format('%L, r.%I', c, c), ', ') FROM pg_catalog.unnest(v_keys) AS c),
                v_target, (SELECT pg_catalog.string_agg(pg_catalog.format('h.%1$I = r.%1$I', c), ' AND ') FROM pg_catalog.unnest(v_keys) AS c),
                v_target, v_target,
                (SELECT pg_catalog.string_agg(pg_catalog.format('l.%1$I = r.%1$I', c), ' AND ') FROM pg_catalog.unnest(v_columns) AS c),
                (SELECT pg_catalog.string_agg(pg_catalog.format('l.%1$I = r.%1$I', c), ' AND ') FROM pg_catalog.unnest(v_keys) AS c))
              INTO v_key, v_remote, v_local, v_existed
              USING p_rows;
        EXCEPTION WHEN OTHERS THEN
            NULL; -- (rows this table cannot read: the constraint's description will do)
        END;
    END IF;

    INSERT INTO @schema@.conflict_log (nsp_name, table_name, key, kind, resolution, local_row, remote_origin, remote_at, remote_row, entries, index_name)
    VALUES (v_schema, v_table, COALESCE(v_key, v_detail, '?'), CASE WHEN v_existed THEN 'update_exists' ELSE 'insert_exists' END, 'error',
            pg_catalog.left(v_local, 8192), p_origin, p_at, pg_catalog.left(v_remote, 8192), p_entry || '-' || p_entry, v_index)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.unique_conflict(text, text, text, bigint, timestamp with time zone) FROM PUBLIC;
