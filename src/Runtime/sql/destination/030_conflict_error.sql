-- On each destination database: what a Conflicts = Error table's apply calls at the first conflict
-- of a batch (docs/multi-master.md). It fails the batch, so the origin's apply stops the queue at
-- the entry that met the conflict, with this error recorded (pgsync.status, dst_state): an operator
-- skips the entry there (pgsync.skip_entry), the queue goes on, and writes the row as it should be. The key and the origin are the replication's own values, not user SQL.
CREATE OR REPLACE FUNCTION @schema@.conflict_error(p_nsp text, p_table text, p_key text, p_kind text, p_origin text)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    RAISE EXCEPTION 'RoslynPgSync: conflict % on %.%, key %, in a change from %: Conflicts = Error stops this queue here',
        p_kind, quote_ident(p_nsp), quote_ident(p_table), p_key, p_origin
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Skip the entry on its origin with pgsync.skip_entry, then write the row as it should be.';
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.conflict_error(text, text, text, text, text) FROM PUBLIC;
