-- Installed source tables register the function that rebuilds a target's rows for given keys from
-- the source (see resolve_applied) through this entry point; unregister_table undoes it.
CREATE OR REPLACE FUNCTION @schema@.register_table(p_nsp text, p_table text, p_restore_function text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    INSERT INTO @schema@.replicated_table AS r (nsp_name, table_name, restore_function)
    VALUES (p_nsp, p_table, p_restore_function)
    ON CONFLICT (nsp_name, table_name) DO UPDATE SET restore_function = EXCLUDED.restore_function
     WHERE r.restore_function IS DISTINCT FROM EXCLUDED.restore_function;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.register_table(text, text, text) FROM PUBLIC;
