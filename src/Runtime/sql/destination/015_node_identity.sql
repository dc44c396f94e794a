-- What this database is to the nodes that forward changes (ReplicateAttribute.Forward): a random
-- identity, made once by whoever installs RoslynPgSync here first (this node's own installer, or a
-- source preparing it as a destination), the same for both. A change carries the identities of the
-- nodes it has been through (pgsync.path, set by the apply that brings it); a forwarding node learns
-- its destinations' identities at install (pgsync.peer) and sends a change to none it has been through.
-- Read by every role that installs here (it names nothing and grants nothing); written once.
CREATE SCHEMA IF NOT EXISTS @schema@;
CREATE TABLE IF NOT EXISTS @schema@.node_identity (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    identity text NOT NULL DEFAULT pg_catalog.gen_random_uuid()::text
);
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM @schema@.node_identity) THEN
        INSERT INTO @schema@.node_identity DEFAULT VALUES;
    END IF;
    IF pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = (@schema_literal@ || '.node_identity')::pg_catalog.regclass), 'USAGE') THEN
        GRANT SELECT ON @schema@.node_identity TO PUBLIC;
    END IF;
END
$pgsync$;
