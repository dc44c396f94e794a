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

-- A target's remote statements, under the key compact entries name them by (its install SQL calls
-- this; SqlNames.StatementKey hashes the texts, so equal keys mean equal texts). Recorded once and
-- kept: entries queued under a key keep their statements through reinstalls that change them.
-- A key recorded with other texts is refused, never replaced.
CREATE OR REPLACE FUNCTION @schema@.register_statement(p_statement text, p_delete_prefix text, p_delete_suffix text,
    p_upsert_prefix text, p_upsert_suffix text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    INSERT INTO @schema@.entry_statement (statement, delete_prefix, delete_suffix, upsert_prefix, upsert_suffix)
    VALUES (p_statement, p_delete_prefix, p_delete_suffix, p_upsert_prefix, p_upsert_suffix)
    ON CONFLICT (statement) DO NOTHING;
    IF NOT EXISTS (SELECT 1 FROM @schema@.entry_statement AS s
                    WHERE s.statement = p_statement AND s.delete_prefix = p_delete_prefix AND s.delete_suffix = p_delete_suffix
                      AND s.upsert_prefix = p_upsert_prefix AND s.upsert_suffix = p_upsert_suffix) THEN
        RAISE EXCEPTION 'RoslynPgSync: remote statements "%" are recorded with other texts', p_statement;
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.register_statement(text, text, text, text, text) FROM PUBLIC;
