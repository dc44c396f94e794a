-- The tables whose Sync or Strict entries a committing transaction leaves in the queue (flush_at_commit
-- queues them here), until mark_queued marks them at the end of its commit: see 205_mark_queued.sql.
-- Unlogged, and emptied by the transaction that wrote it: a row lives only within its transaction.
DO $pgsync$
BEGIN
    IF pg_catalog.to_regclass((@schema_literal@ || '.queued_mark')) IS NULL THEN
        EXECUTE pg_catalog.format(
            $sql$CREATE UNLOGGED TABLE %s (
                xact_id xid8 NOT NULL,
                nsp_name text NOT NULL,
                table_name text NOT NULL,
                PRIMARY KEY (xact_id, nsp_name, table_name))$sql$,
            (@schema_literal@ || '.queued_mark'));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger
                   WHERE tgrelid = (@schema_literal@ || '.queued_mark')::pg_catalog.regclass AND tgname = 'mark_queued') THEN
        CREATE CONSTRAINT TRIGGER mark_queued AFTER INSERT ON @schema@.queued_mark
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION @schema@.mark_queued();
    END IF;
END
$pgsync$;
