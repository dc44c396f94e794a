-- On each destination database, over the destination's own connection: the conflicts its apply met
-- on tables resolved by LastWriterWins (docs/multi-master.md), written by the apply's own statement,
-- in the transaction that applies the change. kind: PostgreSQL 18's names (insert_exists,
-- update_missing, update_origin_differs, delete_missing, delete_origin_differs); resolution:
-- apply_remote (the incoming write won) or keep_local (the row here stays); both rows as JSON, each
-- capped at 8192 characters; local_* the stamp the destination held (NULL: none), remote_* the
-- incoming one; entries: the first and last queue entry of the batch on the origin. Kept for the
-- retention the replay worker enforces (PgSyncHostOptions.ConflictRetention).
CREATE TABLE IF NOT EXISTS @schema@.conflict_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    logged_at timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    key text NOT NULL,
    kind text NOT NULL,
    resolution text NOT NULL,
    local_origin text,
    local_at timestamp with time zone,
    local_row text,
    remote_origin text NOT NULL,
    remote_at timestamp with time zone NOT NULL,
    remote_row text,
    entries text
);
CREATE INDEX IF NOT EXISTS conflict_log_logged_at ON @schema@.conflict_log (logged_at);
REVOKE ALL ON @schema@.conflict_log FROM PUBLIC;
