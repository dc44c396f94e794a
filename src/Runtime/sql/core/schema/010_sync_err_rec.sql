-- The queue: one entry per captured statement and destination (the seed's columns, plus mode).
-- The names are text, not name: 64 fixed bytes each made every entry, and its WAL, larger.
CREATE TABLE IF NOT EXISTS @schema@.sync_err_rec (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    dst_server text NOT NULL,
    dst_query text NOT NULL,
    create_time timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    mode "char" NOT NULL DEFAULT 'a' CHECK (mode IN ('a', 's', 't')),
    row_count bigint NOT NULL DEFAULT 0,
    xact_id xid8 DEFAULT pg_catalog.pg_current_xact_id(),
    keys text
);
-- Looked up by destination, oldest first.
CREATE INDEX IF NOT EXISTS sync_err_rec_dst_server_id ON @schema@.sync_err_rec (dst_server, id);
-- The functions look up one destination's entries with a parameter; after five calls PostgreSQL
-- may plan them once for any destination, from statistics that, when one destination holds nearly
-- every entry, say any destination does: it then scans the whole queue (in id order or
-- sequentially) for a destination that has nothing queued. Telling the planner there are many
-- destinations keeps those plans on the (dst_server, id) index.
ALTER TABLE @schema@.sync_err_rec ALTER COLUMN dst_server SET (n_distinct = 1000);
ANALYZE @schema@.sync_err_rec;
