-- install
CREATE OR REPLACE FUNCTION "pgsync"."capture_customer_9fe56418"()
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
        PERFORM "pgsync"."enqueue"('public', 'customer', 'crm_replica', '', 'a', 0, 'TRUNCATE ONLY "public"."customer_copy"', NULL, NULL);
        RETURN NULL;
    END IF;

    -- A capture that can come late (not the table's first in this statement) checks nothing wrote its rows since (RefuseLateCapture).
    v_now := (EXTRACT(epoch FROM pg_catalog.statement_timestamp()))::text;
    IF pg_catalog.current_setting('pgsync.capture_customer_9fe56418', true) IS DISTINCT FROM v_now THEN
        PERFORM pg_catalog.set_config('pgsync.capture_customer_9fe56418', v_now, true);
    ELSE
        IF TG_OP = 'DELETE' THEN
            SELECT pg_catalog.json_build_object('customer_no', o."customer_no")::text INTO v_late FROM old_rows AS o WHERE EXISTS (SELECT 1 FROM "public"."customer" AS t WHERE t."customer_no" = o."customer_no") LIMIT 1;
        ELSE
            SELECT pg_catalog.json_build_object('customer_no', n."customer_no")::text INTO v_late FROM new_rows AS n WHERE NOT EXISTS (SELECT 1 FROM "public"."customer" AS t WHERE t."customer_no" = n."customer_no" AND t OPERATOR(pg_catalog.*=) n) LIMIT 1;
            IF v_late IS NULL AND TG_OP = 'UPDATE' THEN
                SELECT pg_catalog.json_build_object('customer_no', o."customer_no")::text INTO v_late FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."customer_no" = o."customer_no") AND EXISTS (SELECT 1 FROM "public"."customer" AS t WHERE t."customer_no" = o."customer_no") LIMIT 1;
            END IF;
        END IF;
        IF v_late IS NOT NULL THEN
            RAISE EXCEPTION 'RoslynPgSync: a statement wrote the row of %.% with key %, and another write in the same statement changed it again before its capture ran: their changes would be replicated in the wrong order; refused', '"public"', '"customer"', v_late
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

    -- crm_replica → public.customer_copy (Async)
    IF v_single THEN
        v_gone := NULL;
        v_row := NULL;
        v_key := NULL;
        IF TG_OP = 'INSERT' THEN
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."created_utc", n."customer_no", n."display_name", n."preferences"::text AS "preferences", n."e_mail" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."customer_no" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."customer_no" = o."customer_no")) AS r;
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."created_utc", n."customer_no", n."display_name", n."preferences"::text AS "preferences", n."e_mail" FROM new_rows AS n) AS r;
        ELSE
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."customer_no" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_change"('public', 'customer', 'crm_replica', '', 'a', 'customer_copy_c635261bcb769f6d9f25652aa6da1e08', v_gone, v_row, v_key, NULL);
    ELSE
        IF TG_OP = 'INSERT' THEN
            OPEN v_rows FOR SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."created_utc", n."customer_no", n."display_name", n."preferences"::text AS "preferences", n."e_mail" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            -- Keys that left (the key changed, or the row no longer matches the filter), then the rows.
            -- (UNION ALL reads its branches in order.)
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."customer_no" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."customer_no" = o."customer_no")) AS r
                UNION ALL SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."created_utc", n."customer_no", n."display_name", n."preferences"::text AS "preferences", n."e_mail" FROM new_rows AS n) AS r;
        ELSE
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."customer_no" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_rows"('public', 'customer', 'crm_replica', '', 'a',
            'DELETE FROM "public"."customer_copy" AS t USING pg_catalog.json_populate_recordset(NULL::"public"."customer_copy", ', ') AS d WHERE t."customer_no" = d."customer_no"',
            'INSERT INTO "public"."customer_copy" AS t ("created_utc", "customer_no", "display_name", "preferences", "e_mail") SELECT d."created_utc", d."customer_no", d."display_name", (d."preferences" #>> ''{}'')::jsonb, d."e_mail" FROM pg_catalog.json_populate_recordset(NULL::"public"."customer_copy", ', ') AS d ON CONFLICT ("customer_no") DO UPDATE SET "created_utc" = EXCLUDED."created_utc", "customer_no" = EXCLUDED."customer_no", "display_name" = EXCLUDED."display_name", "preferences" = EXCLUDED."preferences", "e_mail" = EXCLUDED."e_mail"', v_rows, NULL);
    END IF;
    RETURN NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."capture_customer_9fe56418"() FROM PUBLIC;
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"public"."customer"'::pg_catalog.regclass AND tgname = 'pgsync_capture_insert') THEN
        CREATE TRIGGER "pgsync_capture_insert" AFTER INSERT ON "public"."customer" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_customer_9fe56418"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"public"."customer"'::pg_catalog.regclass AND tgname = 'pgsync_capture_update') THEN
        CREATE TRIGGER "pgsync_capture_update" AFTER UPDATE ON "public"."customer" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_customer_9fe56418"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"public"."customer"'::pg_catalog.regclass AND tgname = 'pgsync_capture_delete') THEN
        CREATE TRIGGER "pgsync_capture_delete" AFTER DELETE ON "public"."customer" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_customer_9fe56418"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"public"."customer"'::pg_catalog.regclass AND tgname = 'pgsync_capture_truncate') THEN
        CREATE TRIGGER "pgsync_capture_truncate" AFTER TRUNCATE ON "public"."customer" FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_customer_9fe56418"();
    END IF;
END
$pgsync$;
SELECT "pgsync"."register_statement"('customer_copy_c635261bcb769f6d9f25652aa6da1e08',
    'DELETE FROM "public"."customer_copy" AS t USING pg_catalog.json_populate_recordset(NULL::"public"."customer_copy", ', ') AS d WHERE t."customer_no" = d."customer_no"',
    'INSERT INTO "public"."customer_copy" AS t ("created_utc", "customer_no", "display_name", "preferences", "e_mail") SELECT d."created_utc", d."customer_no", d."display_name", (d."preferences" #>> ''{}'')::jsonb, d."e_mail" FROM (SELECT DISTINCT ON (d."customer_no") d.* FROM pg_catalog.json_array_elements(', '::pg_catalog.json) WITH ORDINALITY AS a (v, n) CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::"public"."customer_copy", a.v) AS d ORDER BY d."customer_no", a.n DESC) AS d ON CONFLICT ("customer_no") DO UPDATE SET "created_utc" = EXCLUDED."created_utc", "customer_no" = EXCLUDED."customer_no", "display_name" = EXCLUDED."display_name", "preferences" = EXCLUDED."preferences", "e_mail" = EXCLUDED."e_mail"');
CREATE OR REPLACE FUNCTION "pgsync"."restore_customer_9fe56418"(p_dst text, p_keys text)
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
    IF p_dst = 'crm_replica' THEN
        IF p_keys IS NULL THEN
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."created_utc", n."customer_no", n."display_name", n."preferences"::text AS "preferences", n."e_mail" FROM "public"."customer" AS n) AS r;
            v_part := 'TRUNCATE ONLY "public"."customer_copy"';
        ELSE
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."created_utc", n."customer_no", n."display_name", n."preferences"::text AS "preferences", n."e_mail" FROM "public"."customer" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"public"."customer", p_keys::json) AS o WHERE n."customer_no" = o."customer_no")) AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT DISTINCT o."customer_no" FROM pg_catalog.json_populate_recordset(NULL::"public"."customer", p_keys::json) AS o WHERE NOT EXISTS (SELECT 1 FROM "public"."customer" AS n WHERE n."customer_no" = o."customer_no")) AS r;
            v_part := NULL;
            IF v_gone IS NOT NULL THEN
                v_part := 'DELETE FROM "public"."customer_copy" AS t USING pg_catalog.json_populate_recordset(NULL::"public"."customer_copy", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."customer_no" = d."customer_no"';
            END IF;
        END IF;
        IF v_rows IS NOT NULL THEN
            v_part := pg_catalog.concat_ws(E';\n', v_part, 'INSERT INTO "public"."customer_copy" AS t ("created_utc", "customer_no", "display_name", "preferences", "e_mail") SELECT d."created_utc", d."customer_no", d."display_name", (d."preferences" #>> ''{}'')::jsonb, d."e_mail" FROM pg_catalog.json_populate_recordset(NULL::"public"."customer_copy", ' || pg_catalog.quote_literal(v_rows) || ') AS d ON CONFLICT ("customer_no") DO UPDATE SET "created_utc" = EXCLUDED."created_utc", "customer_no" = EXCLUDED."customer_no", "display_name" = EXCLUDED."display_name", "preferences" = EXCLUDED."preferences", "e_mail" = EXCLUDED."e_mail"');
        END IF;
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
    END IF;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."restore_customer_9fe56418"(text, text) FROM PUBLIC;
SELECT "pgsync"."register_table"('public', 'customer', 'restore_customer_9fe56418');

-- uninstall
DROP TRIGGER IF EXISTS "pgsync_capture_insert" ON "public"."customer";
DROP TRIGGER IF EXISTS "pgsync_capture_update" ON "public"."customer";
DROP TRIGGER IF EXISTS "pgsync_capture_delete" ON "public"."customer";
DROP TRIGGER IF EXISTS "pgsync_capture_truncate" ON "public"."customer";
DROP FUNCTION IF EXISTS "pgsync"."capture_customer_9fe56418"();
DROP FUNCTION IF EXISTS "pgsync"."restore_customer_9fe56418"(text, text);
DO $pgsync$
BEGIN
    PERFORM "pgsync"."unregister_table"('public', 'customer');
EXCEPTION WHEN undefined_function OR invalid_schema_name THEN
    NULL; -- (never installed)
END
$pgsync$;

-- create missing source table
CREATE SCHEMA IF NOT EXISTS "public";
CREATE TABLE IF NOT EXISTS "public"."customer" (
    "created_utc" timestamp with time zone NOT NULL,
    "customer_no" integer NOT NULL,
    "display_name" character varying(200) NOT NULL,
    "preferences" jsonb,
    "e_mail" citext,
    PRIMARY KEY ("customer_no")
);

-- create missing target table on crm_replica
CREATE SCHEMA IF NOT EXISTS "public";
CREATE TABLE IF NOT EXISTS "public"."customer_copy" (
    "created_utc" timestamp with time zone NOT NULL,
    "customer_no" integer NOT NULL,
    "display_name" character varying(200) NOT NULL,
    "preferences" jsonb,
    "e_mail" citext,
    PRIMARY KEY ("customer_no")
);
