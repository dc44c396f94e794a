-- The remote SQL of entries p_ids, in id order (queued ones, or with p_xact that transaction's in
-- sync_pending): an entry that holds SQL goes as it is; consecutive compact entries of one
-- statement and kind (0007_compact_entries.sql) go as ONE statement over all their rows, so a
-- backlog of single-row transactions is applied set-based (an upsert's statement keeps the last
-- row of each key: RemoteSql.UpsertLatest). The order of everything else is kept: a run ends at
-- an entry of another table, kind or target, so a delete never passes an upsert of its key.
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
    SELECT string_agg(g.sql, E';\n' ORDER BY g.first_id) INTO v_sql
      FROM (SELECT min(r.id) AS first_id, @schema@.entry_sql(r.op, r.statement, string_agg(r.dst_query, ',' ORDER BY r.id)) AS sql
              FROM (-- Runs ("gaps and islands"): consecutive entries of one statement and kind share
                    -- run.
                    SELECT e.id, e.op, e.statement, e.dst_query,
                           CASE WHEN e.op IS NULL THEN -e.id
                                ELSE row_number() OVER (ORDER BY e.id) - row_number() OVER (PARTITION BY e.op, e.statement ORDER BY e.id) END AS run
                      FROM (SELECT q.id, q.op, q.statement, q.dst_query FROM @schema@.sync_err_rec AS q
                             WHERE p_xact IS NULL AND q.id = ANY (p_ids)
                            UNION ALL
                            SELECT p.id, p.op, p.statement, p.dst_query FROM @schema@.sync_pending AS p
                             WHERE p_xact IS NOT NULL AND p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = ANY (p_ids)) AS e) AS r
             GROUP BY r.run, r.op, r.statement) AS g;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.batch_sql(text, xid8, bigint[]) FROM PUBLIC;
