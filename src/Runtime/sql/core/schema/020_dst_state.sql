-- Per destination: when it last applied, and the error that stopped it (with the entry and table).
CREATE TABLE IF NOT EXISTS @schema@.dst_state (
    dst_server text PRIMARY KEY,
    last_success timestamp with time zone,
    last_error text,
    last_error_time timestamp with time zone,
    last_error_entry bigint,
    last_error_table text
);
