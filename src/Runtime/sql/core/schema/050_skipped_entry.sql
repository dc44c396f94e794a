-- Entries an operator skipped with skip_entry, kept with the error that stopped them.
CREATE TABLE IF NOT EXISTS @schema@.skipped_entry (
    id bigint PRIMARY KEY,
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    dst_server text NOT NULL,
    dst_query text NOT NULL,
    create_time timestamp with time zone NOT NULL,
    mode "char" NOT NULL,
    row_count bigint NOT NULL,
    error text,
    skipped_at timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    skipped_by name NOT NULL DEFAULT SESSION_USER
);
