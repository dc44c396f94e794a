-- What the generator of the queue's first layout (before pgsync.enqueue) installed for app.hostile_async and
-- app.hostile_sync: capture functions that insert into sync_err_rec and sync_pending themselves. Kept
-- as it was generated (schema pgsync), so that a new runtime is tested under an application not rebuilt.
-- app.hostile_async (RoslynPgSync.Tests.Models.HostileAsync)
CREATE OR REPLACE FUNCTION "pgsync"."capture_hostile_async_85e60889"()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
SET IntervalStyle = postgres
AS $pgsync$
DECLARE
    v_rows text;
    v_gone text;
    v_sql text;
    v_upserts bigint;
    v_deletes bigint;
BEGIN
    -- A session that applies replicated changes carries pgsync.origin: never send them back.
    -- Honoured only in sessions of the installing role (this function's owner) or its members: any
    -- session may set the setting, and another role's writes are captured whatever it says.
    IF pg_catalog.current_setting('pgsync.origin', true) <> '' AND pg_catalog.pg_has_role(SESSION_USER, CURRENT_USER, 'MEMBER') THEN
        RETURN NULL;
    END IF;

    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO "pgsync"."sync_err_rec" (nsp_name, table_name, dst_server, mode, row_count, dst_query) VALUES ('app', 'hostile_async', 'async_dst', 'a', 0, 'TRUNCATE ONLY "copy"."hostile_async"'); PERFORM pg_catalog.pg_notify('pgsync', 'async_dst');
        RETURN NULL;
    END IF;

    -- async_dst → copy.hostile_async (Async)
    v_rows := NULL;
    v_gone := NULL;
    v_upserts := 0;
    v_deletes := 0;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT pg_catalog.json_agg(r)::text, pg_catalog.count(*) INTO v_rows, v_upserts FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers", n."words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag" FROM new_rows AS n) AS r;
    END IF;
    IF TG_OP = 'DELETE' THEN
        SELECT pg_catalog.json_agg(r)::text, pg_catalog.count(*) INTO v_gone, v_deletes FROM (SELECT o."id", o."code" FROM old_rows AS o) AS r;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Keys that left: the key changed, or the row no longer matches the filter.
        SELECT pg_catalog.json_agg(r)::text, pg_catalog.count(*) INTO v_gone, v_deletes FROM (SELECT o."id", o."code" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id" AND n."code" = o."code")) AS r;
    END IF;
    v_sql := NULL;
    IF v_gone IS NOT NULL THEN
        v_sql := 'DELETE FROM "copy"."hostile_async" AS t USING pg_catalog.json_populate_recordset(NULL::"copy"."hostile_async", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."id" = d."id" AND t."code" = d."code"';
    END IF;
    IF v_rows IS NOT NULL THEN
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, 'INSERT INTO "copy"."hostile_async" AS t ("id", "code", "body", "blob", "numbers", "words", "document", "raw_json", "amount", "ratio", "at", "local_at", "span", "uid", "flag") SELECT d."id", d."code", d."body", d."blob", d."numbers", d."words", (d."document" #>> ''{}'')::jsonb, (d."raw_json" #>> ''{}'')::json, d."amount", d."ratio", d."at", d."local_at", d."span", d."uid", d."flag" FROM pg_catalog.json_populate_recordset(NULL::"copy"."hostile_async", ' || pg_catalog.quote_literal(v_rows) || ') AS d ON CONFLICT ("id", "code") DO UPDATE SET "body" = EXCLUDED."body", "blob" = EXCLUDED."blob", "numbers" = EXCLUDED."numbers", "words" = EXCLUDED."words", "document" = EXCLUDED."document", "raw_json" = EXCLUDED."raw_json", "amount" = EXCLUDED."amount", "ratio" = EXCLUDED."ratio", "at" = EXCLUDED."at", "local_at" = EXCLUDED."local_at", "span" = EXCLUDED."span", "uid" = EXCLUDED."uid", "flag" = EXCLUDED."flag"');
    END IF;
    IF v_sql IS NOT NULL THEN
        INSERT INTO "pgsync"."sync_err_rec" (nsp_name, table_name, dst_server, mode, row_count, dst_query) VALUES ('app', 'hostile_async', 'async_dst', 'a', v_upserts + v_deletes, v_sql); PERFORM pg_catalog.pg_notify('pgsync', 'async_dst');
    END IF;
    RETURN NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."capture_hostile_async_85e60889"() FROM PUBLIC;
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"app"."hostile_async"'::pg_catalog.regclass AND tgname = 'pgsync_capture_insert') THEN
        CREATE TRIGGER "pgsync_capture_insert" AFTER INSERT ON "app"."hostile_async" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_hostile_async_85e60889"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"app"."hostile_async"'::pg_catalog.regclass AND tgname = 'pgsync_capture_update') THEN
        CREATE TRIGGER "pgsync_capture_update" AFTER UPDATE ON "app"."hostile_async" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_hostile_async_85e60889"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"app"."hostile_async"'::pg_catalog.regclass AND tgname = 'pgsync_capture_delete') THEN
        CREATE TRIGGER "pgsync_capture_delete" AFTER DELETE ON "app"."hostile_async" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_hostile_async_85e60889"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"app"."hostile_async"'::pg_catalog.regclass AND tgname = 'pgsync_capture_truncate') THEN
        CREATE TRIGGER "pgsync_capture_truncate" AFTER TRUNCATE ON "app"."hostile_async" FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_hostile_async_85e60889"();
    END IF;
END
$pgsync$;
CREATE OR REPLACE FUNCTION "pgsync"."restore_hostile_async_85e60889"(p_dst text, p_keys text)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
SET IntervalStyle = postgres
AS $pgsync$
DECLARE
    v_rows text;
    v_gone text;
    v_part text;
    v_sql text;
BEGIN
    IF p_dst = 'async_dst' THEN
        IF p_keys IS NULL THEN
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers", n."words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag" FROM "app"."hostile_async" AS n) AS r;
            v_part := 'TRUNCATE ONLY "copy"."hostile_async"';
        ELSE
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers", n."words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag" FROM "app"."hostile_async" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"app"."hostile_async", p_keys::json) AS o WHERE n."id" = o."id" AND n."code" = o."code")) AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT DISTINCT o."id", o."code" FROM pg_catalog.json_populate_recordset(NULL::"app"."hostile_async", p_keys::json) AS o WHERE NOT EXISTS (SELECT 1 FROM "app"."hostile_async" AS n WHERE n."id" = o."id" AND n."code" = o."code")) AS r;
            v_part := NULL;
            IF v_gone IS NOT NULL THEN
                v_part := 'DELETE FROM "copy"."hostile_async" AS t USING pg_catalog.json_populate_recordset(NULL::"copy"."hostile_async", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."id" = d."id" AND t."code" = d."code"';
            END IF;
        END IF;
        IF v_rows IS NOT NULL THEN
            v_part := pg_catalog.concat_ws(E';\n', v_part, 'INSERT INTO "copy"."hostile_async" AS t ("id", "code", "body", "blob", "numbers", "words", "document", "raw_json", "amount", "ratio", "at", "local_at", "span", "uid", "flag") SELECT d."id", d."code", d."body", d."blob", d."numbers", d."words", (d."document" #>> ''{}'')::jsonb, (d."raw_json" #>> ''{}'')::json, d."amount", d."ratio", d."at", d."local_at", d."span", d."uid", d."flag" FROM pg_catalog.json_populate_recordset(NULL::"copy"."hostile_async", ' || pg_catalog.quote_literal(v_rows) || ') AS d ON CONFLICT ("id", "code") DO UPDATE SET "body" = EXCLUDED."body", "blob" = EXCLUDED."blob", "numbers" = EXCLUDED."numbers", "words" = EXCLUDED."words", "document" = EXCLUDED."document", "raw_json" = EXCLUDED."raw_json", "amount" = EXCLUDED."amount", "ratio" = EXCLUDED."ratio", "at" = EXCLUDED."at", "local_at" = EXCLUDED."local_at", "span" = EXCLUDED."span", "uid" = EXCLUDED."uid", "flag" = EXCLUDED."flag"');
        END IF;
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
    END IF;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."restore_hostile_async_85e60889"(text, text) FROM PUBLIC;
INSERT INTO "pgsync"."replicated_table" AS r (nsp_name, table_name, restore_function) VALUES ('app', 'hostile_async', 'restore_hostile_async_85e60889')
    ON CONFLICT (nsp_name, table_name) DO UPDATE SET restore_function = EXCLUDED.restore_function
    WHERE r.restore_function IS DISTINCT FROM EXCLUDED.restore_function;

-- app.hostile_sync (RoslynPgSync.Tests.Models.HostileSync)
CREATE OR REPLACE FUNCTION "pgsync"."capture_hostile_sync_31c1ab40"()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
SET IntervalStyle = postgres
AS $pgsync$
DECLARE
    v_rows text;
    v_gone text;
    v_sql text;
    v_upserts bigint;
    v_deletes bigint;
    v_keys text;
BEGIN
    -- A session that applies replicated changes carries pgsync.origin: never send them back.
    -- Honoured only in sessions of the installing role (this function's owner) or its members: any
    -- session may set the setting, and another role's writes are captured whatever it says.
    IF pg_catalog.current_setting('pgsync.origin', true) <> '' AND pg_catalog.pg_has_role(SESSION_USER, CURRENT_USER, 'MEMBER') THEN
        RETURN NULL;
    END IF;

    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO "pgsync"."sync_pending" (nsp_name, table_name, dst_server, mode, row_count, xact_id, keys, dst_query) VALUES ('app', 'hostile_sync', 'sync_dst', 's', 0, pg_catalog.pg_current_xact_id(), NULL, 'TRUNCATE ONLY "copy"."hostile_sync"');
        RETURN NULL;
    END IF;

    -- sync_dst → copy.hostile_sync (Sync)
    v_rows := NULL;
    v_gone := NULL;
    v_upserts := 0;
    v_deletes := 0;
    v_keys := NULL;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT pg_catalog.json_agg(r)::text, pg_catalog.json_agg(pg_catalog.json_build_object('id', r."id", 'code', r."code"))::text, pg_catalog.count(*) INTO v_rows, v_keys, v_upserts FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers", n."words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag" FROM new_rows AS n) AS r;
    END IF;
    IF TG_OP = 'DELETE' THEN
        SELECT pg_catalog.json_agg(r)::text, pg_catalog.count(*) INTO v_gone, v_deletes FROM (SELECT o."id", o."code" FROM old_rows AS o) AS r;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Keys that left: the key changed, or the row no longer matches the filter.
        SELECT pg_catalog.json_agg(r)::text, pg_catalog.count(*) INTO v_gone, v_deletes FROM (SELECT o."id", o."code" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id" AND n."code" = o."code")) AS r;
    END IF;
    IF v_gone IS NOT NULL THEN
        v_keys := CASE WHEN v_keys IS NULL THEN v_gone ELSE pg_catalog.left(v_gone, -1) || ', ' || pg_catalog.substr(v_keys, 2) END;
    END IF;
    v_sql := NULL;
    IF v_gone IS NOT NULL THEN
        v_sql := 'DELETE FROM "copy"."hostile_sync" AS t USING pg_catalog.json_populate_recordset(NULL::"copy"."hostile_sync", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."id" = d."id" AND t."code" = d."code"';
    END IF;
    IF v_rows IS NOT NULL THEN
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, 'INSERT INTO "copy"."hostile_sync" AS t ("id", "code", "body", "blob", "numbers", "words", "document", "raw_json", "amount", "ratio", "at", "local_at", "span", "uid", "flag") SELECT d."id", d."code", d."body", d."blob", d."numbers", d."words", (d."document" #>> ''{}'')::jsonb, (d."raw_json" #>> ''{}'')::json, d."amount", d."ratio", d."at", d."local_at", d."span", d."uid", d."flag" FROM pg_catalog.json_populate_recordset(NULL::"copy"."hostile_sync", ' || pg_catalog.quote_literal(v_rows) || ') AS d ON CONFLICT ("id", "code") DO UPDATE SET "body" = EXCLUDED."body", "blob" = EXCLUDED."blob", "numbers" = EXCLUDED."numbers", "words" = EXCLUDED."words", "document" = EXCLUDED."document", "raw_json" = EXCLUDED."raw_json", "amount" = EXCLUDED."amount", "ratio" = EXCLUDED."ratio", "at" = EXCLUDED."at", "local_at" = EXCLUDED."local_at", "span" = EXCLUDED."span", "uid" = EXCLUDED."uid", "flag" = EXCLUDED."flag"');
    END IF;
    IF v_sql IS NOT NULL THEN
        INSERT INTO "pgsync"."sync_pending" (nsp_name, table_name, dst_server, mode, row_count, xact_id, keys, dst_query) VALUES ('app', 'hostile_sync', 'sync_dst', 's', v_upserts + v_deletes, pg_catalog.pg_current_xact_id(), v_keys, v_sql);
    END IF;
    RETURN NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."capture_hostile_sync_31c1ab40"() FROM PUBLIC;
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"app"."hostile_sync"'::pg_catalog.regclass AND tgname = 'pgsync_capture_insert') THEN
        CREATE TRIGGER "pgsync_capture_insert" AFTER INSERT ON "app"."hostile_sync" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_hostile_sync_31c1ab40"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"app"."hostile_sync"'::pg_catalog.regclass AND tgname = 'pgsync_capture_update') THEN
        CREATE TRIGGER "pgsync_capture_update" AFTER UPDATE ON "app"."hostile_sync" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_hostile_sync_31c1ab40"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"app"."hostile_sync"'::pg_catalog.regclass AND tgname = 'pgsync_capture_delete') THEN
        CREATE TRIGGER "pgsync_capture_delete" AFTER DELETE ON "app"."hostile_sync" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_hostile_sync_31c1ab40"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"app"."hostile_sync"'::pg_catalog.regclass AND tgname = 'pgsync_capture_truncate') THEN
        CREATE TRIGGER "pgsync_capture_truncate" AFTER TRUNCATE ON "app"."hostile_sync" FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_hostile_sync_31c1ab40"();
    END IF;
END
$pgsync$;
CREATE OR REPLACE FUNCTION "pgsync"."restore_hostile_sync_31c1ab40"(p_dst text, p_keys text)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
SET IntervalStyle = postgres
AS $pgsync$
DECLARE
    v_rows text;
    v_gone text;
    v_part text;
    v_sql text;
BEGIN
    IF p_dst = 'sync_dst' THEN
        IF p_keys IS NULL THEN
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers", n."words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag" FROM "app"."hostile_sync" AS n) AS r;
            v_part := 'TRUNCATE ONLY "copy"."hostile_sync"';
        ELSE
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers", n."words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag" FROM "app"."hostile_sync" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"app"."hostile_sync", p_keys::json) AS o WHERE n."id" = o."id" AND n."code" = o."code")) AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT DISTINCT o."id", o."code" FROM pg_catalog.json_populate_recordset(NULL::"app"."hostile_sync", p_keys::json) AS o WHERE NOT EXISTS (SELECT 1 FROM "app"."hostile_sync" AS n WHERE n."id" = o."id" AND n."code" = o."code")) AS r;
            v_part := NULL;
            IF v_gone IS NOT NULL THEN
                v_part := 'DELETE FROM "copy"."hostile_sync" AS t USING pg_catalog.json_populate_recordset(NULL::"copy"."hostile_sync", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."id" = d."id" AND t."code" = d."code"';
            END IF;
        END IF;
        IF v_rows IS NOT NULL THEN
            v_part := pg_catalog.concat_ws(E';\n', v_part, 'INSERT INTO "copy"."hostile_sync" AS t ("id", "code", "body", "blob", "numbers", "words", "document", "raw_json", "amount", "ratio", "at", "local_at", "span", "uid", "flag") SELECT d."id", d."code", d."body", d."blob", d."numbers", d."words", (d."document" #>> ''{}'')::jsonb, (d."raw_json" #>> ''{}'')::json, d."amount", d."ratio", d."at", d."local_at", d."span", d."uid", d."flag" FROM pg_catalog.json_populate_recordset(NULL::"copy"."hostile_sync", ' || pg_catalog.quote_literal(v_rows) || ') AS d ON CONFLICT ("id", "code") DO UPDATE SET "body" = EXCLUDED."body", "blob" = EXCLUDED."blob", "numbers" = EXCLUDED."numbers", "words" = EXCLUDED."words", "document" = EXCLUDED."document", "raw_json" = EXCLUDED."raw_json", "amount" = EXCLUDED."amount", "ratio" = EXCLUDED."ratio", "at" = EXCLUDED."at", "local_at" = EXCLUDED."local_at", "span" = EXCLUDED."span", "uid" = EXCLUDED."uid", "flag" = EXCLUDED."flag"');
        END IF;
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
    END IF;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."restore_hostile_sync_31c1ab40"(text, text) FROM PUBLIC;
INSERT INTO "pgsync"."replicated_table" AS r (nsp_name, table_name, restore_function) VALUES ('app', 'hostile_sync', 'restore_hostile_sync_31c1ab40')
    ON CONFLICT (nsp_name, table_name) DO UPDATE SET restore_function = EXCLUDED.restore_function
    WHERE r.restore_function IS DISTINCT FROM EXCLUDED.restore_function;
