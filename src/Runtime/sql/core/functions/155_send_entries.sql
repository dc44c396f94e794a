-- Sends entries p_ids (queued ones, or with p_xact that transaction's in sync_pending) to the open
-- connection p_conn in ONE remote transaction: p_head (BEGIN, the ledger) with p_first (the SQL of
-- the first p_first_count entries, already built by the caller), then the rest in messages of
-- about p_max_bytes each, then COMMIT. A batch holds whole source transactions, which may be far
-- larger than one message may be (a statement of millions of rows is many entries of one
-- transaction): the messages bound what each side holds at once, the one remote transaction keeps
-- the source transaction whole. Raises what the destination raises; the caller drops the
-- connection, and the remote transaction with it.
-- Consecutive TRUNCATE entries of one source transaction go as one statement, as in batch_sql
-- (truncated_table), also where such a run goes on past p_first.
-- Called by apply_pending (as its owner); nobody else may call it.
CREATE OR REPLACE FUNCTION @schema@.send_entries(p_conn text, p_dst text, p_xact xid8, p_ids bigint[], p_head text,
    p_first text, p_first_count integer, p_max_bytes bigint, p_timeout interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_parts text[] := ARRAY[p_head];
    v_bytes bigint := octet_length(p_head);
    v_query text;
    v_path text;
    v_last_path text; -- the path of the entry before (batch_sql's for those in p_first)
    v_told boolean := false; -- whether the destination has been told a path yet
    v_truncates text; -- the entry's table when it is a TRUNCATE
    v_xact xid8; -- and its transaction
    v_truncating xid8; -- the transaction whose TRUNCATE the last statement is (and may take more tables)
BEGIN
    IF p_first IS NOT NULL THEN
        v_parts := v_parts || p_first;
        v_bytes := v_bytes + octet_length(p_first);
        v_told := true;
        IF p_xact IS NULL AND p_first_count > 0 THEN
            SELECT e.path, CASE WHEN @schema@.truncated_table(e.op, e.dst_query) IS NOT NULL THEN e.xact_id END INTO v_last_path, v_truncating
              FROM @schema@.sync_err_rec AS e WHERE e.id = p_ids[p_first_count];
        ELSIF p_first_count > 0 THEN
            SELECT CASE WHEN @schema@.truncated_table(p.op, p.dst_query) IS NOT NULL THEN p.xact_id END INTO v_truncating
              FROM @schema@.sync_pending AS p WHERE p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = p_ids[p_first_count];
        END IF;
    END IF;
    FOR v_i IN COALESCE(p_first_count, 0) + 1 .. COALESCE(cardinality(p_ids), 0) LOOP
        IF p_xact IS NULL THEN
            SELECT @schema@.entry_sql(e.op, e.statement, e.dst_query), e.path, @schema@.truncated_table(e.op, e.dst_query), e.xact_id
              INTO STRICT v_query, v_path, v_truncates, v_xact FROM @schema@.sync_err_rec AS e WHERE e.id = p_ids[v_i];
        ELSE
            SELECT @schema@.entry_sql(p.op, p.statement, p.dst_query), NULL::text, @schema@.truncated_table(p.op, p.dst_query), p.xact_id
              INTO STRICT v_query, v_path, v_truncates, v_xact FROM @schema@.sync_pending AS p
             WHERE p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = p_ids[v_i];
        END IF;
        -- One more table of the TRUNCATE before it (the last statement so far, whichever message it is in).
        IF v_truncates IS NOT NULL AND v_truncating = v_xact AND v_told AND v_path IS NOT DISTINCT FROM v_last_path AND cardinality(v_parts) > 0 THEN
            v_parts[cardinality(v_parts)] := v_parts[cardinality(v_parts)] || ', ' || v_truncates;
            v_bytes := v_bytes + octet_length(v_truncates) + 2;
            CONTINUE;
        END IF;
        v_truncating := CASE WHEN v_truncates IS NOT NULL THEN v_xact END;
        -- (The nodes a forwarded entry has been through, as batch_sql tells them.)
        IF NOT v_told OR v_path IS DISTINCT FROM v_last_path THEN
            v_query := @schema@.path_sql(v_path) || E';\n' || v_query;
            v_told := true;
            v_last_path := v_path;
        END IF;
        IF v_bytes > 0 AND v_bytes + octet_length(v_query) > p_max_bytes THEN
            PERFORM @schema@.remote_exec(p_conn, array_to_string(v_parts, E';\n'), p_timeout);
            v_parts := '{}';
            v_bytes := 0;
        END IF;
        v_parts := v_parts || v_query;
        v_bytes := v_bytes + octet_length(v_query);
    END LOOP;
    PERFORM @schema@.remote_exec(p_conn, array_to_string(v_parts || 'COMMIT'::text, E';\n'), p_timeout);
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.send_entries(text, text, xid8, bigint[], text, text, integer, bigint, interval) FROM PUBLIC;
