-- install
CREATE OR REPLACE FUNCTION "pgsync"."capture_loc_test_2408c987"()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
SET IntervalStyle = postgres
AS $pgsync$
DECLARE
    v_rows refcursor;
    v_single boolean;
    v_gone text;
    v_row text;
    v_key text;
    v_late text;
    v_now text;
BEGIN
    -- A session that applies replicated changes carries pgsync.origin: never send them back.
    -- Honoured only in sessions of the installing role (this function's owner) or its members: any
    -- session may set the setting, and another role's writes are captured whatever it says.
    IF COALESCE(pg_catalog.current_setting('pgsync.origin', true), '') <> '' AND pg_catalog.pg_has_role(SESSION_USER, CURRENT_USER, 'MEMBER') THEN
        RETURN NULL;
    END IF;

    IF TG_OP = 'TRUNCATE' THEN
        PERFORM "pgsync"."enqueue"('local', 'loc_test', 'dst', '', 's', 0, 'TRUNCATE ONLY "remote"."rmt_test"', NULL, NULL);
        RETURN NULL;
    END IF;

    -- A capture that can come late (not the table's first in this statement) checks nothing wrote its rows since (RefuseLateCapture).
    v_now := (EXTRACT(epoch FROM pg_catalog.statement_timestamp()))::text;
    IF pg_catalog.current_setting('pgsync.capture_loc_test_2408c987', true) IS DISTINCT FROM v_now THEN
        PERFORM pg_catalog.set_config('pgsync.capture_loc_test_2408c987', v_now, true);
    ELSE
        IF TG_OP = 'DELETE' THEN
            SELECT pg_catalog.json_build_object('pk1', o."pk1", 'pk2', o."pk2")::text INTO v_late FROM old_rows AS o WHERE EXISTS (SELECT 1 FROM "local"."loc_test" AS t WHERE t."pk1" = o."pk1" AND t."pk2" = o."pk2") LIMIT 1;
        ELSE
            SELECT pg_catalog.json_build_object('pk1', n."pk1", 'pk2', n."pk2")::text INTO v_late FROM new_rows AS n WHERE NOT EXISTS (SELECT 1 FROM "local"."loc_test" AS t WHERE t."pk1" = n."pk1" AND t."pk2" = n."pk2" AND t OPERATOR(pg_catalog.*=) n) LIMIT 1;
            IF v_late IS NULL AND TG_OP = 'UPDATE' THEN
                SELECT pg_catalog.json_build_object('pk1', o."pk1", 'pk2', o."pk2")::text INTO v_late FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."pk1" = o."pk1" AND n."pk2" = o."pk2") AND EXISTS (SELECT 1 FROM "local"."loc_test" AS t WHERE t."pk1" = o."pk1" AND t."pk2" = o."pk2") LIMIT 1;
            END IF;
        END IF;
        IF v_late IS NOT NULL THEN
            RAISE EXCEPTION 'RoslynPgSync: a statement wrote the row of %.% with key %, and another write in the same statement changed it again before its capture ran: their changes would be replicated in the wrong order; refused', '"local"', '"loc_test"', v_late
                USING ERRCODE = 'feature_not_supported', HINT = 'Write the row once per statement: run a data-modifying WITH that writes it as a statement of its own, or read all of its RETURNING rows; make a trigger that changes the row a BEFORE ROW trigger that sets NEW.';
        END IF;
    END IF;

    -- One row or none: read here, queued as compact entries (enqueue_change).
    IF TG_OP = 'DELETE' THEN
        PERFORM FROM old_rows OFFSET 1 LIMIT 1;
    ELSE
        PERFORM FROM new_rows OFFSET 1 LIMIT 1;
    END IF;
    v_single := NOT FOUND;

    -- dst → remote.rmt_test (Sync)
    IF v_single THEN
        v_gone := NULL;
        v_row := NULL;
        v_key := NULL;
        IF TG_OP = 'INSERT' THEN
            SELECT pg_catalog.row_to_json(r)::text, pg_catalog.json_build_object('pk1', r."pk1", 'pk2', r."pk2")::text INTO v_row, v_key FROM (SELECT n."pk1", n."pk2", n."info", n."crt_time", n."mod_time" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."pk1", o."pk2" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."pk1" = o."pk1" AND n."pk2" = o."pk2")) AS r;
            SELECT pg_catalog.row_to_json(r)::text, pg_catalog.json_build_object('pk1', r."pk1", 'pk2', r."pk2")::text INTO v_row, v_key FROM (SELECT n."pk1", n."pk2", n."info", n."crt_time", n."mod_time" FROM new_rows AS n) AS r;
        ELSE
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."pk1", o."pk2" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_change"('local', 'loc_test', 'dst', '', 's', 'rmt_test_f119926d38171ca1b2aff7be549500a7', v_gone, v_row, v_key, NULL);
    ELSE
        IF TG_OP = 'INSERT' THEN
            OPEN v_rows FOR SELECT 1, pg_catalog.row_to_json(r)::text, pg_catalog.json_build_object('pk1', r."pk1", 'pk2', r."pk2")::text FROM (SELECT n."pk1", n."pk2", n."info", n."crt_time", n."mod_time" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            -- Keys that left (the key changed, or the row no longer matches the filter), then the rows.
            -- (UNION ALL reads its branches in order.)
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."pk1", o."pk2" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."pk1" = o."pk1" AND n."pk2" = o."pk2")) AS r
                UNION ALL SELECT 1, pg_catalog.row_to_json(r)::text, pg_catalog.json_build_object('pk1', r."pk1", 'pk2', r."pk2")::text FROM (SELECT n."pk1", n."pk2", n."info", n."crt_time", n."mod_time" FROM new_rows AS n) AS r;
        ELSE
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."pk1", o."pk2" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_rows"('local', 'loc_test', 'dst', '', 's',
            'DELETE FROM "remote"."rmt_test" AS t USING pg_catalog.json_populate_recordset(NULL::"remote"."rmt_test", ', ') AS d WHERE t."pk1" = d."pk1" AND t."pk2" = d."pk2"',
            'INSERT INTO "remote"."rmt_test" AS t ("pk1", "pk2", "info", "crt_time", "mod_time") SELECT d."pk1", d."pk2", d."info", d."crt_time", d."mod_time" FROM pg_catalog.json_populate_recordset(NULL::"remote"."rmt_test", ', ') AS d ON CONFLICT ("pk1", "pk2") DO UPDATE SET "pk1" = EXCLUDED."pk1", "pk2" = EXCLUDED."pk2", "info" = EXCLUDED."info", "crt_time" = EXCLUDED."crt_time", "mod_time" = EXCLUDED."mod_time"', v_rows, NULL);
    END IF;
    RETURN NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."capture_loc_test_2408c987"() FROM PUBLIC;
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"local"."loc_test"'::pg_catalog.regclass AND tgname = 'pgsync_capture_insert') THEN
        CREATE TRIGGER "pgsync_capture_insert" AFTER INSERT ON "local"."loc_test" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_loc_test_2408c987"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"local"."loc_test"'::pg_catalog.regclass AND tgname = 'pgsync_capture_update') THEN
        CREATE TRIGGER "pgsync_capture_update" AFTER UPDATE ON "local"."loc_test" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_loc_test_2408c987"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"local"."loc_test"'::pg_catalog.regclass AND tgname = 'pgsync_capture_delete') THEN
        CREATE TRIGGER "pgsync_capture_delete" AFTER DELETE ON "local"."loc_test" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_loc_test_2408c987"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"local"."loc_test"'::pg_catalog.regclass AND tgname = 'pgsync_capture_truncate') THEN
        CREATE TRIGGER "pgsync_capture_truncate" AFTER TRUNCATE ON "local"."loc_test" FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_loc_test_2408c987"();
    END IF;
END
$pgsync$;
SELECT "pgsync"."register_statement"('rmt_test_f119926d38171ca1b2aff7be549500a7',
    'DELETE FROM "remote"."rmt_test" AS t USING pg_catalog.json_populate_recordset(NULL::"remote"."rmt_test", ', ') AS d WHERE t."pk1" = d."pk1" AND t."pk2" = d."pk2"',
    'INSERT INTO "remote"."rmt_test" AS t ("pk1", "pk2", "info", "crt_time", "mod_time") SELECT d."pk1", d."pk2", d."info", d."crt_time", d."mod_time" FROM (SELECT DISTINCT ON (d."pk1", d."pk2") d.* FROM pg_catalog.json_array_elements(', '::pg_catalog.json) WITH ORDINALITY AS a (v, n) CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::"remote"."rmt_test", a.v) AS d ORDER BY d."pk1", d."pk2", a.n DESC) AS d ON CONFLICT ("pk1", "pk2") DO UPDATE SET "pk1" = EXCLUDED."pk1", "pk2" = EXCLUDED."pk2", "info" = EXCLUDED."info", "crt_time" = EXCLUDED."crt_time", "mod_time" = EXCLUDED."mod_time"');
CREATE OR REPLACE FUNCTION "pgsync"."restore_loc_test_2408c987"(p_dst text, p_keys text)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
SET IntervalStyle = postgres
SET row_security = off
AS $pgsync$
DECLARE
    v_rows text;
    v_gone text;
    v_part text;
    v_sql text;
BEGIN
    IF p_dst = 'dst' THEN
        IF p_keys IS NULL THEN
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."pk1", n."pk2", n."info", n."crt_time", n."mod_time" FROM "local"."loc_test" AS n) AS r;
            v_part := 'TRUNCATE ONLY "remote"."rmt_test"';
        ELSE
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."pk1", n."pk2", n."info", n."crt_time", n."mod_time" FROM "local"."loc_test" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"local"."loc_test", p_keys::json) AS o WHERE n."pk1" = o."pk1" AND n."pk2" = o."pk2")) AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT DISTINCT o."pk1", o."pk2" FROM pg_catalog.json_populate_recordset(NULL::"local"."loc_test", p_keys::json) AS o WHERE NOT EXISTS (SELECT 1 FROM "local"."loc_test" AS n WHERE n."pk1" = o."pk1" AND n."pk2" = o."pk2")) AS r;
            v_part := NULL;
            IF v_gone IS NOT NULL THEN
                v_part := 'DELETE FROM "remote"."rmt_test" AS t USING pg_catalog.json_populate_recordset(NULL::"remote"."rmt_test", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."pk1" = d."pk1" AND t."pk2" = d."pk2"';
            END IF;
        END IF;
        IF v_rows IS NOT NULL THEN
            v_part := pg_catalog.concat_ws(E';\n', v_part, 'INSERT INTO "remote"."rmt_test" AS t ("pk1", "pk2", "info", "crt_time", "mod_time") SELECT d."pk1", d."pk2", d."info", d."crt_time", d."mod_time" FROM pg_catalog.json_populate_recordset(NULL::"remote"."rmt_test", ' || pg_catalog.quote_literal(v_rows) || ') AS d ON CONFLICT ("pk1", "pk2") DO UPDATE SET "pk1" = EXCLUDED."pk1", "pk2" = EXCLUDED."pk2", "info" = EXCLUDED."info", "crt_time" = EXCLUDED."crt_time", "mod_time" = EXCLUDED."mod_time"');
        END IF;
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
    END IF;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."restore_loc_test_2408c987"(text, text) FROM PUBLIC;
SELECT "pgsync"."register_table"('local', 'loc_test', 'restore_loc_test_2408c987');

-- uninstall
DROP TRIGGER IF EXISTS "pgsync_capture_insert" ON "local"."loc_test";
DROP TRIGGER IF EXISTS "pgsync_capture_update" ON "local"."loc_test";
DROP TRIGGER IF EXISTS "pgsync_capture_delete" ON "local"."loc_test";
DROP TRIGGER IF EXISTS "pgsync_capture_truncate" ON "local"."loc_test";
DROP FUNCTION IF EXISTS "pgsync"."capture_loc_test_2408c987"();
DROP FUNCTION IF EXISTS "pgsync"."restore_loc_test_2408c987"(text, text);
DO $pgsync$
BEGIN
    PERFORM "pgsync"."unregister_table"('local', 'loc_test');
EXCEPTION WHEN undefined_function OR invalid_schema_name THEN
    NULL; -- (never installed)
END
$pgsync$;

-- create missing source table
CREATE SCHEMA IF NOT EXISTS "local";
CREATE TABLE IF NOT EXISTS "local"."loc_test" (
    "pk1" integer NOT NULL,
    "pk2" text NOT NULL,
    "info" text,
    "crt_time" timestamp with time zone,
    "mod_time" timestamp with time zone,
    PRIMARY KEY ("pk1", "pk2")
);

-- create missing target table on dst
CREATE SCHEMA IF NOT EXISTS "remote";
CREATE TABLE IF NOT EXISTS "remote"."rmt_test" (
    "pk1" integer NOT NULL,
    "pk2" text NOT NULL,
    "info" text,
    "crt_time" timestamp with time zone,
    "mod_time" timestamp with time zone,
    PRIMARY KEY ("pk1", "pk2")
);
