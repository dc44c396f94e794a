-- install
CREATE OR REPLACE FUNCTION "pgsync"."capture_invoices_ceeff384"()
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
        PERFORM "pgsync"."enqueue"('billing', 'invoices', 'reporting', '', 'a', 0, 'TRUNCATE ONLY "billing"."invoices"', NULL, NULL);
        PERFORM "pgsync"."enqueue"('billing', 'invoices', 'archive', '', 't', 0, 'TRUNCATE ONLY "archive"."invoices_2026"', NULL, NULL);
        RETURN NULL;
    END IF;

    -- A capture that can come late (not the table's first in this statement) checks nothing wrote its rows since (RefuseLateCapture).
    v_now := (EXTRACT(epoch FROM pg_catalog.statement_timestamp()))::text;
    IF pg_catalog.current_setting('pgsync.capture_invoices_ceeff384', true) IS DISTINCT FROM v_now THEN
        PERFORM pg_catalog.set_config('pgsync.capture_invoices_ceeff384', v_now, true);
    ELSE
        IF TG_OP = 'DELETE' THEN
            SELECT pg_catalog.json_build_object('invoice_no', o."invoice_no", 'tenant_id', o."tenant_id")::text INTO v_late FROM old_rows AS o WHERE EXISTS (SELECT 1 FROM "billing"."invoices" AS t WHERE t."invoice_no" = o."invoice_no" AND t."tenant_id" = o."tenant_id") LIMIT 1;
        ELSE
            SELECT pg_catalog.json_build_object('invoice_no', n."invoice_no", 'tenant_id', n."tenant_id")::text INTO v_late FROM new_rows AS n WHERE NOT EXISTS (SELECT 1 FROM "billing"."invoices" AS t WHERE t."invoice_no" = n."invoice_no" AND t."tenant_id" = n."tenant_id" AND t OPERATOR(pg_catalog.*=) n) LIMIT 1;
            IF v_late IS NULL AND TG_OP = 'UPDATE' THEN
                SELECT pg_catalog.json_build_object('invoice_no', o."invoice_no", 'tenant_id', o."tenant_id")::text INTO v_late FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."invoice_no" = o."invoice_no" AND n."tenant_id" = o."tenant_id") AND EXISTS (SELECT 1 FROM "billing"."invoices" AS t WHERE t."invoice_no" = o."invoice_no" AND t."tenant_id" = o."tenant_id") LIMIT 1;
            END IF;
        END IF;
        IF v_late IS NOT NULL THEN
            RAISE EXCEPTION 'RoslynPgSync: a statement wrote the row of %.% with key %, and another write in the same statement changed it again before its capture ran: their changes would be replicated in the wrong order; refused', '"billing"', '"invoices"', v_late
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

    -- reporting → billing.invoices (Async) where status <> 'draft'
    IF v_single THEN
        v_gone := NULL;
        v_row := NULL;
        v_key := NULL;
        IF TG_OP = 'INSERT' THEN
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM new_rows AS n WHERE (status <> 'draft')) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."invoice_no", o."tenant_id" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."invoice_no" = o."invoice_no" AND n."tenant_id" = o."tenant_id" AND (status <> 'draft'))) AS r;
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM new_rows AS n WHERE (status <> 'draft')) AS r;
        ELSE
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."invoice_no", o."tenant_id" FROM old_rows AS o WHERE (status <> 'draft')) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_change"('billing', 'invoices', 'reporting', '', 'a', 'invoices_33b1bcff182e60678b6b656ae41557b6', v_gone, v_row, v_key, NULL);
    ELSE
        IF TG_OP = 'INSERT' THEN
            OPEN v_rows FOR SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM new_rows AS n WHERE (status <> 'draft')) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            -- Keys that left (the key changed, or the row no longer matches the filter), then the rows.
            -- (UNION ALL reads its branches in order.)
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."invoice_no", o."tenant_id" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."invoice_no" = o."invoice_no" AND n."tenant_id" = o."tenant_id" AND (status <> 'draft'))) AS r
                UNION ALL SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM new_rows AS n WHERE (status <> 'draft')) AS r;
        ELSE
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."invoice_no", o."tenant_id" FROM old_rows AS o WHERE (status <> 'draft')) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_rows"('billing', 'invoices', 'reporting', '', 'a',
            'DELETE FROM "billing"."invoices" AS t USING pg_catalog.json_populate_recordset(NULL::"billing"."invoices", ', ') AS d WHERE t."invoice_no" = d."invoice_no" AND t."tenant_id" = d."tenant_id"',
            'INSERT INTO "billing"."invoices" AS t ("tenant_id", "invoice_no", "status", "total", "issued_at") SELECT d."tenant_id", d."invoice_no", d."status", d."total", d."issued_at" FROM pg_catalog.json_populate_recordset(NULL::"billing"."invoices", ', ') AS d ON CONFLICT ("invoice_no", "tenant_id") DO UPDATE SET "tenant_id" = EXCLUDED."tenant_id", "invoice_no" = EXCLUDED."invoice_no", "status" = EXCLUDED."status", "total" = EXCLUDED."total", "issued_at" = EXCLUDED."issued_at"', v_rows, NULL);
    END IF;

    -- archive → archive.invoices_2026 (Strict)
    IF v_single THEN
        v_gone := NULL;
        v_row := NULL;
        v_key := NULL;
        IF TG_OP = 'INSERT' THEN
            SELECT pg_catalog.row_to_json(r)::text, pg_catalog.json_build_object('invoice_no', r."invoice_no", 'tenant_id', r."tenant_id")::text INTO v_row, v_key FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."invoice_no", o."tenant_id" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."invoice_no" = o."invoice_no" AND n."tenant_id" = o."tenant_id")) AS r;
            SELECT pg_catalog.row_to_json(r)::text, pg_catalog.json_build_object('invoice_no', r."invoice_no", 'tenant_id', r."tenant_id")::text INTO v_row, v_key FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM new_rows AS n) AS r;
        ELSE
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."invoice_no", o."tenant_id" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_change"('billing', 'invoices', 'archive', '', 't', 'invoices_2026_00c2a72d49b1180ff1892fac4e6c7224', v_gone, v_row, v_key, NULL);
    ELSE
        IF TG_OP = 'INSERT' THEN
            OPEN v_rows FOR SELECT 1, pg_catalog.row_to_json(r)::text, pg_catalog.json_build_object('invoice_no', r."invoice_no", 'tenant_id', r."tenant_id")::text FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            -- Keys that left (the key changed, or the row no longer matches the filter), then the rows.
            -- (UNION ALL reads its branches in order.)
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."invoice_no", o."tenant_id" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."invoice_no" = o."invoice_no" AND n."tenant_id" = o."tenant_id")) AS r
                UNION ALL SELECT 1, pg_catalog.row_to_json(r)::text, pg_catalog.json_build_object('invoice_no', r."invoice_no", 'tenant_id', r."tenant_id")::text FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM new_rows AS n) AS r;
        ELSE
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."invoice_no", o."tenant_id" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_rows"('billing', 'invoices', 'archive', '', 't',
            'DELETE FROM "archive"."invoices_2026" AS t USING pg_catalog.json_populate_recordset(NULL::"archive"."invoices_2026", ', ') AS d WHERE t."invoice_no" = d."invoice_no" AND t."tenant_id" = d."tenant_id"',
            'INSERT INTO "archive"."invoices_2026" AS t ("tenant_id", "invoice_no", "status", "total", "issued_at") SELECT d."tenant_id", d."invoice_no", d."status", d."total", d."issued_at" FROM pg_catalog.json_populate_recordset(NULL::"archive"."invoices_2026", ', ') AS d ON CONFLICT ("invoice_no", "tenant_id") DO UPDATE SET "tenant_id" = EXCLUDED."tenant_id", "invoice_no" = EXCLUDED."invoice_no", "status" = EXCLUDED."status", "total" = EXCLUDED."total", "issued_at" = EXCLUDED."issued_at"', v_rows, NULL);
    END IF;
    RETURN NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."capture_invoices_ceeff384"() FROM PUBLIC;
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"billing"."invoices"'::pg_catalog.regclass AND tgname = 'pgsync_capture_insert') THEN
        CREATE TRIGGER "pgsync_capture_insert" AFTER INSERT ON "billing"."invoices" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_invoices_ceeff384"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"billing"."invoices"'::pg_catalog.regclass AND tgname = 'pgsync_capture_update') THEN
        CREATE TRIGGER "pgsync_capture_update" AFTER UPDATE ON "billing"."invoices" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_invoices_ceeff384"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"billing"."invoices"'::pg_catalog.regclass AND tgname = 'pgsync_capture_delete') THEN
        CREATE TRIGGER "pgsync_capture_delete" AFTER DELETE ON "billing"."invoices" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_invoices_ceeff384"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"billing"."invoices"'::pg_catalog.regclass AND tgname = 'pgsync_capture_truncate') THEN
        CREATE TRIGGER "pgsync_capture_truncate" AFTER TRUNCATE ON "billing"."invoices" FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_invoices_ceeff384"();
    END IF;
END
$pgsync$;
SELECT "pgsync"."register_statement"('invoices_33b1bcff182e60678b6b656ae41557b6',
    'DELETE FROM "billing"."invoices" AS t USING pg_catalog.json_populate_recordset(NULL::"billing"."invoices", ', ') AS d WHERE t."invoice_no" = d."invoice_no" AND t."tenant_id" = d."tenant_id"',
    'INSERT INTO "billing"."invoices" AS t ("tenant_id", "invoice_no", "status", "total", "issued_at") SELECT d."tenant_id", d."invoice_no", d."status", d."total", d."issued_at" FROM (SELECT DISTINCT ON (d."invoice_no", d."tenant_id") d.* FROM pg_catalog.json_array_elements(', '::pg_catalog.json) WITH ORDINALITY AS a (v, n) CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::"billing"."invoices", a.v) AS d ORDER BY d."invoice_no", d."tenant_id", a.n DESC) AS d ON CONFLICT ("invoice_no", "tenant_id") DO UPDATE SET "tenant_id" = EXCLUDED."tenant_id", "invoice_no" = EXCLUDED."invoice_no", "status" = EXCLUDED."status", "total" = EXCLUDED."total", "issued_at" = EXCLUDED."issued_at"');
SELECT "pgsync"."register_statement"('invoices_2026_00c2a72d49b1180ff1892fac4e6c7224',
    'DELETE FROM "archive"."invoices_2026" AS t USING pg_catalog.json_populate_recordset(NULL::"archive"."invoices_2026", ', ') AS d WHERE t."invoice_no" = d."invoice_no" AND t."tenant_id" = d."tenant_id"',
    'INSERT INTO "archive"."invoices_2026" AS t ("tenant_id", "invoice_no", "status", "total", "issued_at") SELECT d."tenant_id", d."invoice_no", d."status", d."total", d."issued_at" FROM (SELECT DISTINCT ON (d."invoice_no", d."tenant_id") d.* FROM pg_catalog.json_array_elements(', '::pg_catalog.json) WITH ORDINALITY AS a (v, n) CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::"archive"."invoices_2026", a.v) AS d ORDER BY d."invoice_no", d."tenant_id", a.n DESC) AS d ON CONFLICT ("invoice_no", "tenant_id") DO UPDATE SET "tenant_id" = EXCLUDED."tenant_id", "invoice_no" = EXCLUDED."invoice_no", "status" = EXCLUDED."status", "total" = EXCLUDED."total", "issued_at" = EXCLUDED."issued_at"');
CREATE OR REPLACE FUNCTION "pgsync"."restore_invoices_ceeff384"(p_dst text, p_keys text)
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
    IF p_dst = 'reporting' THEN
        IF p_keys IS NULL THEN
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM "billing"."invoices" AS n WHERE (status <> 'draft')) AS r;
            v_part := 'TRUNCATE ONLY "billing"."invoices"';
        ELSE
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM "billing"."invoices" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"billing"."invoices", p_keys::json) AS o WHERE n."invoice_no" = o."invoice_no" AND n."tenant_id" = o."tenant_id") AND (status <> 'draft')) AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT DISTINCT o."invoice_no", o."tenant_id" FROM pg_catalog.json_populate_recordset(NULL::"billing"."invoices", p_keys::json) AS o WHERE NOT EXISTS (SELECT 1 FROM "billing"."invoices" AS n WHERE n."invoice_no" = o."invoice_no" AND n."tenant_id" = o."tenant_id" AND (status <> 'draft'))) AS r;
            v_part := NULL;
            IF v_gone IS NOT NULL THEN
                v_part := 'DELETE FROM "billing"."invoices" AS t USING pg_catalog.json_populate_recordset(NULL::"billing"."invoices", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."invoice_no" = d."invoice_no" AND t."tenant_id" = d."tenant_id"';
            END IF;
        END IF;
        IF v_rows IS NOT NULL THEN
            v_part := pg_catalog.concat_ws(E';\n', v_part, 'INSERT INTO "billing"."invoices" AS t ("tenant_id", "invoice_no", "status", "total", "issued_at") SELECT d."tenant_id", d."invoice_no", d."status", d."total", d."issued_at" FROM pg_catalog.json_populate_recordset(NULL::"billing"."invoices", ' || pg_catalog.quote_literal(v_rows) || ') AS d ON CONFLICT ("invoice_no", "tenant_id") DO UPDATE SET "tenant_id" = EXCLUDED."tenant_id", "invoice_no" = EXCLUDED."invoice_no", "status" = EXCLUDED."status", "total" = EXCLUDED."total", "issued_at" = EXCLUDED."issued_at"');
        END IF;
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
    END IF;
    IF p_dst = 'archive' THEN
        IF p_keys IS NULL THEN
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM "billing"."invoices" AS n) AS r;
            v_part := 'TRUNCATE ONLY "archive"."invoices_2026"';
        ELSE
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."tenant_id", n."invoice_no", n."status", n."total", n."issued_at" FROM "billing"."invoices" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"billing"."invoices", p_keys::json) AS o WHERE n."invoice_no" = o."invoice_no" AND n."tenant_id" = o."tenant_id")) AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT DISTINCT o."invoice_no", o."tenant_id" FROM pg_catalog.json_populate_recordset(NULL::"billing"."invoices", p_keys::json) AS o WHERE NOT EXISTS (SELECT 1 FROM "billing"."invoices" AS n WHERE n."invoice_no" = o."invoice_no" AND n."tenant_id" = o."tenant_id")) AS r;
            v_part := NULL;
            IF v_gone IS NOT NULL THEN
                v_part := 'DELETE FROM "archive"."invoices_2026" AS t USING pg_catalog.json_populate_recordset(NULL::"archive"."invoices_2026", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."invoice_no" = d."invoice_no" AND t."tenant_id" = d."tenant_id"';
            END IF;
        END IF;
        IF v_rows IS NOT NULL THEN
            v_part := pg_catalog.concat_ws(E';\n', v_part, 'INSERT INTO "archive"."invoices_2026" AS t ("tenant_id", "invoice_no", "status", "total", "issued_at") SELECT d."tenant_id", d."invoice_no", d."status", d."total", d."issued_at" FROM pg_catalog.json_populate_recordset(NULL::"archive"."invoices_2026", ' || pg_catalog.quote_literal(v_rows) || ') AS d ON CONFLICT ("invoice_no", "tenant_id") DO UPDATE SET "tenant_id" = EXCLUDED."tenant_id", "invoice_no" = EXCLUDED."invoice_no", "status" = EXCLUDED."status", "total" = EXCLUDED."total", "issued_at" = EXCLUDED."issued_at"');
        END IF;
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
    END IF;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."restore_invoices_ceeff384"(text, text) FROM PUBLIC;
SELECT "pgsync"."register_table"('billing', 'invoices', 'restore_invoices_ceeff384');

-- uninstall
DROP TRIGGER IF EXISTS "pgsync_capture_insert" ON "billing"."invoices";
DROP TRIGGER IF EXISTS "pgsync_capture_update" ON "billing"."invoices";
DROP TRIGGER IF EXISTS "pgsync_capture_delete" ON "billing"."invoices";
DROP TRIGGER IF EXISTS "pgsync_capture_truncate" ON "billing"."invoices";
DROP FUNCTION IF EXISTS "pgsync"."capture_invoices_ceeff384"();
DROP FUNCTION IF EXISTS "pgsync"."restore_invoices_ceeff384"(text, text);
DO $pgsync$
BEGIN
    PERFORM "pgsync"."unregister_table"('billing', 'invoices');
EXCEPTION WHEN undefined_function OR invalid_schema_name THEN
    NULL; -- (never installed)
END
$pgsync$;

-- create missing source table
CREATE SCHEMA IF NOT EXISTS "billing";
CREATE TABLE IF NOT EXISTS "billing"."invoices" (
    "tenant_id" integer NOT NULL,
    "invoice_no" bigint NOT NULL,
    "status" text NOT NULL,
    "total" numeric(12,2) NOT NULL,
    "issued_at" timestamp with time zone NOT NULL,
    PRIMARY KEY ("invoice_no", "tenant_id")
);

-- create missing target table on reporting
CREATE SCHEMA IF NOT EXISTS "billing";
CREATE TABLE IF NOT EXISTS "billing"."invoices" (
    "tenant_id" integer NOT NULL,
    "invoice_no" bigint NOT NULL,
    "status" text NOT NULL,
    "total" numeric(12,2) NOT NULL,
    "issued_at" timestamp with time zone NOT NULL,
    PRIMARY KEY ("invoice_no", "tenant_id")
);

-- create missing target table on archive
CREATE SCHEMA IF NOT EXISTS "archive";
CREATE TABLE IF NOT EXISTS "archive"."invoices_2026" (
    "tenant_id" integer NOT NULL,
    "invoice_no" bigint NOT NULL,
    "status" text NOT NULL,
    "total" numeric(12,2) NOT NULL,
    "issued_at" timestamp with time zone NOT NULL,
    PRIMARY KEY ("invoice_no", "tenant_id")
);
