-- Sync and Strict entries are sent when their transaction commits: this deferred trigger fires
-- flush_at_commit for each of them.
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger
                   WHERE tgrelid = (@schema_literal@ || '.sync_pending')::pg_catalog.regclass AND tgname = 'flush_at_commit') THEN
        CREATE CONSTRAINT TRIGGER flush_at_commit AFTER INSERT ON @schema@.sync_pending
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION @schema@.flush_at_commit();
    END IF;
END
$pgsync$;
