-- The RoslynPgSync schema and the record of which schema versions are installed (the tables of
-- version 1 are in schema/, every later change in upgrades/NNNN_*.sql). Functions and views are
-- not versioned: every install replaces them.
CREATE SCHEMA IF NOT EXISTS @schema@;
CREATE TABLE IF NOT EXISTS @schema@.schema_version (
    version integer PRIMARY KEY,
    description text NOT NULL,
    installed_at timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    installed_by name NOT NULL DEFAULT SESSION_USER
);
