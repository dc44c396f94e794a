-- The tables sources write here, and the check every remote transaction that writes them runs first
-- (remote_begin): a table's triggers run as the role that writes it, and the apply writes as the role
-- the source's user mapping logs in as, so an owner without that role's rights would get them through
-- a trigger (every other target, applied_entry by which sources dequeue, on a multi-master node the
-- installing role's). The installer refuses such a table and records the rest here per source
-- (its database identity) and server name; the check refuses the apply while one's owner is, or
-- has become, another role: neither this role nor a member of it (nor a superuser), nor a role
-- this one is a member of (a multi-master node's replication login and its installing role).
CREATE SCHEMA IF NOT EXISTS @schema@;
CREATE TABLE IF NOT EXISTS @schema@.target_table (
    source text NOT NULL,
    dst_server text NOT NULL,
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    PRIMARY KEY (source, dst_server, nsp_name, table_name)
);
REVOKE ALL ON @schema@.target_table FROM PUBLIC;

CREATE OR REPLACE FUNCTION @schema@.check_target_owners()
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_table text;
    v_owner text;
BEGIN
    SELECT pg_catalog.format('%I.%I', t.nsp_name, t.table_name), pg_catalog.pg_get_userbyid(c.relowner)::text INTO v_table, v_owner
      FROM @schema@.target_table AS t
      JOIN pg_catalog.pg_namespace AS n ON n.nspname OPERATOR(pg_catalog.=) t.nsp_name
      JOIN pg_catalog.pg_class AS c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid AND c.relname OPERATOR(pg_catalog.=) t.table_name
     WHERE NOT pg_catalog.pg_has_role(c.relowner, CURRENT_USER, 'USAGE')
       AND NOT pg_catalog.pg_has_role(CURRENT_USER, c.relowner, 'MEMBER')
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'RoslynPgSync: table % is owned by role "%", which does not have the rights of the replication role "%" that writes it: its triggers would run with those rights', v_table, v_owner, CURRENT_USER
            USING ERRCODE = 'insufficient_privilege',
                  HINT = pg_catalog.format('Make "%s" the owner (ALTER TABLE %s OWNER TO %I), or the owner a member of it; nothing is applied until then.', CURRENT_USER, v_table, CURRENT_USER);
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.check_target_owners() FROM PUBLIC;
