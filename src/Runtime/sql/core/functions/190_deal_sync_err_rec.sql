-- The seed's replay function: applies up to i_limit of the oldest entries, stream by stream
-- (destination and channel, oldest first), and returns how many it applied. A stream that fails
-- keeps its entries and does not hold back the others; a stream that another session is applying
-- is left to it.
CREATE OR REPLACE FUNCTION @schema@.deal_sync_err_rec(i_limit integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_dst text;
    v_stream record;
    v_total integer := 0;
    v_applied integer;
BEGIN
    -- First what destinations applied and this node did not settle (see resolve_applied): every
    -- destination this node replicates to (its foreign servers carry application_name pgsync:...),
    -- and any the queue names (queued_streams: a skip scan, not a pass over the whole queue).
    FOR v_dst IN
        SELECT s.dst_server FROM @schema@.dst_state AS s
        UNION SELECT q.dst_server FROM @schema@.queued_streams() AS q
        UNION SELECT f.srvname::text FROM pg_catalog.pg_foreign_server AS f
               WHERE EXISTS (SELECT 1 FROM pg_catalog.unnest(f.srvoptions) AS o WHERE o LIKE 'application_name=pgsync:%')
                 AND pg_catalog.has_server_privilege(f.oid, 'USAGE')
    LOOP
        PERFORM @schema@.resolve_applied(v_dst);
    END LOOP;
    -- The streams with entries (a destination's channels), oldest head first.
    FOR v_stream IN
        SELECT q.dst_server, q.channel FROM @schema@.queued_streams() AS q ORDER BY q.first_id
    LOOP
        EXIT WHEN v_total >= i_limit;
        -- A stream another session is applying (the worker) is left to it: waiting for it here would
        -- hold back the streams this call applied before, whose locks it keeps until it returns.
        CONTINUE WHEN NOT @schema@.try_lock_stream(v_stream.dst_server, v_stream.channel);
        -- Batch after batch (each bounded by pgsync.batch_bytes too): up to i_limit entries in all,
        -- until the stream has none left or takes none.
        LOOP
            v_applied := @schema@.apply_pending(v_stream.dst_server, v_stream.channel, i_limit - v_total, false, NULL);
            v_total := v_total + v_applied;
            EXIT WHEN v_applied = 0 OR v_total >= i_limit;
        END LOOP;
    END LOOP;
    RETURN v_total;
END
$pgsync$;
-- Operators may be granted it: GRANT EXECUTE ON FUNCTION @schema@.deal_sync_err_rec(integer) TO ...
REVOKE ALL ON FUNCTION @schema@.deal_sync_err_rec(integer) FROM PUBLIC;
