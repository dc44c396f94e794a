-- The initial copy of rows that existed before replication (PgSyncOptions.InitialCopy, pgsync copy):
-- per source table and destination, what the copy does, how far it got and how it ended. Written by
-- the installer (a row per table and destination never copied before), by copy_queued (each chunk)
-- and copy_settle (done once every chunk it queued has been applied). It survives restarts: a copy
-- resumes after last_key.
CREATE TABLE IF NOT EXISTS @schema@.copy_state (
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    dst_server text NOT NULL,
    -- upsert: every source row is written over the target's (into an empty target, for
    -- WhenTargetEmpty); replace: the target is emptied first, so it ends equal to the source.
    mode text NOT NULL CHECK (mode IN ('upsert', 'replace')),
    -- pending: not started; copying: chunks queued up to last_key; done: every chunk applied;
    -- skipped: not copied (reason says why); failed: a chunk was skipped by an operator.
    status text NOT NULL CHECK (status IN ('pending', 'copying', 'done', 'skipped', 'failed')),
    last_key text,                 -- the JSON object of the last key queued (NULL: none yet)
    -- The highest key when the copy started: a row above it was written since, and its capture
    -- carries it already, so the copy stops there (and does not chase a growing table's end).
    end_key text,
    all_queued boolean NOT NULL DEFAULT false,
    rows_copied bigint NOT NULL DEFAULT 0,
    rows_estimate bigint,          -- the source's row estimate when the copy started
    chunks bigint NOT NULL DEFAULT 0,
    reason text,
    created_at timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    started_at timestamp with time zone,
    updated_at timestamp with time zone,
    finished_at timestamp with time zone,
    PRIMARY KEY (nsp_name, table_name, dst_server)
);
-- The queue entries a copy queued that have not left the queue yet: a copy is done when none is
-- left, and failed when an operator skipped one (its rows never reached the target).
CREATE TABLE IF NOT EXISTS @schema@.copy_chunk (
    entry_id bigint PRIMARY KEY,
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    dst_server text NOT NULL,
    row_count bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS copy_chunk_table ON @schema@.copy_chunk (nsp_name, table_name, dst_server);
