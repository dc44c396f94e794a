-- On each destination database: what the apply of a table with a conflict policy calls when a row of
-- its run changed after the statement's snapshot (a local writer, or another node's apply, committed
-- meanwhile): the statement's other steps could not see that change, so it fails with a
-- serialization failure and the origin's apply tries the batch again, with a new snapshot
-- (docs/multi-master.md).
CREATE OR REPLACE FUNCTION @schema@.stale_read(p_nsp text, p_table text, p_key text)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    RAISE EXCEPTION 'RoslynPgSync: a row of %.%, key %, changed while a replicated change of it was being applied; the batch is tried again',
        quote_ident(p_nsp), quote_ident(p_table), p_key
        USING ERRCODE = 'serialization_failure';
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.stale_read(text, text, text) FROM PUBLIC;
