-- Records, at install, that a table's rows are to be copied to a destination, unless a copy of it
-- was recorded before (then it does nothing and returns NULL). p_when_empty (InitialCopy =
-- WhenTargetEmpty): a target that already has rows is not copied into; the copy is recorded as
-- skipped with the reason. The targets are probed through dblink, before this install's capture
-- can have sent anything there. Returns the status recorded.
CREATE OR REPLACE FUNCTION @schema@.copy_register(p_nsp text, p_table text, p_dst text, p_mode text,
                                                   p_target_schemas text[], p_target_tables text[], p_when_empty boolean)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_full text[] := '{}';
    v_has boolean;
    v_status text;
BEGIN
    IF EXISTS (SELECT 1 FROM @schema@.copy_state AS c
                WHERE c.nsp_name = p_nsp AND c.table_name = p_table AND c.dst_server = p_dst) THEN
        RETURN NULL;
    END IF;
    IF p_when_empty THEN
        FOR i IN 1 .. COALESCE(pg_catalog.array_length(p_target_tables, 1), 0) LOOP
            SELECT t.has_rows INTO v_has
              FROM @dblink@.dblink(p_dst, pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %I.%I)', p_target_schemas[i], p_target_tables[i]))
                   AS t(has_rows boolean);
            IF v_has THEN
                v_full := v_full || pg_catalog.format('%I.%I', p_target_schemas[i], p_target_tables[i]);
            END IF;
        END LOOP;
    END IF;
    v_status := CASE WHEN pg_catalog.cardinality(v_full) > 0 THEN 'skipped' ELSE 'pending' END;
    INSERT INTO @schema@.copy_state (nsp_name, table_name, dst_server, mode, status, reason)
    VALUES (p_nsp, p_table, p_dst, p_mode, v_status,
            CASE WHEN v_status = 'skipped' THEN pg_catalog.format(
                'the target %s already had rows when replication was installed (InitialCopy = WhenTargetEmpty copies only into an empty target): run pgsync copy --replace to make it equal to the source',
                pg_catalog.array_to_string(v_full, ', ')) END);
    RETURN v_status;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.copy_register(text, text, text, text, text[], text[], boolean) FROM PUBLIC;
