-- On each destination database, over the destination's own connection: the conflicts its apply met
-- on tables resolved by LastWriterWins (docs/multi-master.md), written by the apply's own statement,
-- in the transaction that applies the change. kind: PostgreSQL 18's names (insert_exists,
-- update_missing, update_origin_differs, delete_missing, delete_origin_differs); resolution:
-- apply_remote (the incoming write won) or keep_local (the row here stays); both rows as JSON, each
-- capped at 8192 characters; local_* the stamp the destination held (NULL: none), remote_* the
-- incoming one; entries: the first and last queue entry of the batch on the origin. Kept for the
-- retention the replay worker enforces (PgSyncHostOptions.ConflictRetention).
-- And, on a table of any policy, an incoming row that collides with a row here on a unique index
-- other than the key, which fails the batch and stops the queue at the entry: recorded by the origin's
-- apply after the failure (unique_conflict, 035_unique_conflict.sql).
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
    entries text,
    index_name text
);
CREATE INDEX IF NOT EXISTS conflict_log_logged_at ON @schema@.conflict_log (logged_at);
REVOKE ALL ON @schema@.conflict_log FROM PUBLIC;
-- The conflicts recorded, per table, kind, resolution and origin, since the log was made: kept by a
-- trigger on the log, in the transaction that records them, so a record counts when and only when
-- it commits, whatever its id (a transaction can commit after one holding a later id). What the
-- replay worker's metric pgsync.conflicts reads (conflict_totals); not purged with the records. Per
-- origin: the applies of different origins never wait on each other's counts; one origin's applies
-- to this database run one at a time per channel, and a table is in one channel. The groups are
-- upserted in key order, so two recorders that meet wait rather than deadlock.
CREATE TABLE IF NOT EXISTS @schema@.conflict_counts (
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    kind text NOT NULL,
    resolution text NOT NULL,
    remote_origin text NOT NULL,
    recorded bigint NOT NULL,
    PRIMARY KEY (nsp_name, table_name, kind, resolution, remote_origin)
);
REVOKE ALL ON @schema@.conflict_counts FROM PUBLIC;
-- Runs as the recorder (the role the apply logs in as, which owns the log or is a member of its owner).
CREATE OR REPLACE FUNCTION @schema@.count_conflicts()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    INSERT INTO @schema@.conflict_counts AS c (nsp_name, table_name, kind, resolution, remote_origin, recorded)
    SELECT n.nsp_name, n.table_name, n.kind, n.resolution, n.remote_origin, pg_catalog.count(*)
      FROM pgsync_recorded AS n
     GROUP BY 1, 2, 3, 4, 5
     ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (nsp_name, table_name, kind, resolution, remote_origin) DO UPDATE SET recorded = c.recorded + EXCLUDED.recorded;
    RETURN NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.count_conflicts() FROM PUBLIC;
-- Changes to the log only its owner may make (a log from before them gets them at the owner's next
-- install; a role that is no member of the owner cannot record conflicts here at all):
-- index_name, a unique index other than the key that an incoming row collided with (kind
-- insert_exists or update_exists, resolution error: unique_conflict, 035_unique_conflict.sql); and
-- the trigger that keeps conflict_counts.
DO $pgsync$
BEGIN
    IF pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = (@schema_literal@ || '.conflict_log')::pg_catalog.regclass), 'USAGE') THEN
        ALTER TABLE @schema@.conflict_log ADD COLUMN IF NOT EXISTS index_name text;
        CREATE OR REPLACE TRIGGER conflict_counts AFTER INSERT ON @schema@.conflict_log
            REFERENCING NEW TABLE AS pgsync_recorded
            FOR EACH STATEMENT EXECUTE FUNCTION @schema@.count_conflicts();
    END IF;
END
$pgsync$;
