-- On each destination database, over the destination's own connection (as the role its user
-- mapping logs in as): the record of the entries it applied, per origin (this node's and any
-- other's that replicates to it). One row per queue entry, written in the same transaction as the
-- entry's changes: the primary key refuses a second application, and the source removes the rows
-- it has settled (a few seconds' worth). Entries of a transaction applied before it committed also
-- carry the source table and the keys they touched, to restore them should that transaction abort.
CREATE SCHEMA IF NOT EXISTS @schema@;
CREATE TABLE IF NOT EXISTS @schema@.applied_entry (
    origin text NOT NULL,
    entry_id bigint NOT NULL,
    dst_server text NOT NULL,
    xact_id xid8 NOT NULL,
    incarnation bigint NOT NULL,
    entry_time bigint NOT NULL,
    nsp_name text,
    table_name text,
    keys text,
    in_savepoint boolean NOT NULL DEFAULT false,
    applied_at timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    CONSTRAINT applied_entry_pkey PRIMARY KEY (origin, entry_id, entry_time)
);
REVOKE ALL ON @schema@.applied_entry FROM PUBLIC;
