-- A statement's entry carries all its rows as one literal (13 MB for 100,000 rows of the
-- seed's table): the default pglz compression of that value cost more than writing the rows
-- themselves (bulk Async insert 2.5x plain with pglz, 1.9x with lz4, same run). lz4 where the
-- server has it (PostgreSQL 14+ built with lz4); otherwise the default stays.
DO $pgsync$
DECLARE
    v_table regclass;
    v_change boolean;
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 140000 THEN
        FOREACH v_table IN ARRAY ARRAY[(@schema_literal@ || '.sync_err_rec')::pg_catalog.regclass, (@schema_literal@ || '.sync_pending')::pg_catalog.regclass] LOOP
            EXECUTE 'SELECT attcompression IS DISTINCT FROM ''l'' FROM pg_catalog.pg_attribute WHERE attrelid = $1 AND attname = ''dst_query'''
               INTO v_change USING v_table;
            IF v_change THEN
                BEGIN
                    EXECUTE pg_catalog.format('ALTER TABLE %s ALTER COLUMN dst_query SET COMPRESSION lz4', v_table);
                EXCEPTION WHEN feature_not_supported THEN
                    NULL; -- built without lz4
                END;
            END IF;
        END LOOP;
    END IF;
END
$pgsync$;
