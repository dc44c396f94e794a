-- On each destination database: what a Conflicts = Error table's apply calls at the first conflict
-- of a batch (docs/multi-master.md). It fails the batch, so the origin's apply stops the queue at
-- the entry that met the conflict, with this error recorded (pgsync.status, dst_state): an operator
-- makes the row what the change expects, or skips the entry there (pgsync.skip_entry), and the queue
-- goes on. The key and the origin are the replication's own values, not user SQL.
CREATE OR REPLACE FUNCTION @schema@.conflict_error(p_nsp text, p_table text, p_key text, p_kind text, p_origin text)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    RAISE EXCEPTION 'RoslynPgSync: conflict % on %.%, key %, in a change from %: Conflicts = Error stops this queue here',
        p_kind, quote_ident(p_nsp), quote_ident(p_table), p_key, p_origin
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Make the row what the change expects, or skip the entry on its origin with pgsync.skip_entry, then replay.';
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.conflict_error(text, text, text, text, text) FROM PUBLIC;
