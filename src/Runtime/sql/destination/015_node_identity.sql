-- What this database is to the nodes that forward changes (ReplicateAttribute.Forward): a random
-- identity, made once by whoever installs RoslynPgSync here first (this node's own installer, or a
-- source preparing it as a destination), the same for both. A change carries the identities of the
-- nodes it has been through (pgsync.path, set by the apply that brings it); a forwarding node learns
-- its destinations' identities (pgsync.peer) and sends a change to none it has been through.
-- made_in: the cluster (its system identifier) and database (its oid) the identity was made in. A
-- copy of the database (a dump restored elsewhere, CREATE DATABASE ... TEMPLATE) carries the row
-- along, and would be taken for the database it was copied from: where made_in is not here, the
-- identity is made again. A physical copy (a base backup, a promoted standby) has the same cluster
-- and oid, and cannot be told apart here: the installer refuses it (two servers, one identity).
-- (A row from before made_in is recorded as made here.)
-- Read by every role that installs here (it names nothing and grants nothing); written by its owner.
CREATE SCHEMA IF NOT EXISTS @schema@;
CREATE TABLE IF NOT EXISTS @schema@.node_identity (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    identity text NOT NULL DEFAULT pg_catalog.gen_random_uuid()::text,
    made_in text
);
DO $pgsync$
DECLARE
    v_here constant text := (SELECT s.system_identifier::text FROM pg_catalog.pg_control_system() AS s)
        OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||)
        (SELECT d.oid::text FROM pg_catalog.pg_database AS d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database());
BEGIN
    IF pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = (@schema_literal@ || '.node_identity')::pg_catalog.regclass), 'USAGE') THEN
        ALTER TABLE @schema@.node_identity ADD COLUMN IF NOT EXISTS made_in text;
        IF NOT EXISTS (SELECT 1 FROM @schema@.node_identity) THEN
            INSERT INTO @schema@.node_identity (made_in) VALUES (v_here);
        END IF;
        UPDATE @schema@.node_identity AS i
           SET identity = CASE WHEN i.made_in IS NULL THEN i.identity ELSE pg_catalog.gen_random_uuid()::text END, made_in = v_here
         WHERE i.made_in IS DISTINCT FROM v_here;
        GRANT SELECT ON @schema@.node_identity TO PUBLIC;
    END IF;
END
$pgsync$;
