-- RoslynPgSync: one-time set-up by a DBA (a superuser) in the application's own (source) database.
-- Afterwards the application role installs, captures, replays and uninstalls without superuser
-- rights.
--
--   psql -d <source database> -v app_role=<application role> -f dba-setup-source.sql
--
-- The application role must also own the replicated tables (it creates triggers on them), as it
-- does when its migrations create them; otherwise: GRANT TRIGGER ON <table> TO <role>.
\set ON_ERROR_STOP on

-- dblink is not a trusted extension: only a superuser can create it.
CREATE EXTENSION IF NOT EXISTS dblink;

-- One foreign server per destination, and the role's user mappings, which hold the passwords
-- (readable by that role only: pg_user_mappings hides them from everyone else).
GRANT USAGE ON FOREIGN DATA WRAPPER dblink_fdw TO :"app_role";

-- The pgsync schema (queue, status, functions); not needed when the role owns the database.
GRANT CREATE ON DATABASE :"DBNAME" TO :"app_role";
