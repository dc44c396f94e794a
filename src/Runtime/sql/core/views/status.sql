-- Per stream (a destination and channel, '' its default channel): how far behind it is and how it
-- last went. (channel is the last column: a view's columns can only be added at its end.)
CREATE OR REPLACE VIEW @schema@.status AS
SELECT d.dst_server,
       pg_catalog.count(e.id) AS depth,
       pg_catalog.min(e.create_time) AS oldest_entry_time,
       pg_catalog.clock_timestamp() - pg_catalog.min(e.create_time) AS oldest_entry_age,
       s.last_success,
       s.last_error,
       s.last_error_time,
       s.last_error_entry,
       s.last_error_table,
       d.channel
FROM (SELECT dst_server, channel FROM @schema@.sync_err_rec UNION SELECT dst_server, channel FROM @schema@.dst_state) AS d
LEFT JOIN @schema@.sync_err_rec AS e ON e.dst_server = d.dst_server AND e.channel = d.channel
LEFT JOIN @schema@.dst_state AS s ON s.dst_server = d.dst_server AND s.channel = d.channel
GROUP BY d.dst_server, d.channel, s.last_success, s.last_error, s.last_error_time, s.last_error_entry, s.last_error_table;
