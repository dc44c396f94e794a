-- The entry point an uninstalled source table calls to drop its registration (see register_table).
CREATE OR REPLACE FUNCTION @schema@.unregister_table(p_nsp text, p_table text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    DELETE FROM @schema@.replicated_table AS r WHERE r.nsp_name = p_nsp AND r.table_name = p_table;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.unregister_table(text, text) FROM PUBLIC;
