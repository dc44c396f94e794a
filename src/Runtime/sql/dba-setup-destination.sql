-- RoslynPgSync: one-time set-up by a DBA in each destination database, for the role that the
-- source's user mapping logs in as (PgSync:Servers:<name>'s Username).
--
--   psql -d <destination database> -v app_role=<destination role> -f dba-setup-destination.sql
--
-- dblink logs in with a password: pg_hba.conf must ask for one (scram-sha-256) for that role on the
-- address the source connects from, or PostgreSQL refuses non-superusers ("password is required").
\set ON_ERROR_STOP on

GRANT CONNECT ON DATABASE :"DBNAME" TO :"app_role";

-- With PgSyncOptions.CreateMissingTables the role creates target schemas and tables itself.
GRANT CREATE ON DATABASE :"DBNAME" TO :"app_role";

-- For target tables that exist already, grant per target schema instead (replace "target"):
--   GRANT USAGE ON SCHEMA target TO app_role;
--   GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA target TO app_role;
