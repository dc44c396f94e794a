-- The remote SQL of entries p_ids, in id order (queued ones, or with p_xact that transaction's in
-- sync_pending): an entry that holds SQL goes as it is; consecutive compact entries of one
-- statement and kind (0007_compact_entries.sql) go as ONE statement over all their rows, so a
-- backlog of single-row transactions is applied set-based (an upsert's statement keeps the last
-- row of each key: RemoteSql.UpsertLatest). The order of everything else is kept: a run ends at
-- an entry of another table, kind or target, so a delete never passes an upsert of its key.
-- Consecutive TRUNCATE entries of one source transaction (one statement that truncated several
-- tables, truncated_table) go as one TRUNCATE too.
-- Before the first run, and wherever the path changes (a forwarded change's, 0008_forwarding.sql),
-- path_sql tells the destination which nodes the runs that follow have been through.
-- Raises when a compact entry names statements that are not recorded (nothing goes as nothing).
-- Called by apply_pending (as its owner); nobody else may call it.
CREATE OR REPLACE FUNCTION @schema@.batch_sql(p_dst text, p_xact xid8, p_ids bigint[])
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_sql text;
BEGIN
    -- A run's SQL is entry_sql's over all its rows (an entry that holds SQL is a run of its own, so
    -- its text goes as it is); entry_sql raises for statements that are not recorded.
    SELECT string_agg(CASE WHEN g.path_changes THEN @schema@.path_sql(g.path) || E';\n' ELSE '' END || g.sql, E';\n' ORDER BY g.first_id) INTO v_sql
      FROM (SELECT h.first_id, h.path, h.sql,
                   (row_number() OVER (ORDER BY h.first_id) = 1 OR h.path IS DISTINCT FROM lag(h.path) OVER (ORDER BY h.first_id)) AS path_changes
              FROM (SELECT min(r.id) AS first_id, r.path,
                           CASE WHEN r.truncating IS NOT NULL THEN 'TRUNCATE ONLY ' || string_agg(r.truncates, ', ' ORDER BY r.id)
                                ELSE @schema@.entry_sql(r.op, r.statement, string_agg(r.dst_query, ',' ORDER BY r.id)) END AS sql
                      FROM (-- Runs ("gaps and islands"): consecutive entries of one statement, kind and path
                            -- share run; so do consecutive TRUNCATEs of one transaction and path (the
                            -- transaction's id keeps them apart from another's).
                            SELECT e.id, e.op, e.statement, e.dst_query, e.path, e.truncates, e.truncating,
                                   CASE WHEN e.truncating IS NOT NULL
                                        THEN row_number() OVER (ORDER BY e.id) - row_number() OVER (PARTITION BY e.truncating, e.path ORDER BY e.id)
                                        WHEN e.op IS NULL THEN -e.id
                                        ELSE row_number() OVER (ORDER BY e.id) - row_number() OVER (PARTITION BY e.op, e.statement, e.path ORDER BY e.id) END AS run
                              FROM (SELECT q.id, q.op, q.statement, q.dst_query, q.path, t.truncates,
                                           CASE WHEN t.truncates IS NOT NULL THEN q.xact_id END AS truncating
                                      FROM @schema@.sync_err_rec AS q, LATERAL (SELECT @schema@.truncated_table(q.op, q.dst_query) AS truncates) AS t
                                     WHERE p_xact IS NULL AND q.id = ANY (p_ids)
                                    UNION ALL
                                    SELECT p.id, p.op, p.statement, p.dst_query, NULL::text, t.truncates,
                                           CASE WHEN t.truncates IS NOT NULL THEN p.xact_id END
                                      FROM @schema@.sync_pending AS p, LATERAL (SELECT @schema@.truncated_table(p.op, p.dst_query) AS truncates) AS t
                                     WHERE p_xact IS NOT NULL AND p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = ANY (p_ids)) AS e) AS r
                     GROUP BY r.run, r.op, r.statement, r.path, r.truncating) AS h) AS g;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.batch_sql(text, xid8, bigint[]) FROM PUBLIC;

-- The statement that tells a destination which nodes the entries after it have been through: the
-- session's pgsync.path, for the rest of the remote transaction, is p_path (an entry's: NULL for this
-- node's own writes) with this node's identity added. The destination's capture honours it only in a
-- replication session (as pgsync.origin), and forwards a change to none of those nodes.
CREATE OR REPLACE FUNCTION @schema@.path_sql(p_path text)
RETURNS text
LANGUAGE plpgsql
STABLE
AS $pgsync$
BEGIN
    RETURN 'SELECT pg_catalog.set_config(''pgsync.path'', '
           OPERATOR(pg_catalog.||) pg_catalog.quote_literal(pg_catalog.concat_ws(',', p_path, (SELECT i.identity FROM @schema@.node_identity AS i)))
           OPERATOR(pg_catalog.||) ', true)';
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.path_sql(text) FROM PUBLIC;
