-- install
CREATE OR REPLACE FUNCTION "pgsync"."capture_order_items__v2__5d2a89cb"()
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
        PERFORM "pgsync"."enqueue"('Select', 'Order Items "v2"', 'dst-1', '', 'a', 0, 'TRUNCATE ONLY "from"."weird""name; drop table x; --"', NULL, NULL);
        RETURN NULL;
    END IF;

    -- A capture that can come late (not the table's first in this statement) checks nothing wrote its rows since (RefuseLateCapture).
    v_now := (EXTRACT(epoch FROM pg_catalog.statement_timestamp()))::text;
    IF pg_catalog.current_setting('pgsync.capture_order_items__v2__5d2a89cb', true) IS DISTINCT FROM v_now THEN
        PERFORM pg_catalog.set_config('pgsync.capture_order_items__v2__5d2a89cb', v_now, true);
    ELSE
        IF TG_OP = 'DELETE' THEN
            SELECT pg_catalog.json_build_object('user', o."user", 'Order', o."Order")::text INTO v_late FROM old_rows AS o WHERE EXISTS (SELECT 1 FROM "Select"."Order Items ""v2""" AS t WHERE t."user" = o."user" AND t."Order" = o."Order") LIMIT 1;
        ELSE
            SELECT pg_catalog.json_build_object('user', n."user", 'Order', n."Order")::text INTO v_late FROM new_rows AS n WHERE NOT EXISTS (SELECT 1 FROM "Select"."Order Items ""v2""" AS t WHERE t."user" = n."user" AND t."Order" = n."Order" AND t OPERATOR(pg_catalog.*=) n) LIMIT 1;
            IF v_late IS NULL AND TG_OP = 'UPDATE' THEN
                SELECT pg_catalog.json_build_object('user', o."user", 'Order', o."Order")::text INTO v_late FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."user" = o."user" AND n."Order" = o."Order") AND EXISTS (SELECT 1 FROM "Select"."Order Items ""v2""" AS t WHERE t."user" = o."user" AND t."Order" = o."Order") LIMIT 1;
            END IF;
        END IF;
        IF v_late IS NOT NULL THEN
            RAISE EXCEPTION 'RoslynPgSync: a statement wrote the row of %.% with key %, and another write in the same statement changed it again before its capture ran: their changes would be replicated in the wrong order; refused', '"Select"', '"Order Items ""v2"""', v_late
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

    -- dst-1 → from.weird"name; drop table x; -- (Async)
    IF v_single THEN
        v_gone := NULL;
        v_row := NULL;
        v_key := NULL;
        IF TG_OP = 'INSERT' THEN
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."Order", n."user", n."Größe \ ""x""", n."group" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."user", o."Order" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."user" = o."user" AND n."Order" = o."Order")) AS r;
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."Order", n."user", n."Größe \ ""x""", n."group" FROM new_rows AS n) AS r;
        ELSE
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."user", o."Order" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_change"('Select', 'Order Items "v2"', 'dst-1', '', 'a', 'weird_name__drop_table_x_____1f20a765fab905c294a34a6a2e61f36b', v_gone, v_row, v_key, NULL);
    ELSE
        IF TG_OP = 'INSERT' THEN
            OPEN v_rows FOR SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."Order", n."user", n."Größe \ ""x""", n."group" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            -- Keys that left (the key changed, or the row no longer matches the filter), then the rows.
            -- (UNION ALL reads its branches in order.)
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."user", o."Order" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."user" = o."user" AND n."Order" = o."Order")) AS r
                UNION ALL SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."Order", n."user", n."Größe \ ""x""", n."group" FROM new_rows AS n) AS r;
        ELSE
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."user", o."Order" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_rows"('Select', 'Order Items "v2"', 'dst-1', '', 'a',
            'DELETE FROM "from"."weird""name; drop table x; --" AS t USING pg_catalog.json_populate_recordset(NULL::"from"."weird""name; drop table x; --", ', ') AS d WHERE t."user" = d."user" AND t."Order" = d."Order"',
            E'INSERT INTO "from"."weird""name; drop table x; --" AS t ("Order", "user", "Größe \\ ""x""", "group") SELECT d."Order", d."user", d."Größe \\ ""x""", d."group" FROM pg_catalog.json_populate_recordset(NULL::"from"."weird""name; drop table x; --", ', E') AS d ON CONFLICT ("user", "Order") DO UPDATE SET "Order" = EXCLUDED."Order", "user" = EXCLUDED."user", "Größe \\ ""x""" = EXCLUDED."Größe \\ ""x""", "group" = EXCLUDED."group"', v_rows, NULL);
    END IF;
    RETURN NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."capture_order_items__v2__5d2a89cb"() FROM PUBLIC;
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"Select"."Order Items ""v2"""'::pg_catalog.regclass AND tgname = 'pgsync_capture_insert') THEN
        CREATE TRIGGER "pgsync_capture_insert" AFTER INSERT ON "Select"."Order Items ""v2""" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_order_items__v2__5d2a89cb"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"Select"."Order Items ""v2"""'::pg_catalog.regclass AND tgname = 'pgsync_capture_update') THEN
        CREATE TRIGGER "pgsync_capture_update" AFTER UPDATE ON "Select"."Order Items ""v2""" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_order_items__v2__5d2a89cb"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"Select"."Order Items ""v2"""'::pg_catalog.regclass AND tgname = 'pgsync_capture_delete') THEN
        CREATE TRIGGER "pgsync_capture_delete" AFTER DELETE ON "Select"."Order Items ""v2""" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_order_items__v2__5d2a89cb"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"Select"."Order Items ""v2"""'::pg_catalog.regclass AND tgname = 'pgsync_capture_truncate') THEN
        CREATE TRIGGER "pgsync_capture_truncate" AFTER TRUNCATE ON "Select"."Order Items ""v2""" FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_order_items__v2__5d2a89cb"();
    END IF;
END
$pgsync$;
SELECT "pgsync"."register_statement"('weird_name__drop_table_x_____1f20a765fab905c294a34a6a2e61f36b',
    'DELETE FROM "from"."weird""name; drop table x; --" AS t USING pg_catalog.json_populate_recordset(NULL::"from"."weird""name; drop table x; --", ', ') AS d WHERE t."user" = d."user" AND t."Order" = d."Order"',
    E'INSERT INTO "from"."weird""name; drop table x; --" AS t ("Order", "user", "Größe \\ ""x""", "group") SELECT d."Order", d."user", d."Größe \\ ""x""", d."group" FROM (SELECT DISTINCT ON (d."user", d."Order") d.* FROM pg_catalog.json_array_elements(', E'::pg_catalog.json) WITH ORDINALITY AS a (v, n) CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::"from"."weird""name; drop table x; --", a.v) AS d ORDER BY d."user", d."Order", a.n DESC) AS d ON CONFLICT ("user", "Order") DO UPDATE SET "Order" = EXCLUDED."Order", "user" = EXCLUDED."user", "Größe \\ ""x""" = EXCLUDED."Größe \\ ""x""", "group" = EXCLUDED."group"');
CREATE OR REPLACE FUNCTION "pgsync"."restore_order_items__v2__5d2a89cb"(p_dst text, p_keys text)
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
    IF p_dst = 'dst-1' THEN
        IF p_keys IS NULL THEN
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."Order", n."user", n."Größe \ ""x""", n."group" FROM "Select"."Order Items ""v2""" AS n) AS r;
            v_part := 'TRUNCATE ONLY "from"."weird""name; drop table x; --"';
        ELSE
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."Order", n."user", n."Größe \ ""x""", n."group" FROM "Select"."Order Items ""v2""" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"Select"."Order Items ""v2""", p_keys::json) AS o WHERE n."user" = o."user" AND n."Order" = o."Order")) AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT DISTINCT o."user", o."Order" FROM pg_catalog.json_populate_recordset(NULL::"Select"."Order Items ""v2""", p_keys::json) AS o WHERE NOT EXISTS (SELECT 1 FROM "Select"."Order Items ""v2""" AS n WHERE n."user" = o."user" AND n."Order" = o."Order")) AS r;
            v_part := NULL;
            IF v_gone IS NOT NULL THEN
                v_part := 'DELETE FROM "from"."weird""name; drop table x; --" AS t USING pg_catalog.json_populate_recordset(NULL::"from"."weird""name; drop table x; --", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."user" = d."user" AND t."Order" = d."Order"';
            END IF;
        END IF;
        IF v_rows IS NOT NULL THEN
            v_part := pg_catalog.concat_ws(E';\n', v_part, E'INSERT INTO "from"."weird""name; drop table x; --" AS t ("Order", "user", "Größe \\ ""x""", "group") SELECT d."Order", d."user", d."Größe \\ ""x""", d."group" FROM pg_catalog.json_populate_recordset(NULL::"from"."weird""name; drop table x; --", ' || pg_catalog.quote_literal(v_rows) || E') AS d ON CONFLICT ("user", "Order") DO UPDATE SET "Order" = EXCLUDED."Order", "user" = EXCLUDED."user", "Größe \\ ""x""" = EXCLUDED."Größe \\ ""x""", "group" = EXCLUDED."group"');
        END IF;
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
    END IF;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."restore_order_items__v2__5d2a89cb"(text, text) FROM PUBLIC;
SELECT "pgsync"."register_table"('Select', 'Order Items "v2"', 'restore_order_items__v2__5d2a89cb');

-- uninstall
DROP TRIGGER IF EXISTS "pgsync_capture_insert" ON "Select"."Order Items ""v2""";
DROP TRIGGER IF EXISTS "pgsync_capture_update" ON "Select"."Order Items ""v2""";
DROP TRIGGER IF EXISTS "pgsync_capture_delete" ON "Select"."Order Items ""v2""";
DROP TRIGGER IF EXISTS "pgsync_capture_truncate" ON "Select"."Order Items ""v2""";
DROP FUNCTION IF EXISTS "pgsync"."capture_order_items__v2__5d2a89cb"();
DROP FUNCTION IF EXISTS "pgsync"."restore_order_items__v2__5d2a89cb"(text, text);
DO $pgsync$
BEGIN
    PERFORM "pgsync"."unregister_table"('Select', 'Order Items "v2"');
EXCEPTION WHEN undefined_function OR invalid_schema_name THEN
    NULL; -- (never installed)
END
$pgsync$;

-- create missing source table
CREATE SCHEMA IF NOT EXISTS "Select";
CREATE TABLE IF NOT EXISTS "Select"."Order Items ""v2""" (
    "Order" integer NOT NULL,
    "user" text NOT NULL,
    "Größe \ ""x""" text,
    "group" integer,
    PRIMARY KEY ("user", "Order")
);

-- create missing target table on dst-1
CREATE SCHEMA IF NOT EXISTS "from";
CREATE TABLE IF NOT EXISTS "from"."weird""name; drop table x; --" (
    "Order" integer NOT NULL,
    "user" text NOT NULL,
    "Größe \ ""x""" text,
    "group" integer,
    PRIMARY KEY ("user", "Order")
);
