-- RoslynPgSync: one-time set-up by a DBA (a superuser) in the application's own (source) database.
-- Afterwards the application role installs, captures, replays and uninstalls without superuser
-- rights, and no other role can reach the destinations through it.
--
--   psql -d <source database> -v app_role=<application role> -f dba-setup-source.sql
--
-- The application role must also own the replicated tables (it creates triggers on them), as it
-- does when its migrations create them; otherwise: GRANT TRIGGER ON <table> TO <role>.
\set ON_ERROR_STOP on

-- dblink is not a trusted extension: only a superuser can create it. It goes into a schema of its
-- own that PUBLIC cannot use: a writer's session keeps its replication connection open between
-- commits, and any role that may call dblink could use it (any SQL on the destination) or open one
-- under its name. The installer refuses to run while PUBLIC can execute dblink's functions.
CREATE SCHEMA IF NOT EXISTS dblink;
REVOKE ALL ON SCHEMA dblink FROM PUBLIC;
GRANT USAGE ON SCHEMA dblink TO :"app_role";
CREATE EXTENSION IF NOT EXISTS dblink SCHEMA dblink;

-- Wherever dblink lives (also when it was installed earlier, e.g. in public): EXECUTE on its
-- functions for the application role only. (Roles that need dblink for other work must be granted
-- it explicitly; they can then use a replication connection opened in their own sessions, so grant
-- it only to roles you trust as much as the application role.)
SELECT pg_catalog.set_config('pgsync.app_role', :'app_role', false);
DO $pgsync$
DECLARE
    v_function regprocedure;
BEGIN
    FOR v_function IN
        SELECT d.objid::pg_catalog.regprocedure FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
          AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension AS e WHERE e.extname = 'dblink')
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_function);
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %I', v_function, pg_catalog.current_setting('pgsync.app_role'));
    END LOOP;
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO %I',
        (SELECT n.nspname FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = 'dblink'),
        pg_catalog.current_setting('pgsync.app_role'));
END
$pgsync$;
RESET pgsync.app_role;

-- One foreign server per destination, and the role's user mappings, which hold the passwords
-- (readable by that role only: pg_user_mappings hides them from everyone else).
GRANT USAGE ON FOREIGN DATA WRAPPER dblink_fdw TO :"app_role";

-- The pgsync schema (queue, status, functions); not needed when the role owns the database.
GRANT CREATE ON DATABASE :"DBNAME" TO :"app_role";
