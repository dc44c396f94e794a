-- Per destination: how far behind it is and how it last went.
CREATE OR REPLACE VIEW @schema@.status AS
SELECT d.dst_server,
       pg_catalog.count(e.id) AS depth,
       pg_catalog.min(e.create_time) AS oldest_entry_time,
       pg_catalog.clock_timestamp() - pg_catalog.min(e.create_time) AS oldest_entry_age,
       s.last_success,
       s.last_error,
       s.last_error_time,
       s.last_error_entry,
       s.last_error_table
FROM (SELECT dst_server FROM @schema@.sync_err_rec UNION SELECT dst_server FROM @schema@.dst_state) AS d
LEFT JOIN @schema@.sync_err_rec AS e ON e.dst_server = d.dst_server
LEFT JOIN @schema@.dst_state AS s ON s.dst_server = d.dst_server
GROUP BY d.dst_server, s.last_success, s.last_error, s.last_error_time, s.last_error_entry, s.last_error_table;
