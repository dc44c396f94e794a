-- The seed's replay function: applies up to i_limit of the oldest entries, destination by
-- destination (oldest first), and returns how many it applied. A destination that fails
-- keeps its entries and does not hold back the others.
CREATE OR REPLACE FUNCTION @schema@.deal_sync_err_rec(i_limit integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_dst text;
    v_total integer := 0;
    v_applied integer;
BEGIN
    -- First what destinations applied and this node did not settle (see resolve_applied): every
    -- destination this node replicates to (its foreign servers carry application_name pgsync:...).
    FOR v_dst IN
        SELECT d.dst_server FROM (
            SELECT s.dst_server FROM @schema@.dst_state AS s
            UNION SELECT e.dst_server FROM @schema@.sync_err_rec AS e
            UNION SELECT f.srvname::text FROM pg_catalog.pg_foreign_server AS f
                   WHERE EXISTS (SELECT 1 FROM pg_catalog.unnest(f.srvoptions) AS o WHERE o LIKE 'application_name=pgsync:%')
                     AND pg_catalog.has_server_privilege(f.oid, 'USAGE')) AS d
    LOOP
        PERFORM @schema@.resolve_applied(v_dst);
    END LOOP;
    -- The destinations with entries, oldest first, found on the (dst_server, id) index: one probe per
    -- destination (a skip scan), not a pass over the whole queue, so each call costs the same
    -- however deep the backlog is.
    FOR v_dst IN
        WITH RECURSIVE d(dst_server) AS (
            (SELECT e.dst_server FROM @schema@.sync_err_rec AS e ORDER BY e.dst_server LIMIT 1)
            UNION ALL
            SELECT (SELECT e.dst_server FROM @schema@.sync_err_rec AS e
                     WHERE e.dst_server OPERATOR(pg_catalog.>) d.dst_server ORDER BY e.dst_server LIMIT 1)
              FROM d WHERE d.dst_server IS NOT NULL)
        SELECT d.dst_server FROM d
         CROSS JOIN LATERAL (SELECT e.id FROM @schema@.sync_err_rec AS e WHERE e.dst_server = d.dst_server ORDER BY e.id LIMIT 1) AS first
         WHERE d.dst_server IS NOT NULL
         ORDER BY first.id
    LOOP
        EXIT WHEN v_total >= i_limit;
        -- Batch after batch (each bounded by pgsync.batch_bytes too): up to i_limit entries in all,
        -- until the destination has none left or takes none.
        LOOP
            v_applied := @schema@.apply_pending(v_dst, i_limit - v_total, false, NULL);
            v_total := v_total + v_applied;
            EXIT WHEN v_applied = 0 OR v_total >= i_limit;
        END LOOP;
    END LOOP;
    RETURN v_total;
END
$pgsync$;
-- Operators may be granted it: GRANT EXECUTE ON FUNCTION @schema@.deal_sync_err_rec(integer) TO ...
REVOKE ALL ON FUNCTION @schema@.deal_sync_err_rec(integer) FROM PUBLIC;
