-- install
CREATE OR REPLACE FUNCTION "pgsync"."capture_order_line_4e146ba7"()
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
        PERFORM "pgsync"."enqueue"('public', 'order_line', 'warehouse', '', 'a', 0, 'TRUNCATE ONLY "public"."order_line"', NULL, NULL);
        RETURN NULL;
    END IF;

    -- A capture that can come late (not the table's first in this statement) checks nothing wrote its rows since (RefuseLateCapture).
    v_now := (EXTRACT(epoch FROM pg_catalog.statement_timestamp()))::text;
    IF pg_catalog.current_setting('pgsync.capture_order_line_4e146ba7', true) IS DISTINCT FROM v_now THEN
        PERFORM pg_catalog.set_config('pgsync.capture_order_line_4e146ba7', v_now, true);
    ELSE
        IF TG_OP = 'DELETE' THEN
            SELECT pg_catalog.json_build_object('id', o."id")::text INTO v_late FROM old_rows AS o WHERE EXISTS (SELECT 1 FROM "public"."order_line" AS t WHERE t."id" = o."id") LIMIT 1;
        ELSE
            SELECT pg_catalog.json_build_object('id', n."id")::text INTO v_late FROM new_rows AS n WHERE NOT EXISTS (SELECT 1 FROM "public"."order_line" AS t WHERE t."id" = n."id" AND t OPERATOR(pg_catalog.*=) n) LIMIT 1;
            IF v_late IS NULL AND TG_OP = 'UPDATE' THEN
                SELECT pg_catalog.json_build_object('id', o."id")::text INTO v_late FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id") AND EXISTS (SELECT 1 FROM "public"."order_line" AS t WHERE t."id" = o."id") LIMIT 1;
            END IF;
        END IF;
        IF v_late IS NOT NULL THEN
            RAISE EXCEPTION 'RoslynPgSync: a statement wrote the row of %.% with key %, and another write in the same statement changed it again before its capture ran: their changes would be replicated in the wrong order; refused', '"public"', '"order_line"', v_late
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

    -- warehouse → public.order_line (Async)
    IF v_single THEN
        v_gone := NULL;
        v_row := NULL;
        v_key := NULL;
        IF TG_OP = 'INSERT' THEN
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."id", n."order_id", n."unit_price", n."quantity" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."id" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id")) AS r;
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."id", n."order_id", n."unit_price", n."quantity" FROM new_rows AS n) AS r;
        ELSE
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."id" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_change"('public', 'order_line', 'warehouse', '', 'a', 'order_line_e29e12f4a616f78138d8997ae3811a06', v_gone, v_row, v_key, NULL);
    ELSE
        IF TG_OP = 'INSERT' THEN
            OPEN v_rows FOR SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."id", n."order_id", n."unit_price", n."quantity" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            -- Keys that left (the key changed, or the row no longer matches the filter), then the rows.
            -- (UNION ALL reads its branches in order.)
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."id" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id")) AS r
                UNION ALL SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."id", n."order_id", n."unit_price", n."quantity" FROM new_rows AS n) AS r;
        ELSE
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."id" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_rows"('public', 'order_line', 'warehouse', '', 'a',
            'DELETE FROM "public"."order_line" AS t USING pg_catalog.json_populate_recordset(NULL::"public"."order_line", ', ') AS d WHERE t."id" = d."id"',
            'INSERT INTO "public"."order_line" AS t ("id", "order_id", "unit_price", "quantity") SELECT d."id", d."order_id", d."unit_price", d."quantity" FROM pg_catalog.json_populate_recordset(NULL::"public"."order_line", ', ') AS d ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "order_id" = EXCLUDED."order_id", "unit_price" = EXCLUDED."unit_price", "quantity" = EXCLUDED."quantity"', v_rows, NULL);
    END IF;
    RETURN NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."capture_order_line_4e146ba7"() FROM PUBLIC;
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"public"."order_line"'::pg_catalog.regclass AND tgname = 'pgsync_capture_insert') THEN
        CREATE TRIGGER "pgsync_capture_insert" AFTER INSERT ON "public"."order_line" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_order_line_4e146ba7"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"public"."order_line"'::pg_catalog.regclass AND tgname = 'pgsync_capture_update') THEN
        CREATE TRIGGER "pgsync_capture_update" AFTER UPDATE ON "public"."order_line" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_order_line_4e146ba7"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"public"."order_line"'::pg_catalog.regclass AND tgname = 'pgsync_capture_delete') THEN
        CREATE TRIGGER "pgsync_capture_delete" AFTER DELETE ON "public"."order_line" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_order_line_4e146ba7"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"public"."order_line"'::pg_catalog.regclass AND tgname = 'pgsync_capture_truncate') THEN
        CREATE TRIGGER "pgsync_capture_truncate" AFTER TRUNCATE ON "public"."order_line" FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_order_line_4e146ba7"();
    END IF;
END
$pgsync$;
SELECT "pgsync"."register_statement"('order_line_e29e12f4a616f78138d8997ae3811a06',
    'DELETE FROM "public"."order_line" AS t USING pg_catalog.json_populate_recordset(NULL::"public"."order_line", ', ') AS d WHERE t."id" = d."id"',
    'INSERT INTO "public"."order_line" AS t ("id", "order_id", "unit_price", "quantity") SELECT d."id", d."order_id", d."unit_price", d."quantity" FROM (SELECT DISTINCT ON (d."id") d.* FROM pg_catalog.json_array_elements(', '::pg_catalog.json) WITH ORDINALITY AS a (v, n) CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::"public"."order_line", a.v) AS d ORDER BY d."id", a.n DESC) AS d ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "order_id" = EXCLUDED."order_id", "unit_price" = EXCLUDED."unit_price", "quantity" = EXCLUDED."quantity"');
CREATE OR REPLACE FUNCTION "pgsync"."restore_order_line_4e146ba7"(p_dst text, p_keys text)
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
    IF p_dst = 'warehouse' THEN
        IF p_keys IS NULL THEN
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."order_id", n."unit_price", n."quantity" FROM "public"."order_line" AS n) AS r;
            v_part := 'TRUNCATE ONLY "public"."order_line"';
        ELSE
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."order_id", n."unit_price", n."quantity" FROM "public"."order_line" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"public"."order_line", p_keys::json) AS o WHERE n."id" = o."id")) AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT DISTINCT o."id" FROM pg_catalog.json_populate_recordset(NULL::"public"."order_line", p_keys::json) AS o WHERE NOT EXISTS (SELECT 1 FROM "public"."order_line" AS n WHERE n."id" = o."id")) AS r;
            v_part := NULL;
            IF v_gone IS NOT NULL THEN
                v_part := 'DELETE FROM "public"."order_line" AS t USING pg_catalog.json_populate_recordset(NULL::"public"."order_line", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."id" = d."id"';
            END IF;
        END IF;
        IF v_rows IS NOT NULL THEN
            v_part := pg_catalog.concat_ws(E';\n', v_part, 'INSERT INTO "public"."order_line" AS t ("id", "order_id", "unit_price", "quantity") SELECT d."id", d."order_id", d."unit_price", d."quantity" FROM pg_catalog.json_populate_recordset(NULL::"public"."order_line", ' || pg_catalog.quote_literal(v_rows) || ') AS d ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "order_id" = EXCLUDED."order_id", "unit_price" = EXCLUDED."unit_price", "quantity" = EXCLUDED."quantity"');
        END IF;
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
    END IF;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."restore_order_line_4e146ba7"(text, text) FROM PUBLIC;
SELECT "pgsync"."register_table"('public', 'order_line', 'restore_order_line_4e146ba7');

-- uninstall
DROP TRIGGER IF EXISTS "pgsync_capture_insert" ON "public"."order_line";
DROP TRIGGER IF EXISTS "pgsync_capture_update" ON "public"."order_line";
DROP TRIGGER IF EXISTS "pgsync_capture_delete" ON "public"."order_line";
DROP TRIGGER IF EXISTS "pgsync_capture_truncate" ON "public"."order_line";
DROP FUNCTION IF EXISTS "pgsync"."capture_order_line_4e146ba7"();
DROP FUNCTION IF EXISTS "pgsync"."restore_order_line_4e146ba7"(text, text);
DO $pgsync$
BEGIN
    PERFORM "pgsync"."unregister_table"('public', 'order_line');
EXCEPTION WHEN undefined_function OR invalid_schema_name THEN
    NULL; -- (never installed)
END
$pgsync$;

-- create missing source table
CREATE SCHEMA IF NOT EXISTS "public";
CREATE TABLE IF NOT EXISTS "public"."order_line" (
    "id" bigint NOT NULL,
    "order_id" uuid NOT NULL,
    "unit_price" numeric NOT NULL,
    "quantity" smallint NOT NULL,
    PRIMARY KEY ("id")
);

-- create missing target table on warehouse
CREATE SCHEMA IF NOT EXISTS "public";
CREATE TABLE IF NOT EXISTS "public"."order_line" (
    "id" bigint NOT NULL,
    "order_id" uuid NOT NULL,
    "unit_price" numeric NOT NULL,
    "quantity" smallint NOT NULL,
    PRIMARY KEY ("id")
);
