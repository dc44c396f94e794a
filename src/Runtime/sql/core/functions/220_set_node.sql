-- This node's row (see schema/060_node.sql): its origin is made once, from the node name and a
-- random part; its commit_timeout is the installer's (PgSyncOptions.CommitTimeout), written only
-- when it changed.
CREATE OR REPLACE FUNCTION @schema@.set_node(p_name text, p_commit_timeout interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    INSERT INTO @schema@.node AS n (origin, commit_timeout)
    VALUES (p_name || '/' || pg_catalog.gen_random_uuid(), p_commit_timeout)
    ON CONFLICT (singleton) DO UPDATE SET commit_timeout = EXCLUDED.commit_timeout
     WHERE n.commit_timeout IS DISTINCT FROM EXCLUDED.commit_timeout;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.set_node(text, interval) FROM PUBLIC;
