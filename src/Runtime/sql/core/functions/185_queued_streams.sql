-- The streams (a destination's channels) that have entries queued, each with its oldest entry's id:
-- found on the (dst_server, channel, id) index, one probe per stream (a skip scan), not a pass over
-- the whole queue, so the cost stays the same however deep the backlog is. deal_sync_err_rec takes
-- both its destinations and its streams from it, and the replay worker the channels it drains
-- (PgSyncQueue.QueuedChannels).
CREATE OR REPLACE FUNCTION @schema@.queued_streams()
RETURNS TABLE (dst_server text, channel text, first_id bigint)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $pgsync$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH RECURSIVE d(dst_server, channel) AS (
        (SELECT e.dst_server, e.channel FROM @schema@.sync_err_rec AS e ORDER BY e.dst_server, e.channel LIMIT 1)
        UNION ALL
        SELECT n.dst_server, n.channel FROM d
         CROSS JOIN LATERAL (SELECT e.dst_server, e.channel FROM @schema@.sync_err_rec AS e
                              WHERE (e.dst_server, e.channel) OPERATOR(pg_catalog.>) (d.dst_server, d.channel)
                              ORDER BY e.dst_server, e.channel LIMIT 1) AS n)
    SELECT d.dst_server, d.channel, first.id FROM d
     CROSS JOIN LATERAL (SELECT e.id FROM @schema@.sync_err_rec AS e
                          WHERE e.dst_server = d.dst_server AND e.channel = d.channel ORDER BY e.id LIMIT 1) AS first;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.queued_streams() FROM PUBLIC;
