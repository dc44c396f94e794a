-- The conflicts this database recorded as a destination, per table, kind and resolution, since its
-- conflict log was made (conflict_counts, kept in the recording transactions; no rows when it is no
-- destination of a table with a conflict policy). The replay worker's metric pgsync.conflicts adds
-- what grew since its last look: one query per look, and a record that commits after one with a
-- later id is counted all the same. Called by the worker (as the installing role); nobody else may
-- call it.
CREATE OR REPLACE FUNCTION @schema@.conflict_totals()
RETURNS TABLE (nsp_name text, table_name text, kind text, resolution text, recorded bigint)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    IF pg_catalog.to_regclass(@schema_literal@ || '.conflict_counts') IS NOT NULL THEN
        RETURN QUERY EXECUTE pg_catalog.format(
            'SELECT c.nsp_name, c.table_name, c.kind, c.resolution, pg_catalog.sum(c.recorded)::bigint FROM %s AS c GROUP BY 1, 2, 3, 4',
            @schema_literal@ || '.conflict_counts');
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.conflict_totals() FROM PUBLIC;
