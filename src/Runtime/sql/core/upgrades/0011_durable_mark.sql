-- A transaction that queues an entry while synchronous_commit is off commits durably all the same
-- (durable_commit, 230_enqueue.sql): its first such entry records it here, and this deferred trigger
-- sets synchronous_commit = on at its commit, where no function's SET clause can take it back (a
-- write made inside a function declared with SET synchronous_commit = off saw durable_commit's SET
-- LOCAL undone when that function returned). The row goes at the same commit.
CREATE TABLE IF NOT EXISTS @schema@.durable_mark (
    xact_id xid8 PRIMARY KEY
);
REVOKE ALL ON @schema@.durable_mark FROM PUBLIC;
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger
                   WHERE tgrelid = (@schema_literal@ || '.durable_mark')::pg_catalog.regclass AND tgname = 'durable_at_commit') THEN
        CREATE CONSTRAINT TRIGGER durable_at_commit AFTER INSERT ON @schema@.durable_mark
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION @schema@.durable_at_commit();
    END IF;
END
$pgsync$;
