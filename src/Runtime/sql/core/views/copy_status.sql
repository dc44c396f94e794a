-- Per source table and destination: the initial copy's progress (rows copied of the estimate, rate
-- and time left while it runs) and how it ended.
CREATE OR REPLACE VIEW @schema@.copy_status AS
SELECT c.nsp_name, c.table_name, c.dst_server, c.mode, c.status, c.rows_copied, c.rows_estimate, c.chunks,
       c.last_key, c.started_at, c.updated_at, c.finished_at, c.reason, r.rows_per_second,
       CASE WHEN c.status = 'copying' AND r.rows_per_second > 0 AND c.rows_estimate > c.rows_copied
            THEN pg_catalog.make_interval(secs => (c.rows_estimate - c.rows_copied) / r.rows_per_second) END AS eta
FROM @schema@.copy_state AS c
CROSS JOIN LATERAL (
    SELECT CASE WHEN c.started_at IS NOT NULL AND COALESCE(c.finished_at, c.updated_at) > c.started_at
                THEN c.rows_copied / EXTRACT(epoch FROM COALESCE(c.finished_at, c.updated_at) - c.started_at)::double precision END AS rows_per_second
) AS r;
