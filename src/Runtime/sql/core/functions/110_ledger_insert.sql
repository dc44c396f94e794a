-- The remote statement that records, in the same remote transaction as the entries, that the
-- destination applied them: origin, entry ids, the applying (local) transaction, and for entries
-- of that transaction itself (sent before its commit was certain) their table and keys. The
-- destination's primary key on (origin, entry) refuses a second application of an entry.
-- An entry is known by its id and its create_time (in microseconds): after a crash of this
-- node, the id of an entry whose transaction never committed can come back from the sequence.
-- This node's incarnation tells whether an applying transaction ran before a crash, when its
-- xid may have come back too.
-- Then the batch's first and last entry as the transaction-local setting pgsync.entries, which the
-- destination's conflict log records (docs/multi-master.md).
CREATE OR REPLACE FUNCTION @schema@.ledger_insert(p_origin text, p_dst text, p_xact xid8, p_incarnation bigint, p_ids bigint[], p_times bigint[], p_nsps text[], p_tables text[], p_keys text[], p_savepoint boolean[])
RETURNS text
LANGUAGE sql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $pgsync$
    -- (One entry, the usual Sync commit: plain VALUES, which the destination plans fastest.)
    SELECT CASE WHEN pg_catalog.cardinality(p_ids) = 1 THEN pg_catalog.format(
        'INSERT INTO %s (origin, dst_server, xact_id, incarnation, entry_id, entry_time, nsp_name, table_name, keys, in_savepoint) VALUES (%L, %L, %L, %s, %s, %s, %L, %L, %L, %L)',
        (@schema_literal@ || '.applied_entry'), p_origin, p_dst, p_xact, p_incarnation, p_ids[1], p_times[1], p_nsps[1], p_tables[1], p_keys[1], COALESCE(p_savepoint[1], false))
    ELSE pg_catalog.format(
        'INSERT INTO %s (origin, dst_server, xact_id, incarnation, entry_id, entry_time, nsp_name, table_name, keys, in_savepoint) SELECT %L, %L, %L::pg_catalog.xid8, %s, u.i, u.t, u.n, u.r, u.k, COALESCE(u.s, false) FROM ROWS FROM (pg_catalog.unnest(%L::bigint[]), pg_catalog.unnest(%L::bigint[]), pg_catalog.unnest(%L::text[]), pg_catalog.unnest(%L::text[]), pg_catalog.unnest(%L::text[]), pg_catalog.unnest(%L::boolean[])) AS u(i, t, n, r, k, s)',
        (@schema_literal@ || '.applied_entry'), p_origin, p_dst, p_xact, p_incarnation, p_ids, p_times, p_nsps, p_tables, p_keys, p_savepoint) END
        || pg_catalog.format(E';\nSET LOCAL pgsync.entries = %L', p_ids[1] || '-' || p_ids[pg_catalog.cardinality(p_ids)])
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.ledger_insert(text, text, xid8, bigint, bigint[], bigint[], text[], text[], text[], boolean[]) FROM PUBLIC;
