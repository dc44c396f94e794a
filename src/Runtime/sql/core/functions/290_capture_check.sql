-- The replicated tables (replicated_table) whose capture is off now or was off since their last
-- equal verification (capture_gap, upgrades/0010_capture_gap.sql): a capture trigger (p_triggers, every one of them)
-- missing, disabled or firing only when session_replication_role = replica. Records each one found off
-- in capture_gap; with p_enable, turns a disabled trigger back on (ENABLE TRIGGER needs the table's
-- owner: when this role is not, the trigger stays off and the row says so). Called by the installer
-- and the health check, as the installing role; nobody else may call it.
-- The capture triggers (p_triggers) of one table that are off: missing, disabled ('D') or firing
-- only in replica sessions ('R'); present says whether ENABLE TRIGGER can turn one on.
CREATE OR REPLACE FUNCTION @schema@.capture_triggers_off(p_nsp text, p_table text, p_triggers text[])
RETURNS TABLE (trigger_name text, state text, present boolean)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    RETURN QUERY
    SELECT w.name,
           CASE WHEN g.tgenabled IS NULL THEN 'missing' WHEN g.tgenabled OPERATOR(pg_catalog.=) 'D' THEN 'disabled' ELSE 'enabled for replica sessions only' END,
           g.tgenabled IS NOT NULL
      FROM pg_catalog.unnest(p_triggers) AS w(name)
      LEFT JOIN pg_catalog.pg_trigger AS g
             ON g.tgrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('%I.%I', p_nsp, p_table))
            AND g.tgname OPERATOR(pg_catalog.=) w.name
     WHERE g.tgenabled IS NULL OR g.tgenabled OPERATOR(pg_catalog.=) ANY (ARRAY['D', 'R']::"char"[])
     ORDER BY 1;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.capture_triggers_off(text, text, text[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION @schema@.capture_check(p_triggers text[], p_enable boolean)
RETURNS TABLE (nsp_name text, table_name text, capture_on boolean, found_at timestamp with time zone, detail text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
#variable_conflict use_column
DECLARE
    v_off record;
BEGIN
    FOR v_off IN
        SELECT r.nsp_name, r.table_name, o.trigger_name, o.state, o.present
          FROM @schema@.replicated_table AS r
          CROSS JOIN LATERAL @schema@.capture_triggers_off(r.nsp_name, r.table_name, p_triggers) AS o
         ORDER BY 1, 2, 3
    LOOP
        INSERT INTO @schema@.capture_gap AS c (nsp_name, table_name, found_at, detail)
        VALUES (v_off.nsp_name, v_off.table_name, pg_catalog.clock_timestamp(),
                pg_catalog.format('capture trigger %I was %s', v_off.trigger_name, v_off.state))
        ON CONFLICT (nsp_name, table_name) DO NOTHING;
        IF p_enable AND v_off.present THEN
            BEGIN
                EXECUTE pg_catalog.format('ALTER TABLE %I.%I ENABLE TRIGGER %I', v_off.nsp_name, v_off.table_name, v_off.trigger_name);
            EXCEPTION WHEN insufficient_privilege THEN
                NULL; -- (not the owner: it stays off, and is reported as off)
            END;
        END IF;
    END LOOP;

    RETURN QUERY
    SELECT c.nsp_name, c.table_name,
           NOT EXISTS (SELECT 1 FROM @schema@.capture_triggers_off(c.nsp_name, c.table_name, p_triggers)),
           c.found_at, c.detail
      FROM @schema@.capture_gap AS c
     ORDER BY 1, 2;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.capture_check(text[], boolean) FROM PUBLIC;

-- A verification that found every destination of the table equal, begun at p_since: the gaps found
-- before it are closed: what was written meanwhile is on the destinations. (A capture that is off
-- again is recorded again by the next capture_check.)
CREATE OR REPLACE FUNCTION @schema@.capture_verified(p_nsp text, p_table text, p_since timestamp with time zone)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    DELETE FROM @schema@.capture_gap AS c
     WHERE c.nsp_name OPERATOR(pg_catalog.=) p_nsp AND c.table_name OPERATOR(pg_catalog.=) p_table AND c.found_at OPERATOR(pg_catalog.<) p_since;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.capture_verified(text, text, timestamp with time zone) FROM PUBLIC;
