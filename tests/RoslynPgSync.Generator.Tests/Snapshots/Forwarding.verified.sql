-- install
-- The row versions of "post"."parcel" (Conflicts = LastWriterWins): per key, the stamp of the write it holds; pgsync_deleted: a tombstone.
CREATE TABLE IF NOT EXISTS "pgsync"."row_version_parcel_ae210b10" (
    "id" bigint NOT NULL,
    pgsync_at timestamp with time zone NOT NULL,
    pgsync_origin text NOT NULL,
    pgsync_deleted boolean NOT NULL,
    pgsync_prev_at timestamp with time zone,
    pgsync_prev_origin text,
    PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "row_version_parcel_ae210b10_tombstones" ON "pgsync"."row_version_parcel_ae210b10" (pgsync_at) WHERE pgsync_deleted;
REVOKE ALL ON "pgsync"."row_version_parcel_ae210b10" FROM PUBLIC;
CREATE OR REPLACE FUNCTION "pgsync"."capture_parcel_ae210b10"()
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
    v_origin text;
    v_entry_bytes text;
    v_path text; -- the nodes a change applied here has been through (NULL: this node's own write)
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'RoslynPgSync: TRUNCATE of %.% is refused: it declares a conflict policy, and a TRUNCATE cannot be resolved against the writes of the other nodes', '"post"', '"parcel"'
            USING ERRCODE = 'feature_not_supported', HINT = 'DELETE the rows instead: each delete is stamped and replicated. A node that sends it a TRUNCATE must declare the same Conflicts policy, which refuses TRUNCATE there too.';
    END IF;

    -- A session that applies replicated changes carries pgsync.origin: never send them back.
    -- Honoured only in sessions of the installing role (this function's owner) or its members: any
    -- session may set the setting, and another role's writes are captured whatever it says.
    IF COALESCE(pg_catalog.current_setting('pgsync.origin', true), '') <> '' AND pg_catalog.pg_has_role(SESSION_USER, CURRENT_USER, 'MEMBER') THEN
        -- Every change applied here comes stamped (RefuseUnstamped): one that does not would bypass the resolution.
        IF TG_OP = 'DELETE' THEN
            IF EXISTS (SELECT 1 FROM (SELECT r."id" FROM old_rows AS r LIMIT 1) AS r WHERE NOT EXISTS (SELECT 1 FROM "pgsync"."row_version_parcel_ae210b10" AS m WHERE m."id" = r."id" AND m.xmin = pg_catalog.pg_current_xact_id()::xid)) THEN
                RAISE EXCEPTION 'RoslynPgSync: a replicated change to %.% came without a stamp, from a node that does not resolve conflicts on this table: refused, or it would bypass them', '"post"', '"parcel"'
                    USING ERRCODE = 'feature_not_supported', HINT = 'Declare the same Conflicts policy for this table on every node that sends it changes, and install there again; an operator''s session must not set pgsync.origin on this table.';
            END IF;
        ELSIF EXISTS (SELECT 1 FROM (SELECT r."id" FROM new_rows AS r LIMIT 1) AS r WHERE NOT EXISTS (SELECT 1 FROM "pgsync"."row_version_parcel_ae210b10" AS m WHERE m."id" = r."id" AND m.xmin = pg_catalog.pg_current_xact_id()::xid)) THEN
            RAISE EXCEPTION 'RoslynPgSync: a replicated change to %.% came without a stamp, from a node that does not resolve conflicts on this table: refused, or it would bypass them', '"post"', '"parcel"'
                USING ERRCODE = 'feature_not_supported', HINT = 'Declare the same Conflicts policy for this table on every node that sends it changes, and install there again; an operator''s session must not set pgsync.origin on this table.';
        END IF;
        -- Applied from another node: on to the destinations that forward it (Forward), none on its path.
        v_path := COALESCE(pg_catalog.current_setting('pgsync.path', true), '');
        -- Been through this node already, or its path unknown: not forwarded (it could loop).
        IF v_path = '' OR (SELECT i.identity FROM "pgsync".node_identity AS i) = ANY (pg_catalog.string_to_array(v_path, ',')) THEN
            RETURN NULL;
        END IF;
    END IF;

    -- A capture that can come late (not the table's first in this statement) checks nothing wrote its rows since (RefuseLateCapture).
    v_now := (EXTRACT(epoch FROM pg_catalog.statement_timestamp()))::text;
    IF pg_catalog.current_setting('pgsync.capture_parcel_ae210b10', true) IS DISTINCT FROM v_now THEN
        PERFORM pg_catalog.set_config('pgsync.capture_parcel_ae210b10', v_now, true);
    ELSE
        IF TG_OP = 'DELETE' THEN
            SELECT pg_catalog.json_build_object('id', o."id")::text INTO v_late FROM old_rows AS o WHERE EXISTS (SELECT 1 FROM "post"."parcel" AS t WHERE t."id" = o."id") LIMIT 1;
        ELSE
            SELECT pg_catalog.json_build_object('id', n."id")::text INTO v_late FROM new_rows AS n WHERE NOT EXISTS (SELECT 1 FROM "post"."parcel" AS t WHERE t."id" = n."id" AND t OPERATOR(pg_catalog.*=) n) LIMIT 1;
            IF v_late IS NULL AND TG_OP = 'UPDATE' THEN
                SELECT pg_catalog.json_build_object('id', o."id")::text INTO v_late FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id") AND EXISTS (SELECT 1 FROM "post"."parcel" AS t WHERE t."id" = o."id") LIMIT 1;
            END IF;
        END IF;
        IF v_late IS NOT NULL THEN
            RAISE EXCEPTION 'RoslynPgSync: a statement wrote the row of %.% with key %, and another write in the same statement changed it again before its capture ran: their changes would be replicated in the wrong order; refused', '"post"', '"parcel"', v_late
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

    IF v_path IS NULL THEN
        -- LastWriterWins: this write's stamp, after every stamp this node has seen for its key (row versions).
        v_origin := (SELECT o.origin FROM "pgsync".node AS o);
        IF TG_OP = 'UPDATE' THEN
            INSERT INTO "pgsync"."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted)
        SELECT o."id", pg_catalog.clock_timestamp(), v_origin, true FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id")
        ON CONFLICT ("id") DO UPDATE SET pgsync_at = GREATEST(EXCLUDED.pgsync_at, m.pgsync_at + '00:00:00.000001'::pg_catalog.interval), pgsync_origin = EXCLUDED.pgsync_origin, pgsync_deleted = true, pgsync_prev_at = m.pgsync_at, pgsync_prev_origin = m.pgsync_origin;
            INSERT INTO "pgsync"."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted)
        SELECT n."id", pg_catalog.clock_timestamp(), v_origin, false FROM new_rows AS n
        ON CONFLICT ("id") DO UPDATE SET pgsync_at = GREATEST(EXCLUDED.pgsync_at, m.pgsync_at + '00:00:00.000001'::pg_catalog.interval), pgsync_origin = EXCLUDED.pgsync_origin, pgsync_deleted = false, pgsync_prev_at = m.pgsync_at, pgsync_prev_origin = m.pgsync_origin;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO "pgsync"."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted)
        SELECT o."id", pg_catalog.clock_timestamp(), v_origin, true FROM old_rows AS o
        ON CONFLICT ("id") DO UPDATE SET pgsync_at = GREATEST(EXCLUDED.pgsync_at, m.pgsync_at + '00:00:00.000001'::pg_catalog.interval), pgsync_origin = EXCLUDED.pgsync_origin, pgsync_deleted = true, pgsync_prev_at = m.pgsync_at, pgsync_prev_origin = m.pgsync_origin;
        ELSE
            INSERT INTO "pgsync"."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted)
        SELECT n."id", pg_catalog.clock_timestamp(), v_origin, false FROM new_rows AS n
        ON CONFLICT ("id") DO UPDATE SET pgsync_at = GREATEST(EXCLUDED.pgsync_at, m.pgsync_at + '00:00:00.000001'::pg_catalog.interval), pgsync_origin = EXCLUDED.pgsync_origin, pgsync_deleted = false, pgsync_prev_at = m.pgsync_at, pgsync_prev_origin = m.pgsync_origin;
        END IF;
    END IF;

    -- next → post.parcel (Async)
    IF NOT (v_path IS NULL OR NOT COALESCE((SELECT p.identity FROM "pgsync".peer AS p WHERE p.dst_server = 'next') = ANY (pg_catalog.string_to_array(v_path, ',')), false)) THEN
        NULL; -- (applied from another node: not forwarded here)
    ELSIF v_single THEN
        v_gone := NULL;
        v_row := NULL;
        v_key := NULL;
        IF TG_OP = 'INSERT' THEN
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."id", n."label", v.pgsync_at, v.pgsync_origin, v.pgsync_prev_at, v.pgsync_prev_origin, CASE WHEN (v.pgsync_prev_at, v.pgsync_prev_origin) IS NOT DISTINCT FROM (v.pgsync_at, v.pgsync_origin) THEN 'C' ELSE pg_catalog.left(TG_OP, 1) END AS pgsync_op FROM new_rows AS n JOIN "pgsync"."row_version_parcel_ae210b10" AS v ON v."id" = n."id") AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."id", v.pgsync_at, v.pgsync_origin, v.pgsync_prev_at, v.pgsync_prev_origin, CASE WHEN (v.pgsync_prev_at, v.pgsync_prev_origin) IS NOT DISTINCT FROM (v.pgsync_at, v.pgsync_origin) THEN 'C' ELSE pg_catalog.left(TG_OP, 1) END AS pgsync_op FROM old_rows AS o JOIN "pgsync"."row_version_parcel_ae210b10" AS v ON v."id" = o."id" WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id")) AS r;
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."id", n."label", v.pgsync_at, v.pgsync_origin, v.pgsync_prev_at, v.pgsync_prev_origin, CASE WHEN (v.pgsync_prev_at, v.pgsync_prev_origin) IS NOT DISTINCT FROM (v.pgsync_at, v.pgsync_origin) THEN 'C' ELSE pg_catalog.left(TG_OP, 1) END AS pgsync_op FROM new_rows AS n JOIN "pgsync"."row_version_parcel_ae210b10" AS v ON v."id" = n."id") AS r;
        ELSE
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."id", v.pgsync_at, v.pgsync_origin, v.pgsync_prev_at, v.pgsync_prev_origin, CASE WHEN (v.pgsync_prev_at, v.pgsync_prev_origin) IS NOT DISTINCT FROM (v.pgsync_at, v.pgsync_origin) THEN 'C' ELSE pg_catalog.left(TG_OP, 1) END AS pgsync_op FROM old_rows AS o JOIN "pgsync"."row_version_parcel_ae210b10" AS v ON v."id" = o."id") AS r;
        END IF;
        PERFORM "pgsync"."enqueue_change"('post', 'parcel', 'next', '', 'a', 'parcel_65474b13d9fb4b3cc07741bf81d3647f', v_gone, v_row, v_key, v_path);
    ELSE
        IF TG_OP = 'INSERT' THEN
            OPEN v_rows FOR SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."id", n."label", v.pgsync_at, v.pgsync_origin, v.pgsync_prev_at, v.pgsync_prev_origin, CASE WHEN (v.pgsync_prev_at, v.pgsync_prev_origin) IS NOT DISTINCT FROM (v.pgsync_at, v.pgsync_origin) THEN 'C' ELSE pg_catalog.left(TG_OP, 1) END AS pgsync_op FROM new_rows AS n JOIN "pgsync"."row_version_parcel_ae210b10" AS v ON v."id" = n."id") AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            -- Keys that left (the key changed, or the row no longer matches the filter), then the rows.
            -- (UNION ALL reads its branches in order.)
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."id", v.pgsync_at, v.pgsync_origin, v.pgsync_prev_at, v.pgsync_prev_origin, CASE WHEN (v.pgsync_prev_at, v.pgsync_prev_origin) IS NOT DISTINCT FROM (v.pgsync_at, v.pgsync_origin) THEN 'C' ELSE pg_catalog.left(TG_OP, 1) END AS pgsync_op FROM old_rows AS o JOIN "pgsync"."row_version_parcel_ae210b10" AS v ON v."id" = o."id" WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id")) AS r
                UNION ALL SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."id", n."label", v.pgsync_at, v.pgsync_origin, v.pgsync_prev_at, v.pgsync_prev_origin, CASE WHEN (v.pgsync_prev_at, v.pgsync_prev_origin) IS NOT DISTINCT FROM (v.pgsync_at, v.pgsync_origin) THEN 'C' ELSE pg_catalog.left(TG_OP, 1) END AS pgsync_op FROM new_rows AS n JOIN "pgsync"."row_version_parcel_ae210b10" AS v ON v."id" = n."id") AS r;
        ELSE
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."id", v.pgsync_at, v.pgsync_origin, v.pgsync_prev_at, v.pgsync_prev_origin, CASE WHEN (v.pgsync_prev_at, v.pgsync_prev_origin) IS NOT DISTINCT FROM (v.pgsync_at, v.pgsync_origin) THEN 'C' ELSE pg_catalog.left(TG_OP, 1) END AS pgsync_op FROM old_rows AS o JOIN "pgsync"."row_version_parcel_ae210b10" AS v ON v."id" = o."id") AS r;
        END IF;
        v_entry_bytes := pg_catalog.current_setting('pgsync.entry_bytes', true);
        PERFORM pg_catalog.set_config('pgsync.entry_bytes', '262144', true);
        PERFORM "pgsync"."enqueue_rows"('post', 'parcel', 'next', '', 'a',
            'WITH d AS (SELECT DISTINCT ON (s."id") s.*, pg_catalog.last_value(s.pgsync_prev_at) OVER f AS pgsync_first_prev_at, pg_catalog.last_value(s.pgsync_prev_origin) OVER f AS pgsync_first_prev_origin, pg_catalog.last_value(s.pgsync_op) OVER f AS pgsync_first_op, pg_catalog.bool_or(s.pgsync_op IS DISTINCT FROM ''C'') OVER f AS pgsync_written FROM pg_catalog.json_to_recordset(', '::pg_catalog.json) AS s ("id" bigint, pgsync_at timestamp with time zone, pgsync_origin text, pgsync_prev_at timestamp with time zone, pgsync_prev_origin text, pgsync_op text) WINDOW f AS (PARTITION BY s."id" ORDER BY s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY s."id", s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC), l AS (SELECT 1 FROM d JOIN "post"."parcel" AS t ON t."id" = d."id" ORDER BY t."id" FOR UPDATE OF t), k AS (SELECT j.*, j.pgsync_guard AS pgsync_applies FROM (SELECT d.*, CASE WHEN d.pgsync_first_op IS DISTINCT FROM ''C'' THEN CASE WHEN NOT (t."id" IS NOT NULL) THEN CASE WHEN NOT (((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin)) AND q.pgsync_deleted) THEN ''delete_missing'' END WHEN ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN ''delete_origin_differs'' END ELSE CASE WHEN d.pgsync_written AND ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN CASE WHEN (t."id" IS NOT NULL) THEN ''delete_origin_differs'' ELSE ''delete_missing'' END END END AS pgsync_kind, (NOT (q.pgsync_at IS NOT NULL) OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") < (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") = (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") AND (d.pgsync_first_prev_at, d.pgsync_first_prev_origin) IS NOT DISTINCT FROM (d.pgsync_at, d.pgsync_origin)))) AS pgsync_guard, q.pgsync_at AS pgsync_local_at, q.pgsync_origin AS pgsync_local_origin, q.pgsync_deleted AS pgsync_local_deleted FROM d LEFT JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS q ON q."id" = d."id" LEFT JOIN "post"."parcel" AS t ON t."id" = d."id" WHERE (SELECT pg_catalog.count(*) FROM l) >= 0) AS j), ti AS (DELETE FROM "post"."parcel" AS t USING k WHERE t."id" = k."id" AND k.pgsync_applies RETURNING 1), p AS (SELECT m."id", (m.pgsync_at, m.pgsync_origin, m.pgsync_deleted) IS DISTINCT FROM (k.pgsync_local_at, k.pgsync_local_origin, k.pgsync_local_deleted) AS pgsync_changed FROM k JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ON m."id" = k."id" WHERE (SELECT pg_catalog.count(*) FROM ti) >= 0 AND k.pgsync_local_at IS NOT NULL ORDER BY m."id" FOR UPDATE OF m), w AS (INSERT INTO ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted, pgsync_prev_at, pgsync_prev_origin) SELECT d."id", d.pgsync_at, d.pgsync_origin, true, d.pgsync_first_prev_at, d.pgsync_first_prev_origin FROM k AS d WHERE (SELECT pg_catalog.count(*) FROM p) >= 0 AND d.pgsync_applies ON CONFLICT ("id") DO UPDATE SET pgsync_at = EXCLUDED.pgsync_at, pgsync_origin = EXCLUDED.pgsync_origin, pgsync_deleted = true, pgsync_prev_at = EXCLUDED.pgsync_prev_at, pgsync_prev_origin = EXCLUDED.pgsync_prev_origin WHERE ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") < (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") OR ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") = (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") AND (EXCLUDED.pgsync_prev_at, EXCLUDED.pgsync_prev_origin) IS NOT DISTINCT FROM (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin))) RETURNING m."id", (m.xmax = 0) AS pgsync_inserted), x AS (SELECT ' || E'"pgsync"' || '."stale_read"(''post'', ''parcel'', c.pgsync_key) FROM (SELECT pg_catalog.json_build_object(''id'', p."id")::text AS pgsync_key FROM p WHERE p.pgsync_changed UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE (SELECT pg_catalog.count(*) FROM p) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_local_at IS NOT NULL) AND k.pgsync_local_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM p WHERE p."id" = k."id") UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE ((SELECT pg_catalog.count(*) FROM w WHERE NOT w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NOT NULL) OR (SELECT pg_catalog.count(*) FROM w WHERE w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NULL)) AND k.pgsync_applies AND NOT EXISTS (SELECT 1 FROM w WHERE w."id" = k."id" AND w.pgsync_inserted = (k.pgsync_local_at IS NULL))) AS c LIMIT 1) INSERT INTO ' || E'"pgsync"' || '."conflict_log" (nsp_name, table_name, key, kind, resolution, local_origin, local_at, local_row, remote_origin, remote_at, remote_row, entries) SELECT ''post'', ''parcel'', pg_catalog.json_build_object(''id'', k."id")::text, k.pgsync_kind, CASE WHEN k.pgsync_applies THEN ''apply_remote'' ELSE ''keep_local'' END, k.pgsync_local_origin, k.pgsync_local_at, pg_catalog.left((SELECT pg_catalog.row_to_json(t)::text FROM "post"."parcel" AS t WHERE t."id" = k."id"), 8192), k.pgsync_origin, k.pgsync_at, pg_catalog.left((SELECT pg_catalog.row_to_json(r)::text FROM (SELECT k."id", k.pgsync_at, k.pgsync_origin, k.pgsync_prev_at, k.pgsync_prev_origin, k.pgsync_op) AS r), 8192), pg_catalog.current_setting(''pgsync.entries'', true) FROM k WHERE k.pgsync_kind IS NOT NULL AND (SELECT pg_catalog.count(*) FROM x) = 0',
            'WITH d AS (SELECT DISTINCT ON (s."id") s.*, pg_catalog.last_value(s.pgsync_prev_at) OVER f AS pgsync_first_prev_at, pg_catalog.last_value(s.pgsync_prev_origin) OVER f AS pgsync_first_prev_origin, pg_catalog.last_value(s.pgsync_op) OVER f AS pgsync_first_op, pg_catalog.bool_or(s.pgsync_op IS DISTINCT FROM ''C'') OVER f AS pgsync_written FROM pg_catalog.json_to_recordset(', '::pg_catalog.json) AS s ("id" bigint, "label" text, pgsync_at timestamp with time zone, pgsync_origin text, pgsync_prev_at timestamp with time zone, pgsync_prev_origin text, pgsync_op text) WINDOW f AS (PARTITION BY s."id" ORDER BY s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY s."id", s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC), l AS (SELECT 1 FROM d JOIN "post"."parcel" AS t ON t."id" = d."id" ORDER BY t."id" FOR UPDATE OF t), k AS (SELECT j.*, j.pgsync_guard AS pgsync_applies FROM (SELECT d.*, CASE WHEN d.pgsync_first_op IS DISTINCT FROM ''C'' THEN CASE WHEN (t."id" IS NOT NULL) THEN CASE WHEN ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) OR (NOT (q.pgsync_at IS NOT NULL) AND d.pgsync_first_op = ''I'') THEN CASE WHEN (d.pgsync_first_op = ''I'' OR d.pgsync_first_prev_at IS NULL) THEN ''insert_exists'' ELSE ''update_origin_differs'' END END WHEN NOT (d.pgsync_first_op = ''I'' OR d.pgsync_first_prev_at IS NULL) AND NOT (((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin)) AND q.pgsync_deleted) THEN ''update_missing'' WHEN (d.pgsync_first_op = ''I'' OR d.pgsync_first_prev_at IS NULL) AND ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN ''insert_exists'' END ELSE CASE WHEN d.pgsync_written AND ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN CASE WHEN (t."id" IS NOT NULL) THEN ''update_origin_differs'' ELSE ''update_missing'' END END END AS pgsync_kind, (NOT (q.pgsync_at IS NOT NULL) OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") < (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") = (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") AND (d.pgsync_first_prev_at, d.pgsync_first_prev_origin) IS NOT DISTINCT FROM (d.pgsync_at, d.pgsync_origin)))) AS pgsync_guard, q.pgsync_at AS pgsync_local_at, q.pgsync_origin AS pgsync_local_origin, q.pgsync_deleted AS pgsync_local_deleted FROM d LEFT JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS q ON q."id" = d."id" LEFT JOIN "post"."parcel" AS t ON t."id" = d."id" WHERE (SELECT pg_catalog.count(*) FROM l) >= 0) AS j), ti AS (INSERT INTO "post"."parcel" AS t ("id", "label") SELECT k."id", k."label" FROM k WHERE k.pgsync_applies ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "label" = EXCLUDED."label" RETURNING 1), p AS (SELECT m."id", (m.pgsync_at, m.pgsync_origin, m.pgsync_deleted) IS DISTINCT FROM (k.pgsync_local_at, k.pgsync_local_origin, k.pgsync_local_deleted) AS pgsync_changed FROM k JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ON m."id" = k."id" WHERE (SELECT pg_catalog.count(*) FROM ti) >= 0 AND k.pgsync_local_at IS NOT NULL ORDER BY m."id" FOR UPDATE OF m), w AS (INSERT INTO ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted, pgsync_prev_at, pgsync_prev_origin) SELECT d."id", d.pgsync_at, d.pgsync_origin, false, d.pgsync_first_prev_at, d.pgsync_first_prev_origin FROM k AS d WHERE (SELECT pg_catalog.count(*) FROM p) >= 0 AND d.pgsync_applies ON CONFLICT ("id") DO UPDATE SET pgsync_at = EXCLUDED.pgsync_at, pgsync_origin = EXCLUDED.pgsync_origin, pgsync_deleted = false, pgsync_prev_at = EXCLUDED.pgsync_prev_at, pgsync_prev_origin = EXCLUDED.pgsync_prev_origin WHERE ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") < (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") OR ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") = (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") AND (EXCLUDED.pgsync_prev_at, EXCLUDED.pgsync_prev_origin) IS NOT DISTINCT FROM (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin))) RETURNING m."id", (m.xmax = 0) AS pgsync_inserted), x AS (SELECT ' || E'"pgsync"' || '."stale_read"(''post'', ''parcel'', c.pgsync_key) FROM (SELECT pg_catalog.json_build_object(''id'', p."id")::text AS pgsync_key FROM p WHERE p.pgsync_changed UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE (SELECT pg_catalog.count(*) FROM p) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_local_at IS NOT NULL) AND k.pgsync_local_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM p WHERE p."id" = k."id") UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE ((SELECT pg_catalog.count(*) FROM w WHERE NOT w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NOT NULL) OR (SELECT pg_catalog.count(*) FROM w WHERE w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NULL)) AND k.pgsync_applies AND NOT EXISTS (SELECT 1 FROM w WHERE w."id" = k."id" AND w.pgsync_inserted = (k.pgsync_local_at IS NULL))) AS c LIMIT 1) INSERT INTO ' || E'"pgsync"' || '."conflict_log" (nsp_name, table_name, key, kind, resolution, local_origin, local_at, local_row, remote_origin, remote_at, remote_row, entries) SELECT ''post'', ''parcel'', pg_catalog.json_build_object(''id'', k."id")::text, k.pgsync_kind, CASE WHEN k.pgsync_applies THEN ''apply_remote'' ELSE ''keep_local'' END, k.pgsync_local_origin, k.pgsync_local_at, pg_catalog.left((SELECT pg_catalog.row_to_json(t)::text FROM "post"."parcel" AS t WHERE t."id" = k."id"), 8192), k.pgsync_origin, k.pgsync_at, pg_catalog.left((SELECT pg_catalog.row_to_json(r)::text FROM (SELECT k."id", k."label", k.pgsync_at, k.pgsync_origin, k.pgsync_prev_at, k.pgsync_prev_origin, k.pgsync_op) AS r), 8192), pg_catalog.current_setting(''pgsync.entries'', true) FROM k WHERE k.pgsync_kind IS NOT NULL AND (SELECT pg_catalog.count(*) FROM x) = 0', v_rows, v_path);
        PERFORM pg_catalog.set_config('pgsync.entry_bytes', COALESCE(v_entry_bytes, ''), true);
    END IF;

    -- archive → archive.parcel (Async)
    IF NOT (v_path IS NULL) THEN
        NULL; -- (applied from another node: not forwarded here)
    ELSIF v_single THEN
        v_gone := NULL;
        v_row := NULL;
        v_key := NULL;
        IF TG_OP = 'INSERT' THEN
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."id", n."label" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."id" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id")) AS r;
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."id", n."label" FROM new_rows AS n) AS r;
        ELSE
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."id" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_change"('post', 'parcel', 'archive', '', 'a', 'parcel_b763d54dfdeaf4a13b7eb697c5b6a891', v_gone, v_row, v_key, v_path);
    ELSE
        IF TG_OP = 'INSERT' THEN
            OPEN v_rows FOR SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."id", n."label" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            -- Keys that left (the key changed, or the row no longer matches the filter), then the rows.
            -- (UNION ALL reads its branches in order.)
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."id" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id")) AS r
                UNION ALL SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."id", n."label" FROM new_rows AS n) AS r;
        ELSE
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."id" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_rows"('post', 'parcel', 'archive', '', 'a',
            'DELETE FROM "archive"."parcel" AS t USING pg_catalog.json_populate_recordset(NULL::"archive"."parcel", ', ') AS d WHERE t."id" = d."id"',
            'INSERT INTO "archive"."parcel" AS t ("id", "label") SELECT d."id", d."label" FROM pg_catalog.json_populate_recordset(NULL::"archive"."parcel", ', ') AS d ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "label" = EXCLUDED."label"', v_rows, v_path);
    END IF;
    RETURN NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."capture_parcel_ae210b10"() FROM PUBLIC;
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"post"."parcel"'::pg_catalog.regclass AND tgname = 'pgsync_capture_insert') THEN
        CREATE TRIGGER "pgsync_capture_insert" AFTER INSERT ON "post"."parcel" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_parcel_ae210b10"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"post"."parcel"'::pg_catalog.regclass AND tgname = 'pgsync_capture_update') THEN
        CREATE TRIGGER "pgsync_capture_update" AFTER UPDATE ON "post"."parcel" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_parcel_ae210b10"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"post"."parcel"'::pg_catalog.regclass AND tgname = 'pgsync_capture_delete') THEN
        CREATE TRIGGER "pgsync_capture_delete" AFTER DELETE ON "post"."parcel" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_parcel_ae210b10"();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = '"post"."parcel"'::pg_catalog.regclass AND tgname = 'pgsync_capture_truncate') THEN
        CREATE TRIGGER "pgsync_capture_truncate" AFTER TRUNCATE ON "post"."parcel" FOR EACH STATEMENT EXECUTE FUNCTION "pgsync"."capture_parcel_ae210b10"();
    END IF;
END
$pgsync$;
SELECT "pgsync"."register_statement"('parcel_65474b13d9fb4b3cc07741bf81d3647f',
    'WITH d AS (SELECT DISTINCT ON (s."id") s.*, pg_catalog.last_value(s.pgsync_prev_at) OVER f AS pgsync_first_prev_at, pg_catalog.last_value(s.pgsync_prev_origin) OVER f AS pgsync_first_prev_origin, pg_catalog.last_value(s.pgsync_op) OVER f AS pgsync_first_op, pg_catalog.bool_or(s.pgsync_op IS DISTINCT FROM ''C'') OVER f AS pgsync_written FROM pg_catalog.json_to_recordset(', '::pg_catalog.json) AS s ("id" bigint, pgsync_at timestamp with time zone, pgsync_origin text, pgsync_prev_at timestamp with time zone, pgsync_prev_origin text, pgsync_op text) WINDOW f AS (PARTITION BY s."id" ORDER BY s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY s."id", s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC), l AS (SELECT 1 FROM d JOIN "post"."parcel" AS t ON t."id" = d."id" ORDER BY t."id" FOR UPDATE OF t), k AS (SELECT j.*, j.pgsync_guard AS pgsync_applies FROM (SELECT d.*, CASE WHEN d.pgsync_first_op IS DISTINCT FROM ''C'' THEN CASE WHEN NOT (t."id" IS NOT NULL) THEN CASE WHEN NOT (((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin)) AND q.pgsync_deleted) THEN ''delete_missing'' END WHEN ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN ''delete_origin_differs'' END ELSE CASE WHEN d.pgsync_written AND ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN CASE WHEN (t."id" IS NOT NULL) THEN ''delete_origin_differs'' ELSE ''delete_missing'' END END END AS pgsync_kind, (NOT (q.pgsync_at IS NOT NULL) OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") < (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") = (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") AND (d.pgsync_first_prev_at, d.pgsync_first_prev_origin) IS NOT DISTINCT FROM (d.pgsync_at, d.pgsync_origin)))) AS pgsync_guard, q.pgsync_at AS pgsync_local_at, q.pgsync_origin AS pgsync_local_origin, q.pgsync_deleted AS pgsync_local_deleted FROM d LEFT JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS q ON q."id" = d."id" LEFT JOIN "post"."parcel" AS t ON t."id" = d."id" WHERE (SELECT pg_catalog.count(*) FROM l) >= 0) AS j), ti AS (DELETE FROM "post"."parcel" AS t USING k WHERE t."id" = k."id" AND k.pgsync_applies RETURNING 1), p AS (SELECT m."id", (m.pgsync_at, m.pgsync_origin, m.pgsync_deleted) IS DISTINCT FROM (k.pgsync_local_at, k.pgsync_local_origin, k.pgsync_local_deleted) AS pgsync_changed FROM k JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ON m."id" = k."id" WHERE (SELECT pg_catalog.count(*) FROM ti) >= 0 AND k.pgsync_local_at IS NOT NULL ORDER BY m."id" FOR UPDATE OF m), w AS (INSERT INTO ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted, pgsync_prev_at, pgsync_prev_origin) SELECT d."id", d.pgsync_at, d.pgsync_origin, true, d.pgsync_first_prev_at, d.pgsync_first_prev_origin FROM k AS d WHERE (SELECT pg_catalog.count(*) FROM p) >= 0 AND d.pgsync_applies ON CONFLICT ("id") DO UPDATE SET pgsync_at = EXCLUDED.pgsync_at, pgsync_origin = EXCLUDED.pgsync_origin, pgsync_deleted = true, pgsync_prev_at = EXCLUDED.pgsync_prev_at, pgsync_prev_origin = EXCLUDED.pgsync_prev_origin WHERE ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") < (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") OR ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") = (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") AND (EXCLUDED.pgsync_prev_at, EXCLUDED.pgsync_prev_origin) IS NOT DISTINCT FROM (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin))) RETURNING m."id", (m.xmax = 0) AS pgsync_inserted), x AS (SELECT ' || E'"pgsync"' || '."stale_read"(''post'', ''parcel'', c.pgsync_key) FROM (SELECT pg_catalog.json_build_object(''id'', p."id")::text AS pgsync_key FROM p WHERE p.pgsync_changed UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE (SELECT pg_catalog.count(*) FROM p) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_local_at IS NOT NULL) AND k.pgsync_local_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM p WHERE p."id" = k."id") UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE ((SELECT pg_catalog.count(*) FROM w WHERE NOT w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NOT NULL) OR (SELECT pg_catalog.count(*) FROM w WHERE w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NULL)) AND k.pgsync_applies AND NOT EXISTS (SELECT 1 FROM w WHERE w."id" = k."id" AND w.pgsync_inserted = (k.pgsync_local_at IS NULL))) AS c LIMIT 1) INSERT INTO ' || E'"pgsync"' || '."conflict_log" (nsp_name, table_name, key, kind, resolution, local_origin, local_at, local_row, remote_origin, remote_at, remote_row, entries) SELECT ''post'', ''parcel'', pg_catalog.json_build_object(''id'', k."id")::text, k.pgsync_kind, CASE WHEN k.pgsync_applies THEN ''apply_remote'' ELSE ''keep_local'' END, k.pgsync_local_origin, k.pgsync_local_at, pg_catalog.left((SELECT pg_catalog.row_to_json(t)::text FROM "post"."parcel" AS t WHERE t."id" = k."id"), 8192), k.pgsync_origin, k.pgsync_at, pg_catalog.left((SELECT pg_catalog.row_to_json(r)::text FROM (SELECT k."id", k.pgsync_at, k.pgsync_origin, k.pgsync_prev_at, k.pgsync_prev_origin, k.pgsync_op) AS r), 8192), pg_catalog.current_setting(''pgsync.entries'', true) FROM k WHERE k.pgsync_kind IS NOT NULL AND (SELECT pg_catalog.count(*) FROM x) = 0',
    'WITH d AS (SELECT DISTINCT ON (s."id") s.*, pg_catalog.last_value(s.pgsync_prev_at) OVER f AS pgsync_first_prev_at, pg_catalog.last_value(s.pgsync_prev_origin) OVER f AS pgsync_first_prev_origin, pg_catalog.last_value(s.pgsync_op) OVER f AS pgsync_first_op, pg_catalog.bool_or(s.pgsync_op IS DISTINCT FROM ''C'') OVER f AS pgsync_written FROM pg_catalog.json_to_recordset(', '::pg_catalog.json) AS s ("id" bigint, "label" text, pgsync_at timestamp with time zone, pgsync_origin text, pgsync_prev_at timestamp with time zone, pgsync_prev_origin text, pgsync_op text) WINDOW f AS (PARTITION BY s."id" ORDER BY s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY s."id", s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC), l AS (SELECT 1 FROM d JOIN "post"."parcel" AS t ON t."id" = d."id" ORDER BY t."id" FOR UPDATE OF t), k AS (SELECT j.*, j.pgsync_guard AS pgsync_applies FROM (SELECT d.*, CASE WHEN d.pgsync_first_op IS DISTINCT FROM ''C'' THEN CASE WHEN (t."id" IS NOT NULL) THEN CASE WHEN ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) OR (NOT (q.pgsync_at IS NOT NULL) AND d.pgsync_first_op = ''I'') THEN CASE WHEN (d.pgsync_first_op = ''I'' OR d.pgsync_first_prev_at IS NULL) THEN ''insert_exists'' ELSE ''update_origin_differs'' END END WHEN NOT (d.pgsync_first_op = ''I'' OR d.pgsync_first_prev_at IS NULL) AND NOT (((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin)) AND q.pgsync_deleted) THEN ''update_missing'' WHEN (d.pgsync_first_op = ''I'' OR d.pgsync_first_prev_at IS NULL) AND ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN ''insert_exists'' END ELSE CASE WHEN d.pgsync_written AND ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN CASE WHEN (t."id" IS NOT NULL) THEN ''update_origin_differs'' ELSE ''update_missing'' END END END AS pgsync_kind, (NOT (q.pgsync_at IS NOT NULL) OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") < (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") = (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") AND (d.pgsync_first_prev_at, d.pgsync_first_prev_origin) IS NOT DISTINCT FROM (d.pgsync_at, d.pgsync_origin)))) AS pgsync_guard, q.pgsync_at AS pgsync_local_at, q.pgsync_origin AS pgsync_local_origin, q.pgsync_deleted AS pgsync_local_deleted FROM d LEFT JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS q ON q."id" = d."id" LEFT JOIN "post"."parcel" AS t ON t."id" = d."id" WHERE (SELECT pg_catalog.count(*) FROM l) >= 0) AS j), ti AS (INSERT INTO "post"."parcel" AS t ("id", "label") SELECT k."id", k."label" FROM k WHERE k.pgsync_applies ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "label" = EXCLUDED."label" RETURNING 1), p AS (SELECT m."id", (m.pgsync_at, m.pgsync_origin, m.pgsync_deleted) IS DISTINCT FROM (k.pgsync_local_at, k.pgsync_local_origin, k.pgsync_local_deleted) AS pgsync_changed FROM k JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ON m."id" = k."id" WHERE (SELECT pg_catalog.count(*) FROM ti) >= 0 AND k.pgsync_local_at IS NOT NULL ORDER BY m."id" FOR UPDATE OF m), w AS (INSERT INTO ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted, pgsync_prev_at, pgsync_prev_origin) SELECT d."id", d.pgsync_at, d.pgsync_origin, false, d.pgsync_first_prev_at, d.pgsync_first_prev_origin FROM k AS d WHERE (SELECT pg_catalog.count(*) FROM p) >= 0 AND d.pgsync_applies ON CONFLICT ("id") DO UPDATE SET pgsync_at = EXCLUDED.pgsync_at, pgsync_origin = EXCLUDED.pgsync_origin, pgsync_deleted = false, pgsync_prev_at = EXCLUDED.pgsync_prev_at, pgsync_prev_origin = EXCLUDED.pgsync_prev_origin WHERE ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") < (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") OR ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") = (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") AND (EXCLUDED.pgsync_prev_at, EXCLUDED.pgsync_prev_origin) IS NOT DISTINCT FROM (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin))) RETURNING m."id", (m.xmax = 0) AS pgsync_inserted), x AS (SELECT ' || E'"pgsync"' || '."stale_read"(''post'', ''parcel'', c.pgsync_key) FROM (SELECT pg_catalog.json_build_object(''id'', p."id")::text AS pgsync_key FROM p WHERE p.pgsync_changed UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE (SELECT pg_catalog.count(*) FROM p) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_local_at IS NOT NULL) AND k.pgsync_local_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM p WHERE p."id" = k."id") UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE ((SELECT pg_catalog.count(*) FROM w WHERE NOT w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NOT NULL) OR (SELECT pg_catalog.count(*) FROM w WHERE w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NULL)) AND k.pgsync_applies AND NOT EXISTS (SELECT 1 FROM w WHERE w."id" = k."id" AND w.pgsync_inserted = (k.pgsync_local_at IS NULL))) AS c LIMIT 1) INSERT INTO ' || E'"pgsync"' || '."conflict_log" (nsp_name, table_name, key, kind, resolution, local_origin, local_at, local_row, remote_origin, remote_at, remote_row, entries) SELECT ''post'', ''parcel'', pg_catalog.json_build_object(''id'', k."id")::text, k.pgsync_kind, CASE WHEN k.pgsync_applies THEN ''apply_remote'' ELSE ''keep_local'' END, k.pgsync_local_origin, k.pgsync_local_at, pg_catalog.left((SELECT pg_catalog.row_to_json(t)::text FROM "post"."parcel" AS t WHERE t."id" = k."id"), 8192), k.pgsync_origin, k.pgsync_at, pg_catalog.left((SELECT pg_catalog.row_to_json(r)::text FROM (SELECT k."id", k."label", k.pgsync_at, k.pgsync_origin, k.pgsync_prev_at, k.pgsync_prev_origin, k.pgsync_op) AS r), 8192), pg_catalog.current_setting(''pgsync.entries'', true) FROM k WHERE k.pgsync_kind IS NOT NULL AND (SELECT pg_catalog.count(*) FROM x) = 0');
SELECT "pgsync"."register_statement"('parcel_b763d54dfdeaf4a13b7eb697c5b6a891',
    'DELETE FROM "archive"."parcel" AS t USING pg_catalog.json_populate_recordset(NULL::"archive"."parcel", ', ') AS d WHERE t."id" = d."id"',
    'INSERT INTO "archive"."parcel" AS t ("id", "label") SELECT d."id", d."label" FROM (SELECT DISTINCT ON (d."id") d.* FROM pg_catalog.json_array_elements(', '::pg_catalog.json) WITH ORDINALITY AS a (v, n) CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::"archive"."parcel", a.v) AS d ORDER BY d."id", a.n DESC) AS d ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "label" = EXCLUDED."label"');
CREATE OR REPLACE FUNCTION "pgsync"."restore_parcel_ae210b10"(p_dst text, p_keys text)
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
    IF p_dst = 'next' THEN
        -- Conflicts are detected on next: every row and tombstone goes with its stamp.
        IF p_keys IS NULL THEN
            IF pg_catalog.current_setting('transaction_read_only') = 'off' THEN
                INSERT INTO "pgsync"."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted) SELECT n."id", '-infinity', (SELECT o.origin FROM "pgsync".node AS o), false FROM "post"."parcel" AS n ON CONFLICT ("id") DO NOTHING;
            END IF;
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."label", COALESCE(v.pgsync_at, '-infinity'::timestamp with time zone) AS pgsync_at, COALESCE(v.pgsync_origin, (SELECT o.origin FROM "pgsync".node AS o)) AS pgsync_origin, COALESCE(v.pgsync_at, '-infinity'::timestamp with time zone) AS pgsync_prev_at, COALESCE(v.pgsync_origin, (SELECT o.origin FROM "pgsync".node AS o)) AS pgsync_prev_origin, 'C'::text AS pgsync_op FROM "post"."parcel" AS n LEFT JOIN "pgsync"."row_version_parcel_ae210b10" AS v ON v."id" = n."id") AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT v."id", v.pgsync_at, v.pgsync_origin, v.pgsync_at AS pgsync_prev_at, v.pgsync_origin AS pgsync_prev_origin, 'C'::text AS pgsync_op FROM "pgsync"."row_version_parcel_ae210b10" AS v WHERE v.pgsync_deleted AND NOT EXISTS (SELECT 1 FROM "post"."parcel" AS n WHERE n."id" = v."id")) AS r;
        ELSE
            IF pg_catalog.current_setting('transaction_read_only') = 'off' THEN
                INSERT INTO "pgsync"."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted) SELECT n."id", '-infinity', (SELECT o.origin FROM "pgsync".node AS o), false FROM "post"."parcel" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"post"."parcel", p_keys::json) AS o WHERE n."id" = o."id") ON CONFLICT ("id") DO NOTHING;
            END IF;
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."label", COALESCE(v.pgsync_at, '-infinity'::timestamp with time zone) AS pgsync_at, COALESCE(v.pgsync_origin, (SELECT o.origin FROM "pgsync".node AS o)) AS pgsync_origin, COALESCE(v.pgsync_at, '-infinity'::timestamp with time zone) AS pgsync_prev_at, COALESCE(v.pgsync_origin, (SELECT o.origin FROM "pgsync".node AS o)) AS pgsync_prev_origin, 'C'::text AS pgsync_op FROM "post"."parcel" AS n LEFT JOIN "pgsync"."row_version_parcel_ae210b10" AS v ON v."id" = n."id" WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"post"."parcel", p_keys::json) AS o WHERE n."id" = o."id")) AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT v."id", v.pgsync_at, v.pgsync_origin, v.pgsync_at AS pgsync_prev_at, v.pgsync_origin AS pgsync_prev_origin, 'C'::text AS pgsync_op FROM "pgsync"."row_version_parcel_ae210b10" AS v WHERE v.pgsync_deleted AND EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"post"."parcel", p_keys::json) AS o WHERE v."id" = o."id") AND NOT EXISTS (SELECT 1 FROM "post"."parcel" AS n WHERE n."id" = v."id")) AS r;
        END IF;
        v_part := NULL;
        IF v_gone IS NOT NULL THEN
            v_part := 'WITH d AS (SELECT DISTINCT ON (s."id") s.*, pg_catalog.last_value(s.pgsync_prev_at) OVER f AS pgsync_first_prev_at, pg_catalog.last_value(s.pgsync_prev_origin) OVER f AS pgsync_first_prev_origin, pg_catalog.last_value(s.pgsync_op) OVER f AS pgsync_first_op, pg_catalog.bool_or(s.pgsync_op IS DISTINCT FROM ''C'') OVER f AS pgsync_written FROM pg_catalog.json_to_recordset(' || pg_catalog.quote_literal(v_gone) || '::pg_catalog.json) AS s ("id" bigint, pgsync_at timestamp with time zone, pgsync_origin text, pgsync_prev_at timestamp with time zone, pgsync_prev_origin text, pgsync_op text) WINDOW f AS (PARTITION BY s."id" ORDER BY s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY s."id", s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC), l AS (SELECT 1 FROM d JOIN "post"."parcel" AS t ON t."id" = d."id" ORDER BY t."id" FOR UPDATE OF t), k AS (SELECT j.*, j.pgsync_guard AS pgsync_applies FROM (SELECT d.*, CASE WHEN d.pgsync_first_op IS DISTINCT FROM ''C'' THEN CASE WHEN NOT (t."id" IS NOT NULL) THEN CASE WHEN NOT (((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin)) AND q.pgsync_deleted) THEN ''delete_missing'' END WHEN ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN ''delete_origin_differs'' END ELSE CASE WHEN d.pgsync_written AND ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN CASE WHEN (t."id" IS NOT NULL) THEN ''delete_origin_differs'' ELSE ''delete_missing'' END END END AS pgsync_kind, (NOT (q.pgsync_at IS NOT NULL) OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") < (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") = (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") AND (d.pgsync_first_prev_at, d.pgsync_first_prev_origin) IS NOT DISTINCT FROM (d.pgsync_at, d.pgsync_origin)))) AS pgsync_guard, q.pgsync_at AS pgsync_local_at, q.pgsync_origin AS pgsync_local_origin, q.pgsync_deleted AS pgsync_local_deleted FROM d LEFT JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS q ON q."id" = d."id" LEFT JOIN "post"."parcel" AS t ON t."id" = d."id" WHERE (SELECT pg_catalog.count(*) FROM l) >= 0) AS j), ti AS (DELETE FROM "post"."parcel" AS t USING k WHERE t."id" = k."id" AND k.pgsync_applies RETURNING 1), p AS (SELECT m."id", (m.pgsync_at, m.pgsync_origin, m.pgsync_deleted) IS DISTINCT FROM (k.pgsync_local_at, k.pgsync_local_origin, k.pgsync_local_deleted) AS pgsync_changed FROM k JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ON m."id" = k."id" WHERE (SELECT pg_catalog.count(*) FROM ti) >= 0 AND k.pgsync_local_at IS NOT NULL ORDER BY m."id" FOR UPDATE OF m), w AS (INSERT INTO ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted, pgsync_prev_at, pgsync_prev_origin) SELECT d."id", d.pgsync_at, d.pgsync_origin, true, d.pgsync_first_prev_at, d.pgsync_first_prev_origin FROM k AS d WHERE (SELECT pg_catalog.count(*) FROM p) >= 0 AND d.pgsync_applies ON CONFLICT ("id") DO UPDATE SET pgsync_at = EXCLUDED.pgsync_at, pgsync_origin = EXCLUDED.pgsync_origin, pgsync_deleted = true, pgsync_prev_at = EXCLUDED.pgsync_prev_at, pgsync_prev_origin = EXCLUDED.pgsync_prev_origin WHERE ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") < (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") OR ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") = (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") AND (EXCLUDED.pgsync_prev_at, EXCLUDED.pgsync_prev_origin) IS NOT DISTINCT FROM (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin))) RETURNING m."id", (m.xmax = 0) AS pgsync_inserted), x AS (SELECT ' || E'"pgsync"' || '."stale_read"(''post'', ''parcel'', c.pgsync_key) FROM (SELECT pg_catalog.json_build_object(''id'', p."id")::text AS pgsync_key FROM p WHERE p.pgsync_changed UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE (SELECT pg_catalog.count(*) FROM p) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_local_at IS NOT NULL) AND k.pgsync_local_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM p WHERE p."id" = k."id") UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE ((SELECT pg_catalog.count(*) FROM w WHERE NOT w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NOT NULL) OR (SELECT pg_catalog.count(*) FROM w WHERE w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NULL)) AND k.pgsync_applies AND NOT EXISTS (SELECT 1 FROM w WHERE w."id" = k."id" AND w.pgsync_inserted = (k.pgsync_local_at IS NULL))) AS c LIMIT 1) INSERT INTO ' || E'"pgsync"' || '."conflict_log" (nsp_name, table_name, key, kind, resolution, local_origin, local_at, local_row, remote_origin, remote_at, remote_row, entries) SELECT ''post'', ''parcel'', pg_catalog.json_build_object(''id'', k."id")::text, k.pgsync_kind, CASE WHEN k.pgsync_applies THEN ''apply_remote'' ELSE ''keep_local'' END, k.pgsync_local_origin, k.pgsync_local_at, pg_catalog.left((SELECT pg_catalog.row_to_json(t)::text FROM "post"."parcel" AS t WHERE t."id" = k."id"), 8192), k.pgsync_origin, k.pgsync_at, pg_catalog.left((SELECT pg_catalog.row_to_json(r)::text FROM (SELECT k."id", k.pgsync_at, k.pgsync_origin, k.pgsync_prev_at, k.pgsync_prev_origin, k.pgsync_op) AS r), 8192), pg_catalog.current_setting(''pgsync.entries'', true) FROM k WHERE k.pgsync_kind IS NOT NULL AND (SELECT pg_catalog.count(*) FROM x) = 0';
        END IF;
        IF v_rows IS NOT NULL THEN
            v_part := pg_catalog.concat_ws(E';\n', v_part, 'WITH d AS (SELECT DISTINCT ON (s."id") s.*, pg_catalog.last_value(s.pgsync_prev_at) OVER f AS pgsync_first_prev_at, pg_catalog.last_value(s.pgsync_prev_origin) OVER f AS pgsync_first_prev_origin, pg_catalog.last_value(s.pgsync_op) OVER f AS pgsync_first_op, pg_catalog.bool_or(s.pgsync_op IS DISTINCT FROM ''C'') OVER f AS pgsync_written FROM pg_catalog.json_to_recordset(' || pg_catalog.quote_literal(v_rows) || '::pg_catalog.json) AS s ("id" bigint, "label" text, pgsync_at timestamp with time zone, pgsync_origin text, pgsync_prev_at timestamp with time zone, pgsync_prev_origin text, pgsync_op text) WINDOW f AS (PARTITION BY s."id" ORDER BY s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY s."id", s.pgsync_at DESC, s.pgsync_origin COLLATE pg_catalog."C" DESC), l AS (SELECT 1 FROM d JOIN "post"."parcel" AS t ON t."id" = d."id" ORDER BY t."id" FOR UPDATE OF t), k AS (SELECT j.*, j.pgsync_guard AS pgsync_applies FROM (SELECT d.*, CASE WHEN d.pgsync_first_op IS DISTINCT FROM ''C'' THEN CASE WHEN (t."id" IS NOT NULL) THEN CASE WHEN ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) OR (NOT (q.pgsync_at IS NOT NULL) AND d.pgsync_first_op = ''I'') THEN CASE WHEN (d.pgsync_first_op = ''I'' OR d.pgsync_first_prev_at IS NULL) THEN ''insert_exists'' ELSE ''update_origin_differs'' END END WHEN NOT (d.pgsync_first_op = ''I'' OR d.pgsync_first_prev_at IS NULL) AND NOT (((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin)) AND q.pgsync_deleted) THEN ''update_missing'' WHEN (d.pgsync_first_op = ''I'' OR d.pgsync_first_prev_at IS NULL) AND ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN ''insert_exists'' END ELSE CASE WHEN d.pgsync_written AND ((q.pgsync_at IS NOT NULL) AND NOT ((q.pgsync_at IS NOT NULL) AND (q.pgsync_at, q.pgsync_origin) IS NOT DISTINCT FROM (d.pgsync_first_prev_at, d.pgsync_first_prev_origin))) THEN CASE WHEN (t."id" IS NOT NULL) THEN ''update_origin_differs'' ELSE ''update_missing'' END END END AS pgsync_kind, (NOT (q.pgsync_at IS NOT NULL) OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") < (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") OR ((q.pgsync_at, q.pgsync_origin COLLATE pg_catalog."C") = (d.pgsync_at, d.pgsync_origin COLLATE pg_catalog."C") AND (d.pgsync_first_prev_at, d.pgsync_first_prev_origin) IS NOT DISTINCT FROM (d.pgsync_at, d.pgsync_origin)))) AS pgsync_guard, q.pgsync_at AS pgsync_local_at, q.pgsync_origin AS pgsync_local_origin, q.pgsync_deleted AS pgsync_local_deleted FROM d LEFT JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS q ON q."id" = d."id" LEFT JOIN "post"."parcel" AS t ON t."id" = d."id" WHERE (SELECT pg_catalog.count(*) FROM l) >= 0) AS j), ti AS (INSERT INTO "post"."parcel" AS t ("id", "label") SELECT k."id", k."label" FROM k WHERE k.pgsync_applies ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "label" = EXCLUDED."label" RETURNING 1), p AS (SELECT m."id", (m.pgsync_at, m.pgsync_origin, m.pgsync_deleted) IS DISTINCT FROM (k.pgsync_local_at, k.pgsync_local_origin, k.pgsync_local_deleted) AS pgsync_changed FROM k JOIN ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ON m."id" = k."id" WHERE (SELECT pg_catalog.count(*) FROM ti) >= 0 AND k.pgsync_local_at IS NOT NULL ORDER BY m."id" FOR UPDATE OF m), w AS (INSERT INTO ' || E'"pgsync"' || '."row_version_parcel_ae210b10" AS m ("id", pgsync_at, pgsync_origin, pgsync_deleted, pgsync_prev_at, pgsync_prev_origin) SELECT d."id", d.pgsync_at, d.pgsync_origin, false, d.pgsync_first_prev_at, d.pgsync_first_prev_origin FROM k AS d WHERE (SELECT pg_catalog.count(*) FROM p) >= 0 AND d.pgsync_applies ON CONFLICT ("id") DO UPDATE SET pgsync_at = EXCLUDED.pgsync_at, pgsync_origin = EXCLUDED.pgsync_origin, pgsync_deleted = false, pgsync_prev_at = EXCLUDED.pgsync_prev_at, pgsync_prev_origin = EXCLUDED.pgsync_prev_origin WHERE ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") < (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") OR ((m.pgsync_at, m.pgsync_origin COLLATE pg_catalog."C") = (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE pg_catalog."C") AND (EXCLUDED.pgsync_prev_at, EXCLUDED.pgsync_prev_origin) IS NOT DISTINCT FROM (EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin))) RETURNING m."id", (m.xmax = 0) AS pgsync_inserted), x AS (SELECT ' || E'"pgsync"' || '."stale_read"(''post'', ''parcel'', c.pgsync_key) FROM (SELECT pg_catalog.json_build_object(''id'', p."id")::text AS pgsync_key FROM p WHERE p.pgsync_changed UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE (SELECT pg_catalog.count(*) FROM p) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_local_at IS NOT NULL) AND k.pgsync_local_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM p WHERE p."id" = k."id") UNION ALL SELECT pg_catalog.json_build_object(''id'', k."id")::text FROM k WHERE ((SELECT pg_catalog.count(*) FROM w WHERE NOT w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NOT NULL) OR (SELECT pg_catalog.count(*) FROM w WHERE w.pgsync_inserted) <> (SELECT pg_catalog.count(*) FROM k WHERE k.pgsync_applies AND k.pgsync_local_at IS NULL)) AND k.pgsync_applies AND NOT EXISTS (SELECT 1 FROM w WHERE w."id" = k."id" AND w.pgsync_inserted = (k.pgsync_local_at IS NULL))) AS c LIMIT 1) INSERT INTO ' || E'"pgsync"' || '."conflict_log" (nsp_name, table_name, key, kind, resolution, local_origin, local_at, local_row, remote_origin, remote_at, remote_row, entries) SELECT ''post'', ''parcel'', pg_catalog.json_build_object(''id'', k."id")::text, k.pgsync_kind, CASE WHEN k.pgsync_applies THEN ''apply_remote'' ELSE ''keep_local'' END, k.pgsync_local_origin, k.pgsync_local_at, pg_catalog.left((SELECT pg_catalog.row_to_json(t)::text FROM "post"."parcel" AS t WHERE t."id" = k."id"), 8192), k.pgsync_origin, k.pgsync_at, pg_catalog.left((SELECT pg_catalog.row_to_json(r)::text FROM (SELECT k."id", k."label", k.pgsync_at, k.pgsync_origin, k.pgsync_prev_at, k.pgsync_prev_origin, k.pgsync_op) AS r), 8192), pg_catalog.current_setting(''pgsync.entries'', true) FROM k WHERE k.pgsync_kind IS NOT NULL AND (SELECT pg_catalog.count(*) FROM x) = 0');
        END IF;
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
    END IF;
    IF p_dst = 'archive' THEN
        IF p_keys IS NULL THEN
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."label" FROM "post"."parcel" AS n) AS r;
            v_part := 'TRUNCATE ONLY "archive"."parcel"';
        ELSE
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."label" FROM "post"."parcel" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"post"."parcel", p_keys::json) AS o WHERE n."id" = o."id")) AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT DISTINCT o."id" FROM pg_catalog.json_populate_recordset(NULL::"post"."parcel", p_keys::json) AS o WHERE NOT EXISTS (SELECT 1 FROM "post"."parcel" AS n WHERE n."id" = o."id")) AS r;
            v_part := NULL;
            IF v_gone IS NOT NULL THEN
                v_part := 'DELETE FROM "archive"."parcel" AS t USING pg_catalog.json_populate_recordset(NULL::"archive"."parcel", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."id" = d."id"';
            END IF;
        END IF;
        IF v_rows IS NOT NULL THEN
            v_part := pg_catalog.concat_ws(E';\n', v_part, 'INSERT INTO "archive"."parcel" AS t ("id", "label") SELECT d."id", d."label" FROM pg_catalog.json_populate_recordset(NULL::"archive"."parcel", ' || pg_catalog.quote_literal(v_rows) || ') AS d ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "label" = EXCLUDED."label"');
        END IF;
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
    END IF;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."restore_parcel_ae210b10"(text, text) FROM PUBLIC;
SELECT "pgsync"."register_table"('post', 'parcel', 'restore_parcel_ae210b10');

-- uninstall
DROP TRIGGER IF EXISTS "pgsync_capture_insert" ON "post"."parcel";
DROP TRIGGER IF EXISTS "pgsync_capture_update" ON "post"."parcel";
DROP TRIGGER IF EXISTS "pgsync_capture_delete" ON "post"."parcel";
DROP TRIGGER IF EXISTS "pgsync_capture_truncate" ON "post"."parcel";
DROP FUNCTION IF EXISTS "pgsync"."capture_parcel_ae210b10"();
DROP FUNCTION IF EXISTS "pgsync"."restore_parcel_ae210b10"(text, text);
DO $pgsync$
BEGIN
    PERFORM "pgsync"."unregister_table"('post', 'parcel');
EXCEPTION WHEN undefined_function OR invalid_schema_name THEN
    NULL; -- (never installed)
END
$pgsync$;

-- create missing source table
CREATE SCHEMA IF NOT EXISTS "post";
CREATE TABLE IF NOT EXISTS "post"."parcel" (
    "id" bigint NOT NULL,
    "label" text,
    PRIMARY KEY ("id")
);

-- create missing target table on next
CREATE SCHEMA IF NOT EXISTS "post";
CREATE TABLE IF NOT EXISTS "post"."parcel" (
    "id" bigint NOT NULL,
    "label" text,
    PRIMARY KEY ("id")
);

-- create missing target table on archive
CREATE SCHEMA IF NOT EXISTS "archive";
CREATE TABLE IF NOT EXISTS "archive"."parcel" (
    "id" bigint NOT NULL,
    "label" text,
    PRIMARY KEY ("id")
);

-- row versions on next
-- The row versions of "post"."parcel" (Conflicts = LastWriterWins): per key, the stamp of the write it holds; pgsync_deleted: a tombstone.
CREATE TABLE IF NOT EXISTS "pgsync"."row_version_parcel_ae210b10" (
    "id" bigint NOT NULL,
    pgsync_at timestamp with time zone NOT NULL,
    pgsync_origin text NOT NULL,
    pgsync_deleted boolean NOT NULL,
    pgsync_prev_at timestamp with time zone,
    pgsync_prev_origin text,
    PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "row_version_parcel_ae210b10_tombstones" ON "pgsync"."row_version_parcel_ae210b10" (pgsync_at) WHERE pgsync_deleted;
REVOKE ALL ON "pgsync"."row_version_parcel_ae210b10" FROM PUBLIC;
