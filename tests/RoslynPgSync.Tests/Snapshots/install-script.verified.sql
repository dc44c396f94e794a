-- RoslynPgSync install script: 1 table(s), node snapshot.
-- Set each destination password as a psql variable, e.g. psql -v pgsync_password_async_dst=...
BEGIN;
SET LOCAL search_path = pg_catalog, pg_temp;
SELECT pg_catalog.pg_advisory_xact_lock(5784683889410899969);
CREATE SCHEMA IF NOT EXISTS "pgsync";
CREATE EXTENSION IF NOT EXISTS dblink SCHEMA "pgsync";
DO $pgsync$
DECLARE
    v_function regprocedure;
BEGIN
    FOR v_function IN
        SELECT d.objid::pg_catalog.regprocedure FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
          AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension AS e WHERE e.extname = 'dblink')
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_function);
    END LOOP;
END
$pgsync$;

-- core/000_schema_version.sql
-- The RoslynPgSync schema and the record of which schema versions are installed (the tables of
-- version 1 are in schema/, every later change in upgrades/NNNN_*.sql). Functions and views are
-- not versioned: every install replaces them.
CREATE SCHEMA IF NOT EXISTS "pgsync";
CREATE TABLE IF NOT EXISTS "pgsync".schema_version (
    version integer PRIMARY KEY,
    description text NOT NULL,
    installed_at timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    installed_by name NOT NULL DEFAULT SESSION_USER
);

-- refuse a schema newer than version 11 (a newer release installed it)
SELECT coalesce(pg_catalog.max(version), 0) > 11 AS pgsync_schema_is_newer FROM "pgsync".schema_version \gset
\if :pgsync_schema_is_newer
DO $pgsync$ BEGIN RAISE EXCEPTION '%', 'The RoslynPgSync schema "pgsync" of this database is at a later schema version, newer than this runtime knows (11): a newer RoslynPgSync installed it. Install with that release or a later one; this one would replace its functions with older ones. Nothing was changed.'; END $pgsync$;
\endif

-- core/functions/100_current_incarnation.sql
-- Writers only read it (0 while it is missing: records made under 0 are settled as if made
-- before a crash); the installer and resolve_applied, in transactions of their own, make it.
CREATE OR REPLACE FUNCTION "pgsync".current_incarnation(p_make boolean)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_token bigint;
BEGIN
    SELECT i.token INTO v_token FROM "pgsync".incarnation AS i;
    IF v_token IS NULL AND p_make THEN
        INSERT INTO "pgsync".incarnation (token)
        VALUES (pg_catalog.floor(pg_catalog.random() * 9000000000000000000)::bigint)
        ON CONFLICT (singleton) DO NOTHING;
        SELECT i.token INTO v_token FROM "pgsync".incarnation AS i;
    END IF;
    RETURN COALESCE(v_token, 0);
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".current_incarnation(boolean) FROM PUBLIC;

-- core/functions/105_lock_stream.sql
-- A stream's name: the server, or server/channel for a named channel (as the worker's logs, the
-- health check and pgsync status write it: DestinationStatus.StreamName). Its hash keys the stream's
-- lock below and the transaction-local setting of enqueue. (No SET clause, names qualified: an
-- IMMUTABLE SQL function without one is inlined into its callers, enqueue's among them.)
CREATE OR REPLACE FUNCTION "pgsync".stream_name(p_dst text, p_channel text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $pgsync$
    SELECT p_dst OPERATOR(pg_catalog.||) CASE WHEN p_channel OPERATOR(pg_catalog.=) '' THEN '' ELSE '/' OPERATOR(pg_catalog.||) p_channel END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".stream_name(text, text) FROM PUBLIC;

-- Takes one stream's lock until the transaction ends: a stream is a destination's channel ('' the
-- default), whose entries are applied in order by one session at a time. It also takes the
-- destination's lock shared, so that what must wait for every stream of a destination (the restore
-- of an aborted transaction's keys, resolve_applied) takes that lock exclusively. Always in this
-- order (destination, then stream), so two sessions cannot wait for each other. The replay worker
-- takes it through PgSyncQueue.LockStream, apply_pending and skip_entry here.
-- (Advisory locks are not privileges: any role can take these keys; a role that does only delays
-- the replay, and the lock ends with its transaction.)
CREATE OR REPLACE FUNCTION "pgsync".lock_stream(p_dst text, p_channel text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock_shared(1346851673, pg_catalog.hashtext(p_dst));
    PERFORM pg_catalog.pg_advisory_xact_lock(1346851674, pg_catalog.hashtext("pgsync".stream_name(p_dst, p_channel)));
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".lock_stream(text, text) FROM PUBLIC;

-- The same locks, only if no other session holds them: false when a batch of that stream, or a
-- restore of that destination, is in progress elsewhere (the destination's shared lock, when it was
-- free, is kept to the transaction's end all the same: it holds back only such a restore).
-- deal_sync_err_rec uses it to leave such a stream to that session instead of waiting for it while
-- holding the locks of the streams it applied before (which would hold those back too).
CREATE OR REPLACE FUNCTION "pgsync".try_lock_stream(p_dst text, p_channel text)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    RETURN pg_catalog.pg_try_advisory_xact_lock_shared(1346851673, pg_catalog.hashtext(p_dst))
       AND pg_catalog.pg_try_advisory_xact_lock(1346851674, pg_catalog.hashtext("pgsync".stream_name(p_dst, p_channel)));
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".try_lock_stream(text, text) FROM PUBLIC;

-- core/functions/110_ledger_insert.sql
-- The remote statement that records, in the same remote transaction as the entries, that the
-- destination applied them: origin, entry ids, the applying (local) transaction, and for entries
-- of that transaction itself (sent before its commit was certain) their table and keys. The
-- destination's primary key on (origin, entry) refuses a second application of an entry.
-- An entry is known by its id and its create_time (in microseconds): after a crash of this
-- node, the id of an entry whose transaction never committed can come back from the sequence.
-- This node's incarnation tells whether an applying transaction ran before a crash, when its
-- xid may have come back too.
-- Then the batch's first and last entry as the transaction-local setting pgsync.entries, which the
-- destination's conflict log records (docs/multi-master.md).
CREATE OR REPLACE FUNCTION "pgsync".ledger_insert(p_origin text, p_dst text, p_xact xid8, p_incarnation bigint, p_ids bigint[], p_times bigint[], p_nsps text[], p_tables text[], p_keys text[], p_savepoint boolean[])
RETURNS text
LANGUAGE sql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $pgsync$
    -- (One entry, the usual Sync commit: plain VALUES, which the destination plans fastest.)
    SELECT CASE WHEN pg_catalog.cardinality(p_ids) = 1 THEN pg_catalog.format(
        'INSERT INTO %s (origin, dst_server, xact_id, incarnation, entry_id, entry_time, nsp_name, table_name, keys, in_savepoint) VALUES (%L, %L, %L, %s, %s, %s, %L, %L, %L, %L)',
        ('"pgsync"' || '.applied_entry'), p_origin, p_dst, p_xact, p_incarnation, p_ids[1], p_times[1], p_nsps[1], p_tables[1], p_keys[1], COALESCE(p_savepoint[1], false))
    ELSE pg_catalog.format(
        'INSERT INTO %s (origin, dst_server, xact_id, incarnation, entry_id, entry_time, nsp_name, table_name, keys, in_savepoint) SELECT %L, %L, %L::pg_catalog.xid8, %s, u.i, u.t, u.n, u.r, u.k, COALESCE(u.s, false) FROM ROWS FROM (pg_catalog.unnest(%L::bigint[]), pg_catalog.unnest(%L::bigint[]), pg_catalog.unnest(%L::text[]), pg_catalog.unnest(%L::text[]), pg_catalog.unnest(%L::text[]), pg_catalog.unnest(%L::boolean[])) AS u(i, t, n, r, k, s)',
        ('"pgsync"' || '.applied_entry'), p_origin, p_dst, p_xact, p_incarnation, p_ids, p_times, p_nsps, p_tables, p_keys, p_savepoint) END
        || pg_catalog.format(E';\nSET LOCAL pgsync.entries = %L', p_ids[1] || '-' || p_ids[pg_catalog.cardinality(p_ids)])
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".ledger_insert(text, text, xid8, bigint, bigint[], bigint[], text[], text[], text[], boolean[]) FROM PUBLIC;

-- core/functions/120_remote_wait.sql
-- Waiting for a destination at most p_timeout (NULL: as long as it takes). PostgreSQL 15's
-- dblink_exec waits for an answer without end and cannot be cancelled meanwhile: a destination
-- whose server processes stopped while its kernel still acknowledges TCP is never noticed by
-- keepalives. With a timeout the query is sent asynchronously and polled; when the time is up
-- the connection is dropped (the destination rolls back what it had not committed; what it
-- did commit is in its applied_entry) and an error is raised. The timeout is the session's
-- pgsync.remote_timeout (the replay worker sets its RemoteTimeout so; pg_cron jobs may set it
-- too), else the node's commit_timeout (PgSyncOptions.CommitTimeout, 30 s by default).
CREATE OR REPLACE FUNCTION "pgsync".remote_wait(p_conn text, p_deadline timestamp with time zone)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    -- Polled without sleeping for the first 2 ms, then every millisecond: most answers come
    -- within a round trip, and pg_sleep's steps are a whole millisecond (sleeping at once
    -- made a Sync commit three times slower in the bench).
    v_spin constant timestamp with time zone := pg_catalog.clock_timestamp() + interval '2 milliseconds';
    v_now timestamp with time zone;
BEGIN
    WHILE "pgsync".dblink_is_busy(p_conn) = 1 LOOP
        v_now := pg_catalog.clock_timestamp();
        IF v_now > p_deadline THEN
            PERFORM "pgsync".dblink_disconnect(p_conn);
            RAISE EXCEPTION 'RoslynPgSync: the destination did not answer in time (pgsync.remote_timeout, else the node''s commit_timeout); the connection was dropped'
                USING ERRCODE = 'connection_failure';
        END IF;
        IF v_now > v_spin THEN
            PERFORM pg_catalog.pg_sleep(0.001);
        END IF;
    END LOOP;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".remote_wait(text, timestamp with time zone) FROM PUBLIC;

-- core/functions/125_remote_connection.sql
-- The replication's named dblink connection to a destination in this session ('pgsync_' and the
-- server's name, as apply_pending, resolve_applied and vacuum_applied call it): made through the
-- destination's foreign server when this session has none, kept for the next call otherwise.
-- (Named connections belong to the session: no other backend, and so no other role, can use them.)
CREATE OR REPLACE FUNCTION "pgsync".remote_connect(p_conn text, p_dst text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    IF p_conn <> ALL (COALESCE("pgsync".dblink_get_connections(), '{}'::text[])) THEN
        PERFORM "pgsync".dblink_connect(p_conn, p_dst);
        -- Names in pg_catalog only for every statement of the session, not just inside the remote
        -- transactions that pin it (remote_begin): the ledger's queries too compare values with
        -- operators an exact one in the destination's public could outrank.
        PERFORM "pgsync".dblink_exec(p_conn, 'SET search_path = pg_catalog, pg_temp');
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".remote_connect(text, text) FROM PUBLIC;

-- Drops the named connection whatever state it is in (broken by a destination restart, inside an
-- aborted remote transaction, or already gone), so that the next call starts clean.
CREATE OR REPLACE FUNCTION "pgsync".remote_drop(p_conn text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    PERFORM "pgsync".dblink_disconnect(p_conn);
EXCEPTION WHEN OTHERS THEN
    NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".remote_drop(text) FROM PUBLIC;

-- core/functions/130_remote_exec.sql
-- dblink_exec(p_conn, p_sql, true), waiting at most p_timeout.
CREATE OR REPLACE FUNCTION "pgsync".remote_exec(p_conn text, p_sql text, p_timeout interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_deadline timestamp with time zone := pg_catalog.clock_timestamp() + p_timeout;
    v_results integer;
BEGIN
    IF p_timeout IS NULL THEN
        PERFORM "pgsync".dblink_exec(p_conn, p_sql, true);
        RETURN;
    END IF;
    IF "pgsync".dblink_send_query(p_conn, p_sql) <> 1 THEN
        RAISE EXCEPTION 'RoslynPgSync: could not send to the destination: %', "pgsync".dblink_error_message(p_conn)
            USING ERRCODE = 'connection_failure';
    END IF;
    -- One result per statement, then none; each waited for (a later one may take long).
    LOOP
        PERFORM "pgsync".remote_wait(p_conn, v_deadline);
        BEGIN
            SELECT pg_catalog.count(*) INTO v_results FROM "pgsync".dblink_get_result(p_conn, true) AS t(status text);
        EXCEPTION WHEN OTHERS THEN
            -- The destination's error ends the statements; read the end of the results, so
            -- that the connection takes the next command (a ROLLBACK, say), then raise it.
            PERFORM "pgsync".remote_wait(p_conn, v_deadline);
            PERFORM 1 FROM "pgsync".dblink_get_result(p_conn, false) AS t(status text);
            RAISE;
        END;
        EXIT WHEN v_results = 0;
    END LOOP;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".remote_exec(text, text, interval) FROM PUBLIC;

-- core/functions/140_remote_query.sql
-- The rows of the query p_sql as one JSON array, waiting at most p_timeout.
CREATE OR REPLACE FUNCTION "pgsync".remote_query(p_conn text, p_sql text, p_timeout interval)
RETURNS json
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_sql constant text := 'SELECT COALESCE(pg_catalog.json_agg(q), ''[]'')::text FROM (' || p_sql || ') AS q';
    v_deadline timestamp with time zone := pg_catalog.clock_timestamp() + p_timeout;
    v_rows text;
BEGIN
    IF p_timeout IS NULL THEN
        SELECT t.j INTO v_rows FROM "pgsync".dblink(p_conn, v_sql, true) AS t(j text);
        RETURN v_rows::json;
    END IF;
    IF "pgsync".dblink_send_query(p_conn, v_sql) <> 1 THEN
        RAISE EXCEPTION 'RoslynPgSync: could not send to the destination: %', "pgsync".dblink_error_message(p_conn)
            USING ERRCODE = 'connection_failure';
    END IF;
    PERFORM "pgsync".remote_wait(p_conn, v_deadline);
    BEGIN
        SELECT t.j INTO v_rows FROM "pgsync".dblink_get_result(p_conn, true) AS t(j text);
    EXCEPTION WHEN OTHERS THEN
        PERFORM "pgsync".remote_wait(p_conn, v_deadline);
        PERFORM 1 FROM "pgsync".dblink_get_result(p_conn, false) AS t(j text);
        RAISE;
    END;
    PERFORM "pgsync".remote_wait(p_conn, v_deadline);
    PERFORM 1 FROM "pgsync".dblink_get_result(p_conn, true) AS t(j text);
    RETURN v_rows::json;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".remote_query(text, text, interval) FROM PUBLIC;

-- core/functions/145_remote_begin.sql
-- How every remote transaction that writes replicated rows starts (apply_pending's batches and
-- resolve_applied's restores): the destination's own settings must not change what is read. The
-- search path is pinned (no object of another schema is found first) and the commit is durable;
-- the rows travel as text, so the settings that change how text reads back are pinned as the
-- capture pins them when writing it: lc_monetary (a destination reading money as de_DE refused
-- '$1,234.50'), DateStyle, IntervalStyle and xmloption (content, the default, which accepts documents
-- too: a destination set to document refused a fragment the source holds). Row security off: a statement that a policy on a
-- target would filter (a DELETE of a row the policy hides deleted nothing, and the entry counted as
-- applied) fails instead, and its entry waits with the reason. Then no target may belong to a role that would get the
-- writing role's rights through its triggers (check_target_owners, on the destination).
CREATE OR REPLACE FUNCTION "pgsync".remote_begin()
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $pgsync$
    SELECT 'BEGIN; SET LOCAL search_path = pg_catalog, pg_temp; SET LOCAL synchronous_commit = on; '
           'SET LOCAL DateStyle = ''ISO, MDY''; SET LOCAL IntervalStyle = postgres; SET LOCAL lc_monetary = ''C''; SET LOCAL xmloption = content; SET LOCAL row_security = off; '
           'SELECT ' OPERATOR(pg_catalog.||) '"pgsync"' OPERATOR(pg_catalog.||) '.check_target_owners()'
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".remote_begin() FROM PUBLIC;

-- core/functions/150_remote_timeout.sql
-- The session's pgsync.remote_timeout: NULL when unset, or when it is not a number of
-- milliseconds, seconds or minutes (so that a stray value never fails a commit). Plain SQL
-- without an exception block or SET clause, every name qualified: it runs at every Sync commit.
CREATE OR REPLACE FUNCTION "pgsync".remote_timeout()
RETURNS interval
LANGUAGE sql
STABLE
AS $pgsync$
    SELECT CASE WHEN s.v OPERATOR(pg_catalog.~) '^\s*[0-9]+(\.[0-9]+)?\s*(ms|milliseconds?|s|sec|seconds?|min|minutes?)\s*$' THEN s.v::pg_catalog.interval END
      FROM (SELECT pg_catalog.current_setting('pgsync.remote_timeout', true) AS v) AS s
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".remote_timeout() FROM PUBLIC;

-- core/functions/155_send_entries.sql
-- Sends entries p_ids (queued ones, or with p_xact that transaction's in sync_pending) to the open
-- connection p_conn in ONE remote transaction: p_head (BEGIN, the ledger) with p_first (the SQL of
-- the first p_first_count entries, already built by the caller), then the rest in messages of
-- about p_max_bytes each, then COMMIT. A batch holds whole source transactions, which may be far
-- larger than one message may be (a statement of millions of rows is many entries of one
-- transaction): the messages bound what each side holds at once, the one remote transaction keeps
-- the source transaction whole. Raises what the destination raises; the caller drops the
-- connection, and the remote transaction with it.
-- Consecutive TRUNCATE entries of one source transaction go as one statement, as in batch_sql
-- (truncated_table), also where such a run goes on past p_first.
-- Called by apply_pending (as its owner); nobody else may call it.
CREATE OR REPLACE FUNCTION "pgsync".send_entries(p_conn text, p_dst text, p_xact xid8, p_ids bigint[], p_head text,
    p_first text, p_first_count integer, p_max_bytes bigint, p_timeout interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_parts text[] := ARRAY[p_head];
    v_bytes bigint := octet_length(p_head);
    v_query text;
    v_path text;
    v_last_path text; -- the path of the entry before (batch_sql's for those in p_first)
    v_told boolean := false; -- whether the destination has been told a path yet
    v_truncates text; -- the entry's table when it is a TRUNCATE
    v_xact xid8; -- and its transaction
    v_truncating xid8; -- the transaction whose TRUNCATE the last statement is (and may take more tables)
BEGIN
    IF p_first IS NOT NULL THEN
        v_parts := v_parts || p_first;
        v_bytes := v_bytes + octet_length(p_first);
        v_told := true;
        IF p_xact IS NULL AND p_first_count > 0 THEN
            SELECT e.path, CASE WHEN "pgsync".truncated_table(e.op, e.dst_query) IS NOT NULL THEN e.xact_id END INTO v_last_path, v_truncating
              FROM "pgsync".sync_err_rec AS e WHERE e.id = p_ids[p_first_count];
        ELSIF p_first_count > 0 THEN
            SELECT CASE WHEN "pgsync".truncated_table(p.op, p.dst_query) IS NOT NULL THEN p.xact_id END INTO v_truncating
              FROM "pgsync".sync_pending AS p WHERE p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = p_ids[p_first_count];
        END IF;
    END IF;
    FOR v_i IN COALESCE(p_first_count, 0) + 1 .. COALESCE(cardinality(p_ids), 0) LOOP
        IF p_xact IS NULL THEN
            SELECT "pgsync".entry_sql(e.op, e.statement, e.dst_query), e.path, "pgsync".truncated_table(e.op, e.dst_query), e.xact_id
              INTO STRICT v_query, v_path, v_truncates, v_xact FROM "pgsync".sync_err_rec AS e WHERE e.id = p_ids[v_i];
        ELSE
            SELECT "pgsync".entry_sql(p.op, p.statement, p.dst_query), NULL::text, "pgsync".truncated_table(p.op, p.dst_query), p.xact_id
              INTO STRICT v_query, v_path, v_truncates, v_xact FROM "pgsync".sync_pending AS p
             WHERE p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = p_ids[v_i];
        END IF;
        -- One more table of the TRUNCATE before it (the last statement so far, whichever message it is in).
        IF v_truncates IS NOT NULL AND v_truncating = v_xact AND v_told AND v_path IS NOT DISTINCT FROM v_last_path AND cardinality(v_parts) > 0 THEN
            v_parts[cardinality(v_parts)] := v_parts[cardinality(v_parts)] || ', ' || v_truncates;
            v_bytes := v_bytes + octet_length(v_truncates) + 2;
            CONTINUE;
        END IF;
        v_truncating := CASE WHEN v_truncates IS NOT NULL THEN v_xact END;
        -- (The nodes a forwarded entry has been through, as batch_sql tells them.)
        IF NOT v_told OR v_path IS DISTINCT FROM v_last_path THEN
            v_query := "pgsync".path_sql(v_path) || E';\n' || v_query;
            v_told := true;
            v_last_path := v_path;
        END IF;
        IF v_bytes > 0 AND v_bytes + octet_length(v_query) > p_max_bytes THEN
            PERFORM "pgsync".remote_exec(p_conn, array_to_string(v_parts, E';\n'), p_timeout);
            v_parts := '{}';
            v_bytes := 0;
        END IF;
        v_parts := v_parts || v_query;
        v_bytes := v_bytes + octet_length(v_query);
    END LOOP;
    PERFORM "pgsync".remote_exec(p_conn, array_to_string(v_parts || 'COMMIT'::text, E';\n'), p_timeout);
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".send_entries(text, text, xid8, bigint[], text, text, integer, bigint, interval) FROM PUBLIC;

-- core/functions/157_batch_sql.sql
-- The remote SQL of entries p_ids, in id order (queued ones, or with p_xact that transaction's in
-- sync_pending): an entry that holds SQL goes as it is; consecutive compact entries of one
-- statement and kind (0007_compact_entries.sql) go as ONE statement over all their rows, so a
-- backlog of single-row transactions is applied set-based (an upsert's statement keeps the last
-- row of each key: RemoteSql.UpsertLatest). The order of everything else is kept: a run ends at
-- an entry of another table, kind or target, so a delete never passes an upsert of its key.
-- Consecutive TRUNCATE entries of one source transaction (one statement that truncated several
-- tables, truncated_table) go as one TRUNCATE too.
-- Before the first run, and wherever the path changes (a forwarded change's, 0008_forwarding.sql),
-- path_sql tells the destination which nodes the runs that follow have been through.
-- Raises when a compact entry names statements that are not recorded (nothing goes as nothing).
-- Called by apply_pending (as its owner); nobody else may call it.
CREATE OR REPLACE FUNCTION "pgsync".batch_sql(p_dst text, p_xact xid8, p_ids bigint[])
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_sql text;
BEGIN
    -- A run's SQL is entry_sql's over all its rows (an entry that holds SQL is a run of its own, so
    -- its text goes as it is); entry_sql raises for statements that are not recorded.
    SELECT string_agg(CASE WHEN g.path_changes THEN "pgsync".path_sql(g.path) || E';\n' ELSE '' END || g.sql, E';\n' ORDER BY g.first_id) INTO v_sql
      FROM (SELECT h.first_id, h.path, h.sql,
                   (row_number() OVER (ORDER BY h.first_id) = 1 OR h.path IS DISTINCT FROM lag(h.path) OVER (ORDER BY h.first_id)) AS path_changes
              FROM (SELECT min(r.id) AS first_id, r.path,
                           CASE WHEN r.truncating IS NOT NULL THEN 'TRUNCATE ONLY ' || string_agg(r.truncates, ', ' ORDER BY r.id)
                                ELSE "pgsync".entry_sql(r.op, r.statement, string_agg(r.dst_query, ',' ORDER BY r.id)) END AS sql
                      FROM (-- Runs ("gaps and islands"): consecutive entries of one statement, kind and path
                            -- share run; so do consecutive TRUNCATEs of one transaction and path (the
                            -- transaction's id keeps them apart from another's).
                            SELECT e.id, e.op, e.statement, e.dst_query, e.path, e.truncates, e.truncating,
                                   CASE WHEN e.truncating IS NOT NULL
                                        THEN row_number() OVER (ORDER BY e.id) - row_number() OVER (PARTITION BY e.truncating, e.path ORDER BY e.id)
                                        WHEN e.op IS NULL THEN -e.id
                                        ELSE row_number() OVER (ORDER BY e.id) - row_number() OVER (PARTITION BY e.op, e.statement, e.path ORDER BY e.id) END AS run
                              FROM (SELECT q.id, q.op, q.statement, q.dst_query, q.path, t.truncates,
                                           CASE WHEN t.truncates IS NOT NULL THEN q.xact_id END AS truncating
                                      FROM "pgsync".sync_err_rec AS q, LATERAL (SELECT "pgsync".truncated_table(q.op, q.dst_query) AS truncates) AS t
                                     WHERE p_xact IS NULL AND q.id = ANY (p_ids)
                                    UNION ALL
                                    SELECT p.id, p.op, p.statement, p.dst_query, NULL::text, t.truncates,
                                           CASE WHEN t.truncates IS NOT NULL THEN p.xact_id END
                                      FROM "pgsync".sync_pending AS p, LATERAL (SELECT "pgsync".truncated_table(p.op, p.dst_query) AS truncates) AS t
                                     WHERE p_xact IS NOT NULL AND p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = ANY (p_ids)) AS e) AS r
                     GROUP BY r.run, r.op, r.statement, r.path, r.truncating) AS h) AS g;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".batch_sql(text, xid8, bigint[]) FROM PUBLIC;

-- The statement that tells a destination which nodes the entries after it have been through: the
-- session's pgsync.path, for the rest of the remote transaction, is p_path (an entry's: NULL for this
-- node's own writes) with this node's identity added. The destination's capture honours it only in a
-- replication session (as pgsync.origin), and forwards a change to none of those nodes.
CREATE OR REPLACE FUNCTION "pgsync".path_sql(p_path text)
RETURNS text
LANGUAGE plpgsql
STABLE
AS $pgsync$
BEGIN
    RETURN 'SELECT pg_catalog.set_config(''pgsync.path'', '
           OPERATOR(pg_catalog.||) pg_catalog.quote_literal(pg_catalog.concat_ws(',', p_path, (SELECT i.identity FROM "pgsync".node_identity AS i)))
           OPERATOR(pg_catalog.||) ', true)';
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".path_sql(text) FROM PUBLIC;

-- core/functions/160_apply_pending.sql
-- Applies up to p_limit of one stream's oldest entries (a destination's channel, '' its default:
-- 105_lock_stream.sql), in id order, in one remote
-- transaction, then deletes them, and returns how many it applied. A batch holds whole source
-- transactions: when the limit (or the byte bound) ends inside one, the batch goes on to its end,
-- and so may apply more than p_limit. With p_xact: the entries
-- that transaction (the calling one) has waiting in sync_pending, without the destination's
-- lock (flush_at_commit does so when nothing is queued for the destination); on failure they
-- stay there for the caller. A broken connection is reopened once. When the destination
-- rejects a queued batch, the entries are tried one by one in a remote transaction that is
-- rolled back, to find the one it rejects: the entries before it are applied (down to whole
-- source transactions: the rest of the rejected entry's transaction stays with it), and it stays
-- at the head of the queue with its error, id and table recorded (so the queue stops
-- exactly there, order kept). With p_strict the error is raised.
-- Exactly once: the remote transaction also records the entries in the destination's
-- applied_entry; when the destination already has one of them (an earlier replay committed
-- there and then died before its local delete), those entries are deleted locally without
-- being applied again, and the rest go. A transaction's own Async entries never go before it
-- commits (the worker sends them after).
CREATE OR REPLACE FUNCTION "pgsync".apply_pending(p_dst text, p_channel text, p_limit integer, p_strict boolean, p_xact xid8)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_ids bigint[];
    v_sql text;
    v_ledger text;
    v_conn text := 'pgsync_' || p_dst;
    v_attempt integer := 0;
    v_error text;
    v_state text;
    v_detail text;
    v_rows numeric;
    v_begin constant text := "pgsync".remote_begin();
    v_entry record;
    v_good integer := 0;
    v_failed bigint;
    v_failed_error text;
    v_failed_state text;
    v_table text;
    v_reached boolean := false;
    v_self xid8 := pg_catalog.pg_current_xact_id();
    -- Entries written inside a savepoint (their rows' xmin is a subtransaction's) may still be
    -- rolled back while the transaction commits (SET CONSTRAINTS ALL IMMEDIATE sends them at
    -- the statement's end): recorded so, they are restored whatever the outcome.
    -- (Not when the flush runs for COMMIT or PREPARE TRANSACTION itself: every savepoint has
    -- ended by then, so an application's savepoints, such as EF Core's, cost no restore. Told by the
    -- client's query string being that statement alone: a string that only starts with it, such as
    -- 'COMMIT; BEGIN; SAVEPOINT s; ...', runs later statements, savepoints and flushes included.)
    v_top constant bigint := CASE
        WHEN pg_catalog.current_query() OPERATOR(pg_catalog.~*) '^\s*(commit|end|prepare\s+transaction)\y[^;]*;?\s*$' THEN NULL
        ELSE v_self::text::bigint % 4294967296 END;
    v_origin text;
    v_done bigint[]; -- entries the destination had applied already
    v_done_times bigint[];
    v_timeout interval; -- the session's pgsync.remote_timeout, else the node's commit_timeout
    v_incarnation constant bigint := "pgsync".current_incarnation(false);
    v_duplicate boolean;
    v_last bigint; -- the batch's last entry
    v_next bigint;
    v_from bigint; -- the closure's last round ended here
    v_first_count integer; -- the entries whose SQL fits the first message (v_sql)
    v_forwarded boolean; -- whether the batch holds forwarded entries (0008_forwarding.sql)
    v_peer text; -- then the destination's identity
    v_check text; -- and the statement that checks it there, first in the batch's remote transaction
    v_peer_changed boolean := false; -- the destination said it is not v_peer
    v_relearned boolean := false; -- (once per call)
    -- A queued batch is bounded by bytes as well as entries: the session's pgsync.batch_bytes (the
    -- hosted worker sets PgSyncHostOptions.BatchBytes), else 16 MiB. The first entry always goes, so
    -- an entry larger than the bound goes alone. A source transaction larger than the bound goes
    -- whole all the same (as a commit's own entries do), in one remote transaction of several
    -- messages of about the bound each (send_entries).
    v_max_bytes constant bigint := COALESCE(
        (SELECT s.v::bigint FROM (SELECT pg_catalog.current_setting('pgsync.batch_bytes', true) AS v) AS s
          WHERE s.v OPERATOR(pg_catalog.~) '^\s*[1-9][0-9]{0,17}\s*$'), 16777216);
BEGIN
    SELECT n.origin, COALESCE("pgsync".remote_timeout(), n.commit_timeout) INTO v_origin, v_timeout FROM "pgsync".node AS n;
    IF p_xact IS NULL THEN
        PERFORM "pgsync".lock_stream(p_dst, p_channel);
    END IF;

    LOOP
        IF p_xact IS NULL THEN
            -- The oldest entries, up to the bounds (LIMIT below the window, so only they are read;
            -- octet_length takes a stored value's size from its header, without detoasting it) ...
            SELECT pg_catalog.max(w.id), pg_catalog.min(w.id) INTO v_last, v_from
              FROM (SELECT l.id, pg_catalog.sum(pg_catalog.octet_length(l.dst_query)) OVER (ORDER BY l.id) - pg_catalog.octet_length(l.dst_query) AS bytes_before
                      FROM (SELECT e.id, e.dst_query FROM "pgsync".sync_err_rec AS e
                             WHERE e.dst_server = p_dst AND e.channel = p_channel AND (e.xact_id IS DISTINCT FROM v_self OR e.mode <> 'a')
                               AND e.id <> ALL (COALESCE(v_done, '{}'::bigint[]))
                             ORDER BY e.id LIMIT p_limit - COALESCE(pg_catalog.cardinality(v_done), 0)) AS l) AS w
             WHERE w.bytes_before < v_max_bytes;
            -- ... then on to the last entry of every source transaction they hold part of, and of every
            -- one the entries on the way hold part of: a batch never splits a source transaction, so the
            -- destination never shows a state the source never had, and a deferred constraint between
            -- rows of one transaction holds. The entries in between go too, in order: a change to a row
            -- that a later entry of the transaction changes again committed before it (the row lock).
            -- (Each source transaction's last entry in the stream is one probe of the (xact_id, id) index:
            -- the stream is compared with IS NOT DISTINCT FROM, which no index serves, so that no plan can
            -- take the (dst_server, channel, id) index instead and read the whole stream per transaction.
            -- A round looks only at the transactions of the entries the one before added. No "xact_id IS
            -- NOT NULL" on them either: the (xact_id, id) index would serve it, over the whole queue; an
            -- entry without xact_id (from before it was recorded) finds no later entry.)
            -- (The first round looks from the batch's first entry on: no entry of the stream below it is
            -- one the batch could take, and a range that starts there is one the planner sees as small,
            -- where "from 0" looked like the whole queue to statistics taken before the entries below
            -- were applied, and a scan of all of it.)
            v_from := v_from - 1;
            LOOP
                SELECT pg_catalog.max(m.id) INTO v_next
                  FROM (SELECT DISTINCT e.xact_id FROM "pgsync".sync_err_rec AS e
                         WHERE e.dst_server = p_dst AND e.channel = p_channel AND e.id <= v_last AND e.id > v_from) AS x
                 CROSS JOIN LATERAL (SELECT c.id FROM "pgsync".sync_err_rec AS c
                                      WHERE c.xact_id = x.xact_id
                                        AND c.dst_server IS NOT DISTINCT FROM p_dst AND c.channel IS NOT DISTINCT FROM p_channel
                                        AND (c.xact_id IS DISTINCT FROM v_self OR c.mode <> 'a')
                                      ORDER BY c.id DESC LIMIT 1) AS m
                 WHERE m.id > v_last;
                EXIT WHEN v_next IS NULL;
                v_from := v_last;
                v_last := v_next;
            END LOOP;
            SELECT pg_catalog.array_agg(q.id ORDER BY q.id),
                   NULL::text,
                   pg_catalog.count(*) FILTER (WHERE q.bytes_before < v_max_bytes),
                   pg_catalog.sum(q.row_count),
                   pg_catalog.bool_or(q.path IS NOT NULL),
                   "pgsync".ledger_insert(v_origin, p_dst, v_self, v_incarnation, pg_catalog.array_agg(q.id ORDER BY q.id),
                       pg_catalog.array_agg((EXTRACT(epoch FROM q.create_time) * 1000000)::bigint ORDER BY q.id),
                       pg_catalog.array_agg(CASE WHEN q.xact_id = v_self THEN q.nsp_name END ORDER BY q.id),
                       pg_catalog.array_agg(CASE WHEN q.xact_id = v_self THEN q.table_name END ORDER BY q.id),
                       pg_catalog.array_agg(CASE WHEN q.xact_id = v_self THEN q.keys END ORDER BY q.id),
                       pg_catalog.array_agg(COALESCE(q.xact_id = v_self AND q.row_xid <> v_top, false) ORDER BY q.id))
              INTO v_ids, v_sql, v_first_count, v_rows, v_forwarded, v_ledger
              FROM (SELECT e.id, e.dst_query, e.row_count, e.xact_id, e.nsp_name, e.table_name, e.keys, e.create_time, e.path,
                           e.xmin::text::bigint AS row_xid,
                           pg_catalog.sum(pg_catalog.octet_length(e.dst_query)) OVER (ORDER BY e.id) - pg_catalog.octet_length(e.dst_query) AS bytes_before
                      FROM "pgsync".sync_err_rec AS e
                     WHERE e.dst_server = p_dst AND e.channel = p_channel AND e.id <= v_last AND (e.xact_id IS DISTINCT FROM v_self OR e.mode <> 'a')
                       AND e.id <> ALL (COALESCE(v_done, '{}'::bigint[]))) AS q;
        ELSE
            SELECT pg_catalog.array_agg(p.id ORDER BY p.id),
                   NULL::text,
                   pg_catalog.count(*) FILTER (WHERE p.bytes_before < v_max_bytes),
                   pg_catalog.sum(p.row_count),
                   "pgsync".ledger_insert(v_origin, p_dst, v_self, v_incarnation, pg_catalog.array_agg(p.id ORDER BY p.id),
                       pg_catalog.array_agg((EXTRACT(epoch FROM p.create_time) * 1000000)::bigint ORDER BY p.id),
                       pg_catalog.array_agg(p.nsp_name ORDER BY p.id), pg_catalog.array_agg(p.table_name ORDER BY p.id),
                       pg_catalog.array_agg(p.keys ORDER BY p.id),
                       pg_catalog.array_agg(COALESCE(p.row_xid <> v_top, false) ORDER BY p.id))
              INTO v_ids, v_sql, v_first_count, v_rows, v_ledger
              FROM (SELECT s.id, s.dst_query, s.row_count, s.nsp_name, s.table_name, s.keys, s.create_time, s.xmin::text::bigint AS row_xid,
                           pg_catalog.sum(pg_catalog.octet_length(s.dst_query)) OVER (ORDER BY s.id) - pg_catalog.octet_length(s.dst_query) AS bytes_before
                      FROM "pgsync".sync_pending AS s WHERE s.xact_id = p_xact AND s.dst_server = p_dst AND s.channel = p_channel) AS p;
        END IF;
        IF v_ids IS NULL THEN
            PERFORM pg_catalog.set_config('pgsync.applied_rows', '0', true);
            RETURN COALESCE(pg_catalog.cardinality(v_done), 0);
        END IF;
        -- A forwarded entry goes to no node it has been through. The capture queued it only for a
        -- destination whose identity it did not find on the path, but that identity may not have been
        -- known then (a node installed from the script, before the worker's upkeep learned it): a
        -- ring of such nodes would bring every change back to its writer, and apply it there again,
        -- once. Learned now if need be (one query, once), the entries of the batch that have been
        -- through the destination leave the queue unsent, and the batch is taken again.
        -- The identity known may be an old one: the destination's was made again (a copy, at its next
        -- install: destination/015_node_identity.sql) since it was learned, and the changes that have
        -- been through it under the new one would go back to it. So the batch's remote transaction
        -- checks first that the destination is the one the paths were filtered by; where it is not, it
        -- fails before anything is applied (PSYID), the identity is learned again and the batch taken again.
        v_check := NULL;
        IF v_forwarded THEN
            v_peer := (SELECT p.identity FROM "pgsync".peer AS p WHERE p.dst_server = p_dst);
            IF v_peer IS NULL THEN
                v_peer := "pgsync".learn_peer(v_conn, p_dst, v_timeout);
            END IF;
            IF v_peer IS NOT NULL THEN
                DELETE FROM "pgsync".sync_err_rec AS e
                 WHERE e.id = ANY (v_ids) AND v_peer = ANY (pg_catalog.string_to_array(e.path, ','));
                CONTINUE WHEN FOUND;
                -- (The block's text goes as a literal: nothing in the identity can end it.)
                v_check := 'DO ' || pg_catalog.quote_literal(pg_catalog.format(
                    'BEGIN IF (SELECT i.identity FROM %s.node_identity AS i) IS DISTINCT FROM %L THEN RAISE EXCEPTION USING MESSAGE = %L, ERRCODE = %L; END IF; END',
                    '"pgsync"', v_peer,
                    'RoslynPgSync: this database''s identity is not ' || v_peer || ', the one the sending node filtered the forwarded changes by; it learns the new one and sends them again',
                    'PSYID'));
                v_ledger := v_check || E';\n' || v_ledger;
            END IF;
        END IF;
        -- The first message's SQL: consecutive compact entries of one statement go as one.
        v_sql := "pgsync".batch_sql(p_dst, p_xact, v_ids[1:v_first_count]);

        v_duplicate := false;
        v_attempt := 0;
        LOOP
            v_attempt := v_attempt + 1;
            v_reached := false;
            BEGIN
                PERFORM "pgsync".remote_connect(v_conn, p_dst);
                v_reached := true;
                IF v_first_count = pg_catalog.cardinality(v_ids) THEN
                    PERFORM "pgsync".remote_exec(v_conn, v_begin || E';\n' || v_ledger || E';\n' || v_sql || E';\nCOMMIT', v_timeout);
                ELSE
                    -- Larger than one message: the rest follow in messages of the bound, in the same remote transaction.
                    PERFORM "pgsync".send_entries(v_conn, p_dst, p_xact, v_ids, v_begin || E';\n' || v_ledger, v_sql, v_first_count, v_max_bytes, v_timeout);
                END IF;
                v_error := NULL;
                EXIT;
            EXCEPTION WHEN query_canceled THEN
                -- A cancel (statement_timeout, pg_cancel_backend, a client's command timeout) is no
                -- error WHEN OTHERS takes, and may come between two messages of one remote
                -- transaction: the connection would stay open inside it, half a batch and its whole
                -- ledger uncommitted, for the session's next use (which would read that ledger, and
                -- commit it) to find. Dropped here, the remote transaction ends with it.
                PERFORM "pgsync".remote_drop(v_conn);
                RAISE;
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL, v_state = RETURNED_SQLSTATE;
                v_error := SQLERRM || COALESCE(': ' || NULLIF(v_detail, ''), '');
                -- The connection may be broken (destination restarted) or inside an aborted
                -- remote transaction: drop it, so the retry and later calls start clean.
                PERFORM "pgsync".remote_drop(v_conn);
                IF v_state = '23505' AND SQLERRM LIKE '%"applied_entry_pkey"%' THEN
                    v_duplicate := true;
                    EXIT;
                END IF;
                IF v_state = 'PSYID' AND NOT v_relearned THEN
                    v_peer_changed := true;
                    EXIT;
                END IF;
                EXIT WHEN v_attempt >= 2;
            END;
        END LOOP;

        -- The destination is not the node the batch's paths were filtered by: learn who it is (recorded
        -- in peer), then take the batch again. Once per call: a second refusal stays the batch's error.
        IF v_peer_changed THEN
            v_peer_changed := false;
            v_relearned := true;
            PERFORM "pgsync".learn_peer(v_conn, p_dst, v_timeout);
            CONTINUE;
        END IF;

        EXIT WHEN NOT v_duplicate OR p_xact IS NOT NULL OR v_done IS NOT NULL;
        -- Which of them the destination has: they leave the queue unapplied; the rest go.
        BEGIN
            PERFORM "pgsync".remote_connect(v_conn, p_dst);
            SELECT pg_catalog.array_agg(t.entry_id), pg_catalog.array_agg(t.entry_time) INTO v_done, v_done_times
              FROM pg_catalog.json_to_recordset("pgsync".remote_query(v_conn, pg_catalog.format(
                       'SELECT entry_id, entry_time FROM %s WHERE origin = %L AND entry_id = ANY (%L::bigint[])', ('"pgsync"' || '.applied_entry'), v_origin, v_ids), v_timeout))
                   AS t(entry_id bigint, entry_time bigint);
        EXCEPTION WHEN query_canceled THEN
            PERFORM "pgsync".remote_drop(v_conn); -- (as above)
            RAISE;
        WHEN OTHERS THEN
            PERFORM "pgsync".remote_drop(v_conn);
            EXIT; -- (v_error stays the batch's)
        END;
        BEGIN
            DELETE FROM "pgsync".sync_err_rec AS e
             USING ROWS FROM (pg_catalog.unnest(v_done), pg_catalog.unnest(v_done_times)) AS d(id, entry_time)
             WHERE e.id = d.id AND (EXTRACT(epoch FROM e.create_time) * 1000000)::bigint = d.entry_time;
        EXCEPTION WHEN serialization_failure THEN
            -- A REPEATABLE READ or SERIALIZABLE writer's old snapshot still shows entries that a
            -- replay applied and deleted since: they are gone already.
            NULL;
        END;
        v_done := COALESCE(v_done, '{}'::bigint[]);
    END LOOP;

    -- (Only when the destination was reached: an unreachable one is not tried a third time.)
    -- (Not for a transaction's own entries: they go into the queue, and its replay looks.)
    IF v_error IS NOT NULL AND v_reached AND pg_catalog.cardinality(v_ids) > 1 AND p_xact IS NULL AND NOT v_duplicate THEN
        BEGIN
            PERFORM "pgsync".remote_connect(v_conn, p_dst);
            PERFORM "pgsync".remote_exec(v_conn, v_begin, v_timeout);
            -- (Entry by entry, but a run of TRUNCATEs of one transaction as one, as batch_sql sends it.)
            FOR v_entry IN SELECT pg_catalog.min(r.id) AS id, pg_catalog.count(*)::integer AS entries,
                                  "pgsync".path_sql(r.path) || E';\n' || CASE WHEN r.truncating IS NOT NULL THEN 'TRUNCATE ONLY ' || pg_catalog.string_agg(r.truncates, ', ' ORDER BY r.id)
                                                                            ELSE pg_catalog.string_agg("pgsync".entry_sql(r.op, r.statement, r.dst_query), '') END AS dst_query
                             FROM (SELECT t.*,
                                          CASE WHEN t.truncating IS NOT NULL
                                               THEN pg_catalog.row_number() OVER (ORDER BY t.id) - pg_catalog.row_number() OVER (PARTITION BY t.truncating, t.path ORDER BY t.id)
                                               ELSE -t.id END AS run
                                     FROM (SELECT e.id, e.op, e.statement, e.dst_query, e.path, "pgsync".truncated_table(e.op, e.dst_query) AS truncates,
                                                  CASE WHEN "pgsync".truncated_table(e.op, e.dst_query) IS NOT NULL THEN e.xact_id END AS truncating
                                             FROM "pgsync".sync_err_rec AS e WHERE e.id = ANY (v_ids)) AS t) AS r
                            GROUP BY r.run, r.truncating, r.path ORDER BY 1 LOOP
                BEGIN
                    PERFORM "pgsync".remote_exec(v_conn, v_entry.dst_query, v_timeout);
                EXCEPTION WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL, v_failed_state = RETURNED_SQLSTATE;
                    v_failed := v_entry.id;
                    v_failed_error := SQLERRM || COALESCE(': ' || NULLIF(v_detail, ''), '');
                    EXIT;
                END;
                v_good := v_good + v_entry.entries;
            END LOOP;
            PERFORM "pgsync".remote_exec(v_conn, 'ROLLBACK', v_timeout);
            IF v_failed IS NOT NULL THEN
                v_error := v_failed_error;
                -- What goes is the entries before the rejected one, down to whole source transactions:
                -- the longest run of them that no transaction crosses the end of.
                SELECT COALESCE(pg_catalog.max(t.ord), 0) INTO v_good
                  FROM (SELECT b.ord, pg_catalog.max(b.xact_last) OVER (ORDER BY b.ord) AS reach
                          FROM (SELECT o.ord, pg_catalog.max(o.ord) OVER (PARTITION BY COALESCE(e.xact_id::text, 'entry ' || e.id::text)) AS xact_last
                                  FROM pg_catalog.unnest(v_ids) WITH ORDINALITY AS o(id, ord)
                                  JOIN "pgsync".sync_err_rec AS e ON e.id = o.id) AS b) AS t
                 WHERE t.ord <= v_good AND t.reach = t.ord;
                IF v_good > 0 AND NOT p_strict THEN
                    SELECT pg_catalog.sum(e.row_count),
                           "pgsync".ledger_insert(v_origin, p_dst, v_self, v_incarnation, pg_catalog.array_agg(e.id ORDER BY e.id),
                               pg_catalog.array_agg((EXTRACT(epoch FROM e.create_time) * 1000000)::bigint ORDER BY e.id),
                               pg_catalog.array_agg(CASE WHEN e.xact_id = v_self THEN e.nsp_name END ORDER BY e.id),
                               pg_catalog.array_agg(CASE WHEN e.xact_id = v_self THEN e.table_name END ORDER BY e.id),
                               pg_catalog.array_agg(CASE WHEN e.xact_id = v_self THEN e.keys END ORDER BY e.id),
                               pg_catalog.array_agg(COALESCE(e.xact_id = v_self AND e.xmin::text::bigint <> v_top, false) ORDER BY e.id))
                      INTO v_rows, v_ledger
                      FROM "pgsync".sync_err_rec AS e WHERE e.id = ANY (v_ids[1:v_good]);
                    PERFORM "pgsync".send_entries(v_conn, p_dst, NULL, v_ids[1:v_good], v_begin || E';\n' || COALESCE(v_check || E';\n', '') || v_ledger, NULL, 0, v_max_bytes, v_timeout);
                    v_ids := v_ids[1:v_good];
                END IF;
            END IF;
            -- (When every entry went through one by one, the failure was the batch's, e.g. at
            -- COMMIT: it stays recorded against the batch's first entry.)
        EXCEPTION WHEN query_canceled THEN
            PERFORM "pgsync".remote_drop(v_conn); -- (as above: this search is one remote transaction too)
            RAISE;
        WHEN OTHERS THEN
            v_failed := NULL; -- the connection failed while looking: keep the batch's error
            PERFORM "pgsync".remote_drop(v_conn);
        END;
    END IF;

    -- A unique violation (an index other than the key: upserts meet no other) stops the queue at the
    -- entry like any rejection; the destination's conflict log records it as well, with the rows that
    -- collide (unique_conflict, destination/035_unique_conflict.sql, once per entry). Best effort:
    -- the error stays recorded here whatever happens.
    IF v_error IS NOT NULL AND v_reached AND p_xact IS NULL AND NOT v_duplicate
       AND (CASE WHEN v_failed IS NOT NULL THEN v_failed_state = '23505' ELSE pg_catalog.cardinality(v_ids) = 1 AND v_state = '23505' END) THEN
        BEGIN
            PERFORM "pgsync".remote_connect(v_conn, p_dst);
            PERFORM "pgsync".remote_exec(v_conn, pg_catalog.format('SELECT %s.unique_conflict(%L, %L, %L, %s, %L)', '"pgsync"',
                        "pgsync".entry_sql(e.op, e.statement, e.dst_query), CASE WHEN e.op = 'u' THEN '[' || e.dst_query || ']' END, v_origin, e.id, e.create_time), v_timeout)
               FROM "pgsync".sync_err_rec AS e WHERE e.id = COALESCE(v_failed, v_ids[1]);
        EXCEPTION WHEN query_canceled THEN
            PERFORM "pgsync".remote_drop(v_conn);
            RAISE;
        WHEN OTHERS THEN
            PERFORM "pgsync".remote_drop(v_conn);
        END;
    END IF;

    IF v_error IS NOT NULL THEN
        IF p_xact IS NULL THEN
            SELECT pg_catalog.format('%I.%I', e.nsp_name, e.table_name) INTO v_table
              FROM "pgsync".sync_err_rec AS e WHERE e.id = COALESCE(v_failed, v_ids[1]);
        ELSE
            SELECT pg_catalog.format('%I.%I', p.nsp_name, p.table_name) INTO v_table
              FROM "pgsync".sync_pending AS p WHERE p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = v_ids[1];
        END IF;
        IF p_strict THEN
            -- The destination's error names the refused entry's row ("Failing row contains ..."); when
            -- that entry is another transaction's (queued ahead of this one's), the committer, who may
            -- be another role with no right to read it, is not told it: the queue's state records it.
            IF p_xact IS NULL AND EXISTS (SELECT 1 FROM "pgsync".sync_err_rec AS e
                                          WHERE e.id = COALESCE(v_failed, v_ids[1]) AND e.xact_id IS DISTINCT FROM v_self) THEN
                RAISE EXCEPTION 'RoslynPgSync: destination server "%"% refused an older queued change to % ahead of this transaction''s, so it cannot be sent', p_dst,
                    CASE WHEN p_channel = '' THEN '' ELSE pg_catalog.format(' (channel "%s")', p_channel) END, v_table
                    USING HINT = 'Strict mode fails the local transaction when its destination fails. The refused entry and the destination''s error are in pgsync.status (last_error), for the installing role.';
            END IF;
            RAISE EXCEPTION 'RoslynPgSync: destination server "%"% did not accept the change to %: %', p_dst,
                CASE WHEN p_channel = '' THEN '' ELSE pg_catalog.format(' (channel "%s")', p_channel) END, v_table, v_error
                USING HINT = 'Strict mode fails the local transaction when its destination fails.';
        END IF;
        BEGIN
            INSERT INTO "pgsync".dst_state AS s (dst_server, channel, last_error, last_error_time, last_error_entry, last_error_table)
            VALUES (p_dst, p_channel, v_error, pg_catalog.clock_timestamp(), COALESCE(v_failed, v_ids[1]), v_table)
            ON CONFLICT (dst_server, channel) DO UPDATE
                SET last_error = EXCLUDED.last_error, last_error_time = EXCLUDED.last_error_time,
                    last_error_entry = EXCLUDED.last_error_entry, last_error_table = EXCLUDED.last_error_table;
        EXCEPTION WHEN serialization_failure OR unique_violation THEN
            NULL; -- (a writer's older snapshot: a concurrent failure was recorded meanwhile)
        END;
        IF v_failed IS NULL OR v_good = 0 OR p_strict THEN
            PERFORM pg_catalog.set_config('pgsync.applied_rows', '0', true);
            RETURN COALESCE(pg_catalog.cardinality(v_done), 0);
        END IF;
        -- The entries before the rejected one were applied: delete them, keep the error.
        DELETE FROM "pgsync".sync_err_rec WHERE id = ANY (v_ids);
        PERFORM pg_catalog.set_config('pgsync.applied_rows', v_rows::text, true);
        RETURN v_good + COALESCE(pg_catalog.cardinality(v_done), 0);
    END IF;

    IF p_xact IS NULL THEN
        DELETE FROM "pgsync".sync_err_rec WHERE id = ANY (v_ids);
    ELSE
        DELETE FROM "pgsync".sync_pending AS p WHERE p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = ANY (v_ids);
    END IF;
    -- The rows the batch carried, for the caller's metrics (transaction-local).
    PERFORM pg_catalog.set_config('pgsync.applied_rows', v_rows::text, true);
    -- last_success is kept to the second: writing the state row at every commit would make
    -- concurrent committers wait for each other's row lock on it.
    -- (In a REPEATABLE READ or SERIALIZABLE writer, a concurrent committer may have written the
    -- row since its snapshot: its record of success will do, and the writer's commit goes on.)
    IF NOT EXISTS (SELECT 1 FROM "pgsync".dst_state AS s
                   WHERE s.dst_server = p_dst AND s.channel = p_channel AND s.last_error IS NULL
                     AND s.last_success > pg_catalog.clock_timestamp() - interval '1 second') THEN
        BEGIN
            INSERT INTO "pgsync".dst_state AS s (dst_server, channel, last_success)
            VALUES (p_dst, p_channel, pg_catalog.clock_timestamp())
            ON CONFLICT (dst_server, channel) DO UPDATE
                SET last_success = EXCLUDED.last_success, last_error = NULL, last_error_time = NULL,
                    last_error_entry = NULL, last_error_table = NULL;
        EXCEPTION WHEN serialization_failure OR unique_violation THEN
            NULL;
        END;
    END IF;
    RETURN pg_catalog.cardinality(v_ids) + COALESCE(pg_catalog.cardinality(v_done), 0);
END
$pgsync$;
-- It runs as its owner, whose user mappings hold the passwords: nobody else may call it unless a DBA grants it.
REVOKE ALL ON FUNCTION "pgsync".apply_pending(text, text, integer, boolean, xid8) FROM PUBLIC;

-- core/functions/170_resolve_applied.sql
-- Settles what a destination recorded in applied_entry for this node, transaction by
-- transaction, once the (local) transaction that applied it has ended:
-- - its entries still queued were applied (its local delete did not happen): they leave the
--   queue, never to be applied again;
-- - if it aborted, the rows of the keys its own Sync/Strict entries touched (sent before its
--   commit was certain) are restored on the destination from the source's committed rows,
--   read under a SHARE lock of the table so that no writer changes them meanwhile;
-- - once nothing of it is queued any more, its record is removed, so the record stays small.
-- Returns how many aborted transactions it restored. Best effort and bounded (locks wait at
-- most lock_timeout): what it cannot do now, it does at the next call. Called by the replay
-- worker about once a second and by deal_sync_err_rec.
CREATE OR REPLACE FUNCTION "pgsync".resolve_applied(p_dst text)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '200ms'
AS $pgsync$
DECLARE
    v_conn text := 'pgsync_' || p_dst;
    v_origin text;
    v_row record;
    v_aborted text[] := '{}';
    v_forget text[] := '{}';
    v_deleted integer;
    v_sql text;
    v_part text;
    v_function text;
    v_restored integer := 0;
    v_status text;
    v_incarnation constant bigint := "pgsync".current_incarnation(true);
    -- The oldest snapshot of any other session of this database (pg_stat_activity shows every
    -- backend's xmin): only this database's writers read its queue.
    v_horizon constant xid := (SELECT a.backend_xmin FROM pg_catalog.pg_stat_activity AS a
                               WHERE a.backend_xmin IS NOT NULL AND a.pid <> pg_catalog.pg_backend_pid()
                                 AND a.datname = pg_catalog.current_database()
                               ORDER BY pg_catalog.age(a.backend_xmin) DESC LIMIT 1);
    v_settled text[] := '{}'; -- restored: their keys need no restore again
    v_truncate text; -- the table a whole table's restore truncates first
    v_truncates text[] := '{}'; -- the tables they truncate, for one TRUNCATE of them all
    v_timeout interval; -- the session's pgsync.remote_timeout, else the node's commit_timeout
BEGIN
    SELECT n.origin, COALESCE("pgsync".remote_timeout(), n.commit_timeout) INTO v_origin, v_timeout FROM "pgsync".node AS n;
    PERFORM "pgsync".remote_connect(v_conn, p_dst);
    FOR v_row IN
        SELECT * FROM pg_catalog.json_to_recordset("pgsync".remote_query(v_conn, pg_catalog.format(
            'SELECT xact_id::text AS xact, incarnation, pg_catalog.array_agg(entry_id) AS ids, pg_catalog.array_agg(entry_time) AS times, pg_catalog.bool_or(nsp_name IS NOT NULL) AS has_own, pg_catalog.bool_or(in_savepoint) AS in_savepoint FROM %s WHERE origin = %L AND dst_server = %L GROUP BY xact_id, incarnation',
            ('"pgsync"' || '.applied_entry'), v_origin, p_dst), v_timeout)) AS t(xact text, incarnation bigint, ids bigint[], times bigint[], has_own boolean, in_savepoint boolean)
    LOOP
        BEGIN
            v_status := pg_catalog.pg_xact_status(v_row.xact::xid8);
        EXCEPTION WHEN invalid_parameter_value THEN
            v_status := 'aborted'; -- a transaction id this node never made durable (it crashed)
        END;
        -- (After a crash this very transaction may have been given the xid again.)
        IF v_row.xact::xid8 = pg_catalog.pg_current_xact_id_if_assigned() THEN
            v_status := 'aborted';
        END IF;
        CONTINUE WHEN v_status = 'in progress'; -- (also a prepared transaction)
        -- Applied before this node crashed: if it never committed, its xid may have been given
        -- again to a transaction that did. Its own keys are restored whatever the status says
        -- (a restore of a committed change rewrites the same rows).
        IF v_row.has_own AND (v_status IS DISTINCT FROM 'committed' OR v_row.incarnation <> v_incarnation OR v_row.in_savepoint) THEN
            v_aborted := v_aborted || v_row.xact;
        END IF;
        DELETE FROM "pgsync".sync_err_rec AS e
         USING ROWS FROM (pg_catalog.unnest(v_row.ids), pg_catalog.unnest(v_row.times)) AS d(id, entry_time)
         WHERE e.dst_server = p_dst AND e.id = d.id AND (EXTRACT(epoch FROM e.create_time) * 1000000)::bigint = d.entry_time;
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
        -- Forgotten only once no snapshot in this cluster is older than that transaction: a
        -- REPEATABLE READ writer that still sees its entries as queued must find them here.
        IF v_deleted = 0 AND (v_horizon IS NULL OR pg_catalog.age(v_row.xact::xid8::xid) > pg_catalog.age(v_horizon)) THEN
            v_forget := v_forget || v_row.xact;
        END IF;
    END LOOP;

    IF pg_catalog.cardinality(v_aborted) > 0 THEN
        BEGIN
            FOR v_row IN
                SELECT * FROM pg_catalog.json_to_recordset("pgsync".remote_query(v_conn, pg_catalog.format(
                    'SELECT nsp_name AS nsp, table_name AS tab, pg_catalog.bool_or(keys IS NULL) AS whole, pg_catalog.string_agg(pg_catalog.substr(keys, 2, pg_catalog.length(keys) - 2), '','') FILTER (WHERE pg_catalog.length(keys) > 2) AS keys FROM %s WHERE origin = %L AND dst_server = %L AND xact_id = ANY (%L::pg_catalog.xid8[]) AND nsp_name IS NOT NULL GROUP BY nsp_name, table_name ORDER BY nsp_name, table_name',
                    ('"pgsync"' || '.applied_entry'), v_origin, p_dst, v_aborted), v_timeout)) AS t(nsp text, tab text, whole boolean, keys text)
            LOOP
                SELECT r.restore_function INTO v_function FROM "pgsync".replicated_table AS r WHERE r.nsp_name = v_row.nsp AND r.table_name = v_row.tab;
                CONTINUE WHEN NOT FOUND; -- no longer replicated from here
                BEGIN
                    EXECUTE pg_catalog.format('LOCK TABLE %I.%I IN SHARE MODE', v_row.nsp, v_row.tab);
                    EXECUTE pg_catalog.format('SELECT %s.%I($1, $2)', '"pgsync"', v_function) INTO v_part
                      USING p_dst, CASE WHEN v_row.whole THEN NULL ELSE '[' || COALESCE(v_row.keys, '') || ']' END;
                EXCEPTION WHEN undefined_table OR undefined_function OR insufficient_privilege THEN
                    -- (The table was dropped or renamed, or is no longer replicated: nothing to restore.)
                    RAISE WARNING 'RoslynPgSync: cannot restore %.% on destination server "%": %', v_row.nsp, v_row.tab, p_dst, SQLERRM;
                    v_part := NULL;
                END;
                -- A whole table's restore starts with its TRUNCATE (a capture's TRUNCATE aborted): all of
                -- them go first, as ONE statement, because a destination refuses to truncate a table another
                -- one references by a foreign key unless both go in one statement (truncated_table;
                -- MultiTableTruncateTests). Its first statement is told as a queued entry is (truncated_table).
                -- (A second target of the table on this server keeps its own; so does a table whose quoted
                -- name holds a semicolon and a line break, where the first statement is not found.)
                v_truncate := CASE WHEN v_row.whole THEN "pgsync".truncated_table(NULL, pg_catalog.split_part(v_part, E';\n', 1)) END;
                IF v_truncate IS NOT NULL THEN
                    v_truncates := v_truncates || v_truncate;
                    v_part := NULLIF(pg_catalog.substr(v_part, pg_catalog.length('TRUNCATE ONLY ' || v_truncate) + 3), '');
                END IF;
                v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
            END LOOP;
            IF pg_catalog.cardinality(v_truncates) > 0 THEN
                v_sql := pg_catalog.concat_ws(E';\n', 'TRUNCATE ONLY ' || pg_catalog.array_to_string(v_truncates, ', '), v_sql);
            END IF;
            -- Not while a batch for that destination is being applied.
            PERFORM pg_catalog.pg_advisory_xact_lock(1346851673, pg_catalog.hashtext(p_dst));
            v_restored := pg_catalog.cardinality(v_aborted);
            v_settled := v_aborted;
        EXCEPTION WHEN lock_not_available THEN
            -- Writers or a replay hold the locks: restore at the next call, forget nothing aborted.
            v_sql := NULL;
            SELECT COALESCE(pg_catalog.array_agg(f), '{}') INTO v_forget FROM pg_catalog.unnest(v_forget) AS f WHERE f <> ALL (v_aborted);
        END;
    END IF;

    IF v_sql IS NULL AND pg_catalog.cardinality(v_forget) = 0 AND pg_catalog.cardinality(v_settled) = 0 THEN
        RETURN 0;
    END IF;
    -- The restore, and in the same transaction: restored records keep only what tells that
    -- their entries arrived (so that they are not restored again at every call while an old
    -- snapshot keeps them), and settled records go.
    -- (pgsync.restoring tells the destination's own triggers that these writes undo a change.)
    PERFORM "pgsync".remote_exec(v_conn,
        "pgsync".remote_begin() || '; SET LOCAL pgsync.restoring = on;' || E'\n'
        || COALESCE(v_sql || E';\n', '')
        || pg_catalog.format('UPDATE %s SET nsp_name = NULL, table_name = NULL, keys = NULL, in_savepoint = false WHERE origin = %L AND dst_server = %L AND xact_id = ANY (%L::pg_catalog.xid8[])', ('"pgsync"' || '.applied_entry'), v_origin, p_dst, v_settled)
        || E';\n'
        || pg_catalog.format('DELETE FROM %s WHERE origin = %L AND dst_server = %L AND xact_id = ANY (%L::pg_catalog.xid8[])', ('"pgsync"' || '.applied_entry'), v_origin, p_dst, v_forget)
        || E';\nCOMMIT', v_timeout);
    RETURN v_restored;
EXCEPTION WHEN query_canceled THEN
    -- (A cancel is no error WHEN OTHERS takes: the connection, maybe waiting for a result, goes too.)
    PERFORM "pgsync".remote_drop(v_conn);
    RAISE;
WHEN OTHERS THEN
    -- (A destination that is down: the replay records that; here nothing is changed.)
    PERFORM "pgsync".remote_drop(v_conn);
    RAISE WARNING 'RoslynPgSync: could not settle what destination server "%" applied: %', p_dst, SQLERRM;
    RETURN 0;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".resolve_applied(text) FROM PUBLIC;

-- core/functions/172_peers.sql
-- What this node knows of its destinations' identities (peer, 0008_forwarding.sql; each destination's
-- own is destination/015_node_identity.sql), which the forwarding capture and the apply check a
-- change's path against, so that no change goes back to a node it has been through.

-- Records destination p_dst's identity where it changed. The one writer of peer: the installer (with
-- the identity it read as it prepared the destination) and learn_peer.
-- Called as the installing role (the installer, and apply_pending and vacuum_applied as their owner).
CREATE OR REPLACE FUNCTION "pgsync".record_peer(p_dst text, p_identity text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    INSERT INTO "pgsync".peer AS p (dst_server, identity) VALUES (p_dst, p_identity)
    ON CONFLICT (dst_server) DO UPDATE SET identity = EXCLUDED.identity WHERE p.identity IS DISTINCT FROM EXCLUDED.identity;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".record_peer(text, text) FROM PUBLIC;

-- Destination p_dst's identity as it is now, read over the replication's connection p_conn (opened
-- if it is not), and recorded (record_peer); NULL when it cannot be read (the destination is down,
-- or has no identity: a RoslynPgSync older than forwarding), the connection then dropped. Never
-- raises. Called by apply_pending, when a batch holds forwarded entries for a destination whose
-- identity is not known yet, and by vacuum_applied, in the hosted worker's upkeep of each destination.
CREATE OR REPLACE FUNCTION "pgsync".learn_peer(p_conn text, p_dst text, p_timeout interval)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_identity text;
BEGIN
    PERFORM "pgsync".remote_connect(p_conn, p_dst);
    SELECT t.identity INTO v_identity
      FROM json_to_recordset("pgsync".remote_query(p_conn, 'SELECT identity FROM ' || '"pgsync"' || '.node_identity', p_timeout)) AS t(identity text);
    IF v_identity IS NOT NULL THEN
        PERFORM "pgsync".record_peer(p_dst, v_identity);
    END IF;
    RETURN v_identity;
EXCEPTION WHEN query_canceled THEN
    PERFORM "pgsync".remote_drop(p_conn); -- (a cancel still cancels; the connection goes with it)
    RAISE;
WHEN OTHERS THEN
    PERFORM "pgsync".remote_drop(p_conn);
    RETURN NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".learn_peer(text, text, interval) FROM PUBLIC;

-- core/functions/175_vacuum_applied.sql
-- Vacuums a destination's record of applied entries (applied_entry) over the replication's own
-- connection to it: every applied entry writes a row there and resolve_applied deletes it a few
-- seconds later, so at a steady write rate the table is all churn. The destination's autovacuum
-- cannot be relied on for it: its counts of dead rows restart from zero after every crash or
-- immediate shutdown of the destination, and between its rounds (a minute apart by default) every
-- resolve_applied reads the dead rows too. The replay worker calls this every 10 seconds per
-- destination, as it vacuums the local queue. Best effort: false when the destination is down or
-- the connection is inside a transaction (then the next call tries again). SKIP_LOCKED: a vacuum
-- of it in progress elsewhere is as good. (A role that does not own the table gets PostgreSQL's
-- warning that it was skipped; the vacuum is then the destination DBA's.)
-- On the same connection it also learns the destination's identity (learn_peer, 172_peers.sql): a
-- node installed from the script, or a destination whose RoslynPgSync schema was made again, is known
-- by the time of the worker's next round, so that no forwarded change goes back to it. (A destination
-- without one, older than forwarding, is vacuumed all the same.)
CREATE OR REPLACE FUNCTION "pgsync".vacuum_applied(p_dst text)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_conn text := 'pgsync_' || p_dst;
    v_timeout interval;
BEGIN
    SELECT COALESCE("pgsync".remote_timeout(), n.commit_timeout) INTO v_timeout FROM "pgsync".node AS n;
    PERFORM "pgsync".remote_connect(v_conn, p_dst);
    PERFORM "pgsync".remote_exec(v_conn, 'VACUUM (SKIP_LOCKED) ' || '"pgsync"' || '.applied_entry', v_timeout);
    PERFORM "pgsync".learn_peer(v_conn, p_dst, v_timeout);
    RETURN true;
EXCEPTION WHEN query_canceled THEN
    PERFORM "pgsync".remote_drop(v_conn); -- (a cancel still cancels; the connection goes with it)
    RAISE;
WHEN OTHERS THEN
    PERFORM "pgsync".remote_drop(v_conn);
    RETURN false;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".vacuum_applied(text) FROM PUBLIC;

-- core/functions/180_skip_entry.sql
-- The documented way past an entry a destination will never accept: moves it from the queue
-- to the skipped table with the error that stopped it, clears that error and wakes the
-- workers to go on with the entries after it. Raises when the entry is not queued.
CREATE OR REPLACE FUNCTION "pgsync".skip_entry(p_id bigint)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_dst text;
    v_channel text;
    v_entry record;
BEGIN
    SELECT e.dst_server, e.channel INTO v_dst, v_channel FROM "pgsync".sync_err_rec AS e WHERE e.id = p_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'RoslynPgSync: queue entry % does not exist (already applied or skipped?)', p_id;
    END IF;
    -- Not while a batch of that stream is being applied.
    PERFORM "pgsync".lock_stream(v_dst, v_channel);
    DELETE FROM "pgsync".sync_err_rec AS e WHERE e.id = p_id RETURNING e.* INTO v_entry;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'RoslynPgSync: queue entry % was applied meanwhile', p_id;
    END IF;
    INSERT INTO "pgsync".skipped_entry (id, nsp_name, table_name, dst_server, channel, dst_query, create_time, mode, row_count, error)
    SELECT v_entry.id, v_entry.nsp_name, v_entry.table_name, v_entry.dst_server, v_entry.channel,
           "pgsync".entry_sql(v_entry.op, v_entry.statement, v_entry.dst_query),
           v_entry.create_time, v_entry.mode, v_entry.row_count,
           (SELECT s.last_error FROM "pgsync".dst_state AS s WHERE s.dst_server = v_dst AND s.channel = v_channel AND s.last_error_entry = p_id);
    UPDATE "pgsync".dst_state AS s SET last_error = NULL, last_error_time = NULL, last_error_entry = NULL, last_error_table = NULL
     WHERE s.dst_server = v_dst AND s.channel = v_channel AND s.last_error_entry = p_id;
    PERFORM pg_catalog.pg_notify('pgsync', 'retry:' || v_dst);
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".skip_entry(bigint) FROM PUBLIC;

-- core/functions/185_queued_streams.sql
-- The streams (a destination's channels) that have entries queued, each with its oldest entry's id:
-- found on the (dst_server, channel, id) index, one probe per stream (a skip scan), not a pass over
-- the whole queue, so the cost stays the same however deep the backlog is. deal_sync_err_rec takes
-- both its destinations and its streams from it, and the replay worker the channels it drains
-- (PgSyncQueue.QueuedChannels).
CREATE OR REPLACE FUNCTION "pgsync".queued_streams()
RETURNS TABLE (dst_server text, channel text, first_id bigint)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $pgsync$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH RECURSIVE d(dst_server, channel) AS (
        (SELECT e.dst_server, e.channel FROM "pgsync".sync_err_rec AS e ORDER BY e.dst_server, e.channel LIMIT 1)
        UNION ALL
        SELECT n.dst_server, n.channel FROM d
         CROSS JOIN LATERAL (SELECT e.dst_server, e.channel FROM "pgsync".sync_err_rec AS e
                              WHERE (e.dst_server, e.channel) OPERATOR(pg_catalog.>) (d.dst_server, d.channel)
                              ORDER BY e.dst_server, e.channel LIMIT 1) AS n)
    SELECT d.dst_server, d.channel, first.id FROM d
     CROSS JOIN LATERAL (SELECT e.id FROM "pgsync".sync_err_rec AS e
                          WHERE e.dst_server = d.dst_server AND e.channel = d.channel ORDER BY e.id LIMIT 1) AS first;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".queued_streams() FROM PUBLIC;

-- core/functions/190_deal_sync_err_rec.sql
-- The seed's replay function: applies up to i_limit of the oldest entries, stream by stream
-- (destination and channel, oldest first), and returns how many it applied. A stream that fails
-- keeps its entries and does not hold back the others; a stream that another session is applying
-- is left to it.
CREATE OR REPLACE FUNCTION "pgsync".deal_sync_err_rec(i_limit integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_dst text;
    v_stream record;
    v_total integer := 0;
    v_applied integer;
BEGIN
    -- First what destinations applied and this node did not settle (see resolve_applied): every
    -- destination this node replicates to (its foreign servers carry application_name pgsync:...),
    -- and any the queue names (queued_streams: a skip scan, not a pass over the whole queue).
    FOR v_dst IN
        SELECT s.dst_server FROM "pgsync".dst_state AS s
        UNION SELECT q.dst_server FROM "pgsync".queued_streams() AS q
        UNION SELECT f.srvname::text FROM pg_catalog.pg_foreign_server AS f
               WHERE EXISTS (SELECT 1 FROM pg_catalog.unnest(f.srvoptions) AS o WHERE o LIKE 'application_name=pgsync:%')
                 AND pg_catalog.has_server_privilege(f.oid, 'USAGE')
    LOOP
        PERFORM "pgsync".resolve_applied(v_dst);
    END LOOP;
    -- The streams with entries (a destination's channels), oldest head first.
    FOR v_stream IN
        SELECT q.dst_server, q.channel FROM "pgsync".queued_streams() AS q ORDER BY q.first_id
    LOOP
        EXIT WHEN v_total >= i_limit;
        -- A stream another session is applying (the worker) is left to it: waiting for it here would
        -- hold back the streams this call applied before, whose locks it keeps until it returns.
        CONTINUE WHEN NOT "pgsync".try_lock_stream(v_stream.dst_server, v_stream.channel);
        -- Batch after batch (each bounded by pgsync.batch_bytes too): up to i_limit entries in all,
        -- until the stream has none left or takes none.
        LOOP
            v_applied := "pgsync".apply_pending(v_stream.dst_server, v_stream.channel, i_limit - v_total, false, NULL);
            v_total := v_total + v_applied;
            EXIT WHEN v_applied = 0 OR v_total >= i_limit;
        END LOOP;
    END LOOP;
    RETURN v_total;
END
$pgsync$;
-- Operators may be granted it: GRANT EXECUTE ON FUNCTION "pgsync".deal_sync_err_rec(integer) TO ...
REVOKE ALL ON FUNCTION "pgsync".deal_sync_err_rec(integer) FROM PUBLIC;

-- core/functions/200_flush_at_commit.sql
-- Sync and Strict entries are sent when their transaction commits (this deferred trigger on
-- sync_pending fires for each of them; the first of a stream sends them all), after
-- anything older in the same stream (the destination's channel; other channels' entries have no
-- order with them, so another channel's backlog or copy does not hold them back). When nothing is
-- queued in the stream they
-- go alone and without the destination's lock: the row locks the transaction holds until
-- its commit already order it after every transaction that changed the same rows
-- (TRUNCATE: the table lock), so concurrent committers need not wait for each other's
-- round trip. They go alone, too, when all that is queued is chunks of initial copies
-- (copy_chunk) of tables this transaction's entries for the destination do not touch: a
-- chunk holds only its own table's rows, read under FOR SHARE, so it has no order with a
-- change to another table (a change to one of its rows waited for it, touches its table and
-- goes behind it). A destination constraint across tables (a foreign key to a row still in a
-- queued chunk) makes that send fail: Sync then queues the entries behind the chunk like any
-- failure, Strict tries again in order behind it. Otherwise, and when they fail, they move
-- into the queue in order; there the ordered, locked path sends the older entries first
-- (Sync leaves a large backlog to the replay worker). Sync keeps what fails queued; Strict
-- fails the commit. For PREPARE TRANSACTION, never the ordered path (v_prepare below).
CREATE OR REPLACE FUNCTION "pgsync".flush_at_commit()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_failed boolean := false;
    v_strict boolean;
    -- The worker is woken (NOTIFY) for what stays queued, but not by a flush for PREPARE TRANSACTION:
    -- PostgreSQL refuses to prepare a transaction that sent a NOTIFY, and Sync's commit must go on while
    -- its destination is down (the worker finds the entries at its next poll, PgSyncHostOptions.PollInterval).
    -- A flush for PREPARE TRANSACTION is told by the client's query string holding that statement at
    -- its start or after a semicolon (as in 'BEGIN; ...; PREPARE TRANSACTION x'), not by the words
    -- anywhere (a Sync write of the text 'prepare transaction' is a commit, and was once taken for a
    -- PREPARE). An implicit commit at the end of an extended-protocol statement has no query string:
    -- not a PREPARE, which is always a statement of its own.
    v_wake constant boolean := NOT COALESCE(pg_catalog.current_query() OPERATOR(pg_catalog.~*) '(^|;)\s*prepare\s+transaction\y', false);
    -- A flush for PREPARE TRANSACTION never takes the ordered path (the stream's lock, and the older
    -- entries it would apply and delete): PostgreSQL hands a transaction-level lock, and the row locks
    -- of those deletes, on to the prepared transaction, which would hold the worker and every other
    -- committer of the stream until COMMIT PREPARED, maybe much later. Behind a backlog, a Sync
    -- transaction's entries stay queued (the worker sends them once COMMIT PREPARED makes them
    -- visible; ROLLBACK PREPARED takes them away); a Strict one cannot be both prepared and sent in
    -- order, and its PREPARE fails.
    v_prepare constant boolean := NOT v_wake;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM "pgsync".sync_pending AS p
                   WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server AND p.channel = NEW.channel AND p.id = NEW.id) THEN
        RETURN NULL; -- sent, or moved into the queue, with an earlier entry of this transaction
    END IF;
    -- A REPEATABLE READ or SERIALIZABLE transaction does not see what was queued after its snapshot
    -- was taken. A chunk of an initial copy or a repair of one of its tables holds row images read
    -- under a lock, not an update, so it gives this transaction no serialization failure of its own,
    -- and this change could go ahead of it; so could another commit's entries of one of its tables
    -- left queued (its destination was down), such as a DELETE of a key this transaction inserts
    -- again. All of them update their table's replicated_table row: locking those rows here raises
    -- the serialization failure (40001) the application retries instead.
    -- (READ COMMITTED reads the queue as it is now and needs none of it.)
    IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed' THEN
        PERFORM 1 FROM "pgsync".replicated_table AS r
         WHERE (r.nsp_name, r.table_name) IN (SELECT p.nsp_name, p.table_name FROM "pgsync".sync_pending AS p
                                               WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server AND p.channel = NEW.channel)
           FOR SHARE OF r;
    END IF;
    -- Strict when any of the transaction's entries for this destination is, whatever the
    -- order of its statements: a Sync entry first must not let a Strict one commit unsent.
    v_strict := EXISTS (SELECT 1 FROM "pgsync".sync_pending AS p
                        WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server AND p.channel = NEW.channel AND p.mode = 't');
    IF NOT EXISTS (SELECT 1 FROM "pgsync".sync_err_rec AS e WHERE e.dst_server = NEW.dst_server AND e.channel = NEW.channel) THEN
        IF "pgsync".apply_pending(NEW.dst_server, NEW.channel, 2147483647, v_strict, NEW.xact_id) > 0 THEN
            RETURN NULL;
        END IF;
        v_failed := true; -- (Strict raised instead)
    ELSIF NOT EXISTS (
        -- Something queued that this transaction's entries must follow: any entry but a copy
        -- chunk, or a chunk of a table they touch. (Only asked when the queue is not empty.)
        SELECT 1 FROM "pgsync".sync_err_rec AS e
         WHERE e.dst_server = NEW.dst_server AND e.channel = NEW.channel
           AND NOT EXISTS (SELECT 1 FROM "pgsync".copy_chunk AS k
                            WHERE k.entry_id = e.id
                              AND NOT EXISTS (SELECT 1 FROM "pgsync".sync_pending AS p
                                               WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server AND p.channel = NEW.channel
                                                 AND p.nsp_name = k.nsp_name AND p.table_name = k.table_name))) THEN
        -- Only other tables' copy chunks: around them, not strict (a refusal may be a constraint
        -- on a row a queued chunk brings, so Strict tries again behind the chunks before failing).
        IF "pgsync".apply_pending(NEW.dst_server, NEW.channel, 2147483647, false, NEW.xact_id) > 0 THEN
            RETURN NULL;
        END IF;
        v_failed := NOT v_strict;
    END IF;
    IF v_prepare AND v_strict AND NOT v_failed THEN
        RAISE EXCEPTION 'RoslynPgSync: a Strict transaction cannot be prepared while older changes are queued for destination server "%"%', NEW.dst_server,
            CASE WHEN NEW.channel = '' THEN '' ELSE pg_catalog.format(' (channel "%s")', NEW.channel) END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Its changes must go after them, and sending them would hold the replication of that destination until COMMIT PREPARED. Prepare it again once the queue is drained (pgsync.status), or commit it without two-phase commit.';
    END IF;
    WITH moved AS (
        DELETE FROM "pgsync".sync_pending AS p WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server AND p.channel = NEW.channel RETURNING p.*)
    INSERT INTO "pgsync".sync_err_rec (id, nsp_name, table_name, dst_server, channel, dst_query, create_time, mode, row_count, xact_id, keys, op, statement)
    OVERRIDING SYSTEM VALUE
    SELECT m.id, m.nsp_name, m.table_name, m.dst_server, m.channel, m.dst_query, m.create_time, m.mode, m.row_count, m.xact_id, m.keys, m.op, m.statement
      FROM moved AS m ORDER BY m.id;
    IF v_failed OR v_prepare THEN
        -- The destination just failed (recorded in dst_state): not again in this commit. (For PREPARE
        -- TRANSACTION, which sends no NOTIFY, see v_prepare.)
        IF v_wake THEN
            PERFORM pg_catalog.pg_notify('pgsync', NEW.dst_server);
        END IF;
    ELSIF NOT v_strict AND EXISTS (
        SELECT 1 FROM "pgsync".sync_err_rec AS e WHERE e.dst_server = NEW.dst_server AND e.channel = NEW.channel AND e.id < NEW.id OFFSET 1000) THEN
        IF v_wake THEN
            PERFORM pg_catalog.pg_notify('pgsync', NEW.dst_server);
        END IF;
    ELSIF "pgsync".apply_pending(NEW.dst_server, NEW.channel, 2147483647, v_strict, NULL) = 0 AND NOT v_strict AND v_wake THEN
        PERFORM pg_catalog.pg_notify('pgsync', NEW.dst_server);
    END IF;
    -- The tables of the entries that stay queued are marked at the end of the commit
    -- (205_mark_queued.sql): a REPEATABLE READ or SERIALIZABLE writer of one of them whose snapshot is
    -- older then fails to serialize (above), instead of sending its change ahead of these. (Only for
    -- entries still queued: those this flush applied are on the destination already, ahead of any
    -- later change. A mark is an update of the table's replicated_table row, so a transaction
    -- prepared with entries queued holds it until COMMIT PREPARED.)
    INSERT INTO "pgsync".queued_mark (xact_id, nsp_name, table_name)
    SELECT DISTINCT NEW.xact_id, e.nsp_name, e.table_name FROM "pgsync".sync_err_rec AS e
     WHERE e.xact_id = NEW.xact_id AND e.dst_server = NEW.dst_server AND e.channel = NEW.channel
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$pgsync$;
-- (A trigger needs no EXECUTE right to fire.)
REVOKE ALL ON FUNCTION "pgsync".flush_at_commit() FROM PUBLIC;

-- core/functions/205_mark_queued.sql
-- Marks the tables whose Sync or Strict entries this transaction leaves in the queue (its destination
-- was down, or a backlog was ahead of them), as an initial copy's chunk marks its table (copy_queued):
-- it updates their replicated_table rows. A REPEATABLE READ or SERIALIZABLE writer of such a table
-- whose snapshot predates this commit cannot see the entries queued, and a change of its own (an
-- INSERT of a key they delete) may raise no conflict of PostgreSQL's; it locks those rows at its own
-- commit (flush_at_commit) and gets a serialization failure instead of sending its change ahead of them.
-- This deferred trigger on queued_mark fires after every flush of the transaction (the flushes queue
-- the tables while they run, so their events come after the flushes' own), so the marks are the last
-- locks the transaction takes: a committer that holds one waits for nothing more, and committers that
-- mark the same tables wait for each other in turn, never in a cycle (a mark made in the flushes'
-- order deadlocked writers during a destination's outage, against the queue's state row). All of the
-- transaction's tables at its first event, in the tables' order; its later events find nothing left.
CREATE OR REPLACE FUNCTION "pgsync".mark_queued()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_tables text[];
BEGIN
    WITH done AS (DELETE FROM "pgsync".queued_mark AS m WHERE m.xact_id = NEW.xact_id RETURNING m.nsp_name, m.table_name)
    SELECT pg_catalog.array_agg(pg_catalog.format('%I.%I', d.nsp_name, d.table_name)) INTO v_tables FROM done AS d;
    IF v_tables IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM "pgsync".replicated_table AS r
     WHERE pg_catalog.format('%I.%I', r.nsp_name, r.table_name) = ANY (v_tables)
     ORDER BY r.nsp_name, r.table_name
       FOR UPDATE OF r;
    UPDATE "pgsync".replicated_table AS r SET restore_function = r.restore_function
     WHERE pg_catalog.format('%I.%I', r.nsp_name, r.table_name) = ANY (v_tables);
    RETURN NULL;
END
$pgsync$;
-- (A trigger needs no EXECUTE right to fire.)
REVOKE ALL ON FUNCTION "pgsync".mark_queued() FROM PUBLIC;

-- core/functions/210_option_changes.sql
-- The ALTER ... OPTIONS clauses that turn p_have (key=value, as pg_foreign_server.srvoptions
-- holds them) into p_want: SET what differs, ADD what is missing, DROP what p_managed names
-- and p_want no longer asks for; options nobody manages (a DBA's) stay. NULL: nothing to do.
CREATE OR REPLACE FUNCTION "pgsync".option_changes(p_have text[], p_want text[], p_managed text[])
RETURNS text
LANGUAGE sql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $pgsync$
    WITH have AS (
        SELECT pg_catalog.split_part(o, '=', 1) AS k, pg_catalog.substr(o, pg_catalog.strpos(o, '=') + 1) AS v
          FROM pg_catalog.unnest(p_have) AS o),
    want AS (
        SELECT pg_catalog.split_part(o, '=', 1) AS k, pg_catalog.substr(o, pg_catalog.strpos(o, '=') + 1) AS v, n
          FROM pg_catalog.unnest(p_want) WITH ORDINALITY AS w(o, n))
    SELECT pg_catalog.string_agg(c, ', ' ORDER BY n) FROM (
        SELECT w.n, CASE WHEN h.k IS NULL THEN 'ADD ' ELSE 'SET ' END
                    || pg_catalog.quote_ident(w.k) || ' ' || pg_catalog.quote_literal(w.v) AS c
          FROM want AS w LEFT JOIN have AS h ON h.k = w.k
         WHERE h.v IS DISTINCT FROM w.v
        UNION ALL
        SELECT 2147483647, 'DROP ' || pg_catalog.quote_ident(h.k)
          FROM have AS h
         WHERE h.k = ANY (p_managed) AND NOT EXISTS (SELECT 1 FROM want AS w WHERE w.k = h.k)) AS changes
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".option_changes(text[], text[], text[]) FROM PUBLIC;

-- core/functions/220_set_node.sql
-- This node's row (see schema/060_node.sql): its origin is made once, from the node name and a
-- random part; its commit_timeout is the installer's (PgSyncOptions.CommitTimeout), written only
-- when it changed.
CREATE OR REPLACE FUNCTION "pgsync".set_node(p_name text, p_commit_timeout interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    INSERT INTO "pgsync".node AS n (origin, commit_timeout)
    VALUES (p_name || '/' || pg_catalog.gen_random_uuid(), p_commit_timeout)
    ON CONFLICT (singleton) DO UPDATE SET commit_timeout = EXCLUDED.commit_timeout
     WHERE n.commit_timeout IS DISTINCT FROM EXCLUDED.commit_timeout;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".set_node(text, interval) FROM PUBLIC;

-- core/functions/230_enqueue.sql
-- The entry points the generated capture functions write through: enqueue (one entry, for one
-- destination, of the statement being captured) and enqueue_rows (a statement's rows, as entries
-- of bounded size). Capture code knows these signatures and nothing of the tables behind them, so
-- that a later runtime can change the queue without applications being rebuilt.
-- p_mode: 'a' Async (into the queue; the replay worker is woken at commit), 's' Sync or 't' Strict
-- (into sync_pending under the writer's top-level transaction, sent by flush_at_commit).
-- p_keys: Sync/Strict, the JSON array of the keys the entry touches (NULL: the whole table).
-- Each entry carries its source transaction (xact_id, the column's default for Async; given for
-- Sync/Strict), which the apply follows so that a batch takes the transaction whole
-- (0006_xact_closure.sql).
-- Called by the capture functions, which run as the installing role; nobody else may call them.
-- No SET search_path: they are not SECURITY DEFINER, their callers (SECURITY DEFINER capture
-- functions) have pinned the path already, and every name in them is qualified; a SET clause would
-- cost every captured statement a configuration save and restore.
-- p_channel: the stream within the destination ('' its default channel, see 0005_channels.sql).
-- p_path: a forwarded change's path (0008_forwarding.sql); NULL for this node's own writes.
-- A transaction that queues an entry commits durably: with synchronous_commit = off (any session, role
-- or database may set it) its commit returns before its WAL reaches the disk, the replay may apply
-- its entries meanwhile, and a crash of the source then loses a commit the destination keeps. So
-- an entry queued while it is off sets synchronous_commit = on for the rest of the transaction
-- (SET LOCAL; other values flush the commit locally already and are kept), and records the
-- transaction in durable_mark (once), whose deferred trigger sets it again at the commit: a write
-- inside a function declared with its own SET synchronous_commit sees its SET LOCAL undone when that
-- function returns (0011_durable_mark.sql). A transaction that sets it off again after its last
-- replicated write, while it was on then, is not covered (docs/how-it-works.md, Known limits).
CREATE OR REPLACE FUNCTION "pgsync".durable_commit()
RETURNS void
LANGUAGE plpgsql
AS $pgsync$
BEGIN
    IF pg_catalog.current_setting('synchronous_commit') OPERATOR(pg_catalog.=) 'off' THEN
        PERFORM pg_catalog.set_config('synchronous_commit', 'on', true);
        INSERT INTO "pgsync".durable_mark (xact_id) VALUES (pg_catalog.pg_current_xact_id()) ON CONFLICT DO NOTHING;
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".durable_commit() FROM PUBLIC;

-- durable_mark's deferred trigger: at the commit of a transaction durable_commit recorded, its commit
-- is made durable (set where no function's SET clause is in force), and the record goes.
CREATE OR REPLACE FUNCTION "pgsync".durable_at_commit()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    IF pg_catalog.current_setting('synchronous_commit') OPERATOR(pg_catalog.=) 'off' THEN
        PERFORM pg_catalog.set_config('synchronous_commit', 'on', true);
    END IF;
    DELETE FROM "pgsync".durable_mark AS m WHERE m.xact_id = NEW.xact_id;
    RETURN NULL;
END
$pgsync$;
-- (A trigger needs no EXECUTE right to fire.)
REVOKE ALL ON FUNCTION "pgsync".durable_at_commit() FROM PUBLIC;

CREATE OR REPLACE FUNCTION "pgsync".enqueue(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char", p_rows bigint, p_sql text, p_keys text, p_path text)
RETURNS void
LANGUAGE plpgsql
AS $pgsync$
BEGIN
    PERFORM "pgsync".durable_commit();
    IF p_mode OPERATOR(pg_catalog.=) 'a' THEN
        INSERT INTO "pgsync".sync_err_rec (nsp_name, table_name, dst_server, channel, mode, row_count, dst_query, path)
        VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, p_rows, p_sql, p_path);
        PERFORM pg_catalog.pg_notify('pgsync', p_dst);
    ELSE
        INSERT INTO "pgsync".sync_pending (nsp_name, table_name, dst_server, channel, mode, row_count, xact_id, keys, dst_query)
        VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, p_rows, pg_catalog.pg_current_xact_id(), p_keys, p_sql);
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".enqueue(text, text, text, text, "char", bigint, text, text, text) FROM PUBLIC;
-- (Capture generated before forwarding: its own writes.)
CREATE OR REPLACE FUNCTION "pgsync".enqueue(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char", p_rows bigint, p_sql text, p_keys text)
RETURNS void
LANGUAGE sql
AS $pgsync$
    SELECT "pgsync".enqueue(p_nsp, p_table, p_dst, p_channel, p_mode, p_rows, p_sql, p_keys, NULL)
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".enqueue(text, text, text, text, "char", bigint, text, text) FROM PUBLIC;
-- (Capture generated before channels: the destination's default channel.)
CREATE OR REPLACE FUNCTION "pgsync".enqueue(p_nsp text, p_table text, p_dst text, p_mode "char", p_rows bigint, p_sql text, p_keys text)
RETURNS void
LANGUAGE sql
AS $pgsync$
    SELECT "pgsync".enqueue(p_nsp, p_table, p_dst, '', p_mode, p_rows, p_sql, p_keys)
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".enqueue(text, text, text, "char", bigint, text, text) FROM PUBLIC;

-- A captured row whose JSON passes 256 MiB (enqueue_rows, enqueue_row) fails its statement, saying so.
CREATE OR REPLACE FUNCTION "pgsync".row_too_large(p_nsp text, p_table text, p_dst text, p_bytes bigint)
RETURNS void
LANGUAGE plpgsql
AS $pgsync$
BEGIN
    RAISE EXCEPTION 'RoslynPgSync: a row of %.% is too large to replicate to "%": % bytes as JSON, more than 256 MiB',
        pg_catalog.quote_ident(p_nsp), pg_catalog.quote_ident(p_table), p_dst, p_bytes
        USING ERRCODE = 'program_limit_exceeded',
              HINT = 'Changes travel as SQL text, which PostgreSQL limits to 1 GB. The statement changed nothing.';
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".row_too_large(text, text, text, bigint) FROM PUBLIC;

-- A captured statement's rows, read from p_rows (a cursor over the capture's transition tables:
-- phase 0, the key of a row the destination deletes, as JSON in j; phase 1, a row it upserts, as
-- JSON in j and, for Sync/Strict, its key in k; all deletes before all upserts), become remote
-- statements (prefix || the rows as one JSON array literal || suffix) in entries of about
-- pgsync.entry_bytes of row data each (8 MiB unless the session sets it): a statement of millions
-- of rows is queued as many entries of one transaction, which the apply sends in one remote
-- transaction, rather than as one text past PostgreSQL's 1 GB limit. Rows are read one at a time,
-- so the capture holds one entry's rows at most. A single row whose JSON passes 256 MiB cannot be
-- sent as SQL text: the statement fails, before it changes anything, saying so.
-- p_path: as enqueue's.
CREATE OR REPLACE FUNCTION "pgsync".enqueue_rows(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char",
    p_delete_prefix text, p_delete_suffix text, p_upsert_prefix text, p_upsert_suffix text, p_rows refcursor, p_path text)
RETURNS void
LANGUAGE plpgsql
AS $pgsync$
DECLARE
    v_bound constant bigint := COALESCE(
        (SELECT s.v::bigint FROM (SELECT pg_catalog.current_setting('pgsync.entry_bytes', true) AS v) AS s
          WHERE s.v OPERATOR(pg_catalog.~) '^\s*[1-9][0-9]{0,17}\s*$'), 8388608);
    v_phase integer;
    v_j text;
    v_k text;
    v_end boolean;
    v_part integer; -- the phase of the rows in v_parts (NULL: none)
    v_parts text[] := '{}';
    v_keys text[] := '{}';
    v_sql text; -- the entry's statements so far
    v_rows bigint := 0;
    v_bytes bigint := 0;
BEGIN
    LOOP
        FETCH p_rows INTO v_phase, v_j, v_k;
        v_end := NOT FOUND;
        -- The rows gathered become a statement when the phase changes, at the bound and at the end;
        -- the entry is queued at the bound and at the end (a DELETE and its UPSERT share one entry).
        IF v_part IS NOT NULL AND (v_end OR v_phase OPERATOR(pg_catalog.<>) v_part OR v_bytes OPERATOR(pg_catalog.>=) v_bound) THEN
            v_sql := pg_catalog.concat_ws(E';\n', v_sql,
                CASE WHEN v_part OPERATOR(pg_catalog.=) 0 THEN p_delete_prefix ELSE p_upsert_prefix END
                OPERATOR(pg_catalog.||) pg_catalog.quote_literal('[' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(v_parts, ', ') OPERATOR(pg_catalog.||) ']')
                OPERATOR(pg_catalog.||) CASE WHEN v_part OPERATOR(pg_catalog.=) 0 THEN p_delete_suffix ELSE p_upsert_suffix END);
            v_parts := '{}';
            v_part := NULL;
            IF v_end OR v_bytes OPERATOR(pg_catalog.>=) v_bound THEN
                PERFORM "pgsync".enqueue(p_nsp, p_table, p_dst, p_channel, p_mode, v_rows, v_sql,
                    CASE WHEN p_mode OPERATOR(pg_catalog.<>) 'a' THEN '[' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(v_keys, ', ') OPERATOR(pg_catalog.||) ']' END, p_path);
                v_sql := NULL;
                v_rows := 0;
                v_bytes := 0;
                v_keys := '{}';
            END IF;
        END IF;
        EXIT WHEN v_end;
        IF pg_catalog.octet_length(v_j) OPERATOR(pg_catalog.>) 268435456 THEN
            PERFORM "pgsync".row_too_large(p_nsp, p_table, p_dst, pg_catalog.octet_length(v_j));
        END IF;
        v_part := v_phase;
        v_parts := v_parts OPERATOR(pg_catalog.||) v_j;
        v_bytes := v_bytes OPERATOR(pg_catalog.+) pg_catalog.octet_length(v_j);
        v_rows := v_rows OPERATOR(pg_catalog.+) 1;
        IF p_mode OPERATOR(pg_catalog.<>) 'a' THEN
            v_keys := v_keys OPERATOR(pg_catalog.||) COALESCE(v_k, v_j);
        END IF;
    END LOOP;
    CLOSE p_rows;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".enqueue_rows(text, text, text, text, "char", text, text, text, text, refcursor, text) FROM PUBLIC;
-- (Capture generated before forwarding: its own writes.)
CREATE OR REPLACE FUNCTION "pgsync".enqueue_rows(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char",
    p_delete_prefix text, p_delete_suffix text, p_upsert_prefix text, p_upsert_suffix text, p_rows refcursor)
RETURNS void
LANGUAGE sql
AS $pgsync$
    SELECT "pgsync".enqueue_rows(p_nsp, p_table, p_dst, p_channel, p_mode, p_delete_prefix, p_delete_suffix, p_upsert_prefix, p_upsert_suffix, p_rows, NULL)
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".enqueue_rows(text, text, text, text, "char", text, text, text, text, refcursor) FROM PUBLIC;
-- (Capture generated before channels: the destination's default channel.)
CREATE OR REPLACE FUNCTION "pgsync".enqueue_rows(p_nsp text, p_table text, p_dst text, p_mode "char",
    p_delete_prefix text, p_delete_suffix text, p_upsert_prefix text, p_upsert_suffix text, p_rows refcursor)
RETURNS void
LANGUAGE sql
AS $pgsync$
    SELECT "pgsync".enqueue_rows(p_nsp, p_table, p_dst, '', p_mode, p_delete_prefix, p_delete_suffix, p_upsert_prefix, p_upsert_suffix, p_rows)
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".enqueue_rows(text, text, text, "char", text, text, text, text, refcursor) FROM PUBLIC;

-- A captured statement of one row (most OLTP writes; the capture reads the row itself, so no
-- cursor and no row loop), as compact entries (0007_compact_entries.sql): p_gone, the key the
-- destination deletes (a DELETE, or an UPDATE that changed the key or left the filter), then
-- p_row, the row it upserts, each as JSON, naming p_statement, the target's remote statements
-- (register_statement); p_key: for Sync/Strict, that row's key. Neither: nothing is queued.
-- p_path: as enqueue's.
CREATE OR REPLACE FUNCTION "pgsync".enqueue_change(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char",
    p_statement text, p_gone text, p_row text, p_key text, p_path text)
RETURNS void
LANGUAGE plpgsql
AS $pgsync$
BEGIN
    IF pg_catalog.octet_length(p_gone) OPERATOR(pg_catalog.>) 268435456 OR pg_catalog.octet_length(p_row) OPERATOR(pg_catalog.>) 268435456 THEN
        PERFORM "pgsync".row_too_large(p_nsp, p_table, p_dst, GREATEST(pg_catalog.octet_length(p_gone), pg_catalog.octet_length(p_row)));
    END IF;
    PERFORM "pgsync".durable_commit();
    IF p_mode OPERATOR(pg_catalog.=) 'a' THEN
        IF p_gone IS NOT NULL THEN
            INSERT INTO "pgsync".sync_err_rec (nsp_name, table_name, dst_server, channel, mode, row_count, dst_query, op, statement, path)
            VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, 1, p_gone, 'd', p_statement, p_path);
        END IF;
        IF p_row IS NOT NULL THEN
            INSERT INTO "pgsync".sync_err_rec (nsp_name, table_name, dst_server, channel, mode, row_count, dst_query, op, statement, path)
            VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, 1, p_row, 'u', p_statement, p_path);
        END IF;
        IF p_gone IS NOT NULL OR p_row IS NOT NULL THEN
            PERFORM pg_catalog.pg_notify('pgsync', p_dst);
        END IF;
    ELSE
        IF p_gone IS NOT NULL THEN
            INSERT INTO "pgsync".sync_pending (nsp_name, table_name, dst_server, channel, mode, row_count, xact_id, keys, dst_query, op, statement)
            VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, 1, pg_catalog.pg_current_xact_id(),
                    '[' OPERATOR(pg_catalog.||) p_gone OPERATOR(pg_catalog.||) ']', p_gone, 'd', p_statement);
        END IF;
        IF p_row IS NOT NULL THEN
            INSERT INTO "pgsync".sync_pending (nsp_name, table_name, dst_server, channel, mode, row_count, xact_id, keys, dst_query, op, statement)
            VALUES (p_nsp, p_table, p_dst, p_channel, p_mode, 1, pg_catalog.pg_current_xact_id(),
                    '[' OPERATOR(pg_catalog.||) COALESCE(p_key, p_row) OPERATOR(pg_catalog.||) ']', p_row, 'u', p_statement);
        END IF;
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".enqueue_change(text, text, text, text, "char", text, text, text, text, text) FROM PUBLIC;
-- (Capture generated before forwarding: its own writes.)
CREATE OR REPLACE FUNCTION "pgsync".enqueue_change(p_nsp text, p_table text, p_dst text, p_channel text, p_mode "char",
    p_statement text, p_gone text, p_row text, p_key text)
RETURNS void
LANGUAGE sql
AS $pgsync$
    SELECT "pgsync".enqueue_change(p_nsp, p_table, p_dst, p_channel, p_mode, p_statement, p_gone, p_row, p_key, NULL)
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".enqueue_change(text, text, text, text, "char", text, text, text, text) FROM PUBLIC;

-- The remote SQL of one queue entry: its dst_query, or a compact entry's statement around its row
-- (or key). Raises when the statement is not recorded, rather than let the entry go as nothing.
-- p_query may hold several rows' JSON joined by commas (batch_sql: a run of compact entries).
-- For the apply (batch_sql, and its entry-by-entry search for a refused entry), skip_entry, and a DBA reading the queue
-- (SELECT pgsync.entry_sql(op, statement, dst_query) FROM pgsync.sync_err_rec).
CREATE OR REPLACE FUNCTION "pgsync".entry_sql(p_op "char", p_statement text, p_query text)
RETURNS text
LANGUAGE plpgsql
STABLE
AS $pgsync$
DECLARE
    v_sql text;
BEGIN
    IF p_op IS NULL THEN
        RETURN p_query;
    END IF;
    SELECT CASE WHEN p_op OPERATOR(pg_catalog.=) 'u' THEN s.upsert_prefix ELSE s.delete_prefix END
           OPERATOR(pg_catalog.||) pg_catalog.quote_literal('[' OPERATOR(pg_catalog.||) p_query OPERATOR(pg_catalog.||) ']')
           OPERATOR(pg_catalog.||) CASE WHEN p_op OPERATOR(pg_catalog.=) 'u' THEN s.upsert_suffix ELSE s.delete_suffix END
      INTO v_sql
      FROM "pgsync".entry_statement AS s WHERE s.statement OPERATOR(pg_catalog.=) p_statement;
    IF v_sql IS NULL THEN
        RAISE EXCEPTION 'RoslynPgSync: a queue entry names the remote statements "%", which this database has no record of', p_statement
            USING HINT = 'Reinstall the application that replicates its table: its install records them.';
    END IF;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".entry_sql("char", text, text) FROM PUBLIC;

-- The table a queue entry truncates when it is a capture's TRUNCATE (exactly 'TRUNCATE ONLY
-- "schema"."table"', RemoteSql.Truncate), else NULL. A source statement that truncates several
-- tables (TRUNCATE a, b, or a CASCADE) fires each table's capture on its own, so it is queued as
-- consecutive entries of one transaction; the apply sends such a run as ONE statement over all
-- their tables (batch_sql, send_entries, apply_pending's entry-by-entry search; resolve_applied
-- for the TRUNCATE a whole table's restore starts with), because a
-- destination refuses to truncate a table another one references by a foreign key unless that
-- one is truncated in the same statement.
CREATE OR REPLACE FUNCTION "pgsync".truncated_table(p_op "char", p_query text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $pgsync$
    -- (octet_length reads a stored value's size from its header: a large statement's text is not
    -- read for this. Two quoted names of at most 63 bytes each take at most 271.)
    SELECT CASE WHEN p_op IS NULL AND pg_catalog.octet_length(p_query) OPERATOR(pg_catalog.<=) 300
                THEN pg_catalog.substring(p_query, '^TRUNCATE ONLY ("(?:[^"]|"")+"\."(?:[^"]|"")+")$') END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".truncated_table("char", text) FROM PUBLIC;

-- core/functions/240_register_table.sql
-- Installed source tables register the function that rebuilds a target's rows for given keys from
-- the source (see resolve_applied) through this entry point; unregister_table undoes it.
CREATE OR REPLACE FUNCTION "pgsync".register_table(p_nsp text, p_table text, p_restore_function text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    INSERT INTO "pgsync".replicated_table AS r (nsp_name, table_name, restore_function)
    VALUES (p_nsp, p_table, p_restore_function)
    ON CONFLICT (nsp_name, table_name) DO UPDATE SET restore_function = EXCLUDED.restore_function
     WHERE r.restore_function IS DISTINCT FROM EXCLUDED.restore_function;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".register_table(text, text, text) FROM PUBLIC;

-- A target's remote statements, under the key compact entries name them by (its install SQL calls
-- this; SqlNames.StatementKey hashes the texts, so equal keys mean equal texts). Recorded once and
-- kept: entries queued under a key keep their statements through reinstalls that change them.
-- A key recorded with other texts is refused, never replaced.
CREATE OR REPLACE FUNCTION "pgsync".register_statement(p_statement text, p_delete_prefix text, p_delete_suffix text,
    p_upsert_prefix text, p_upsert_suffix text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    INSERT INTO "pgsync".entry_statement (statement, delete_prefix, delete_suffix, upsert_prefix, upsert_suffix)
    VALUES (p_statement, p_delete_prefix, p_delete_suffix, p_upsert_prefix, p_upsert_suffix)
    ON CONFLICT (statement) DO NOTHING;
    IF NOT EXISTS (SELECT 1 FROM "pgsync".entry_statement AS s
                    WHERE s.statement = p_statement AND s.delete_prefix = p_delete_prefix AND s.delete_suffix = p_delete_suffix
                      AND s.upsert_prefix = p_upsert_prefix AND s.upsert_suffix = p_upsert_suffix) THEN
        RAISE EXCEPTION 'RoslynPgSync: remote statements "%" are recorded with other texts', p_statement;
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".register_statement(text, text, text, text, text) FROM PUBLIC;

-- core/functions/250_unregister_table.sql
-- The entry point an uninstalled source table calls to drop its registration (see register_table).
CREATE OR REPLACE FUNCTION "pgsync".unregister_table(p_nsp text, p_table text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    DELETE FROM "pgsync".replicated_table AS r WHERE r.nsp_name = p_nsp AND r.table_name = p_table;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".unregister_table(text, text) FROM PUBLIC;

-- core/functions/255_copy_register.sql
-- Records, at install, that a table's rows are to be copied to a destination, unless a copy of it
-- was recorded before (then it does nothing and returns NULL). p_when_empty (InitialCopy =
-- WhenTargetEmpty): a target that already has rows is not copied into; the copy is recorded as
-- skipped with the reason. The targets are probed through dblink, before this install's capture
-- can have sent anything there. Returns the status recorded.
CREATE OR REPLACE FUNCTION "pgsync".copy_register(p_nsp text, p_table text, p_dst text, p_mode text,
                                                   p_target_schemas text[], p_target_tables text[], p_when_empty boolean)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_full text[] := '{}';
    v_has boolean;
    v_status text;
BEGIN
    IF EXISTS (SELECT 1 FROM "pgsync".copy_state AS c
                WHERE c.nsp_name = p_nsp AND c.table_name = p_table AND c.dst_server = p_dst) THEN
        RETURN NULL;
    END IF;
    IF p_when_empty THEN
        FOR i IN 1 .. COALESCE(pg_catalog.array_length(p_target_tables, 1), 0) LOOP
            SELECT t.has_rows INTO v_has
              FROM "pgsync".dblink(p_dst, pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %I.%I)', p_target_schemas[i], p_target_tables[i]))
                   AS t(has_rows boolean);
            IF v_has THEN
                v_full := v_full || pg_catalog.format('%I.%I', p_target_schemas[i], p_target_tables[i]);
            END IF;
        END LOOP;
    END IF;
    v_status := CASE WHEN pg_catalog.cardinality(v_full) > 0 THEN 'skipped' ELSE 'pending' END;
    INSERT INTO "pgsync".copy_state (nsp_name, table_name, dst_server, mode, status, reason)
    VALUES (p_nsp, p_table, p_dst, p_mode, v_status,
            CASE WHEN v_status = 'skipped' THEN pg_catalog.format(
                'the target %s already had rows when replication was installed (InitialCopy = WhenTargetEmpty copies only into an empty target): run pgsync copy --replace to make it equal to the source',
                pg_catalog.array_to_string(v_full, ', ')) END);
    RETURN v_status;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".copy_register(text, text, text, text, text[], text[], boolean) FROM PUBLIC;

-- core/functions/260_copy_queued.sql
-- Records one chunk of an initial copy, in the transaction that read it (its rows locked FOR
-- SHARE, so that a concurrent change to them is queued before or after it, never around it): the
-- chunk's remote statement goes into the queue as one entry, like a captured statement, and the
-- copy's state moves past p_last_key. p_sql NULL: the chunk held no rows (nothing is queued).
-- p_finished: the chunk reached the end of the table. p_channel: the target's stream (its
-- [Replicate] Channel, '' the default). Returns the entry's id (NULL: none).
-- Raises when no copy of that table to that destination is pending or running.
CREATE OR REPLACE FUNCTION "pgsync".copy_queued(p_nsp text, p_table text, p_dst text, p_channel text, p_rows bigint, p_sql text, p_last_key text, p_finished boolean)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_id bigint;
BEGIN
    IF p_sql IS NOT NULL THEN
        PERFORM "pgsync".durable_commit();
        INSERT INTO "pgsync".sync_err_rec (nsp_name, table_name, dst_server, channel, mode, row_count, dst_query)
        VALUES (p_nsp, p_table, p_dst, p_channel, 'a', p_rows, p_sql)
        RETURNING id INTO v_id;
        INSERT INTO "pgsync".copy_chunk (entry_id, nsp_name, table_name, dst_server, row_count)
        VALUES (v_id, p_nsp, p_table, p_dst, p_rows);
        PERFORM pg_catalog.pg_notify('pgsync', p_dst);
    END IF;
    -- The table's marker: a REPEATABLE READ or SERIALIZABLE Sync writer whose snapshot predates this
    -- chunk cannot see it queued; it locks this row at commit (flush_at_commit) and gets a
    -- serialization failure instead of sending its change ahead of the chunk.
    UPDATE "pgsync".replicated_table AS r SET restore_function = r.restore_function
     WHERE r.nsp_name = p_nsp AND r.table_name = p_table;
    UPDATE "pgsync".copy_state AS c
       SET status = 'copying',
           last_key = COALESCE(p_last_key, c.last_key),
           all_queued = p_finished,
           rows_copied = c.rows_copied + p_rows,
           chunks = c.chunks + CASE WHEN v_id IS NULL THEN 0 ELSE 1 END,
           started_at = COALESCE(c.started_at, pg_catalog.clock_timestamp()),
           updated_at = pg_catalog.clock_timestamp(),
           reason = NULL
     WHERE c.nsp_name = p_nsp AND c.table_name = p_table AND c.dst_server = p_dst AND c.status IN ('pending', 'copying');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'RoslynPgSync: no initial copy of %.% to server "%" is pending or running', p_nsp, p_table, p_dst;
    END IF;
    RETURN v_id;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".copy_queued(text, text, text, text, bigint, text, text, boolean) FROM PUBLIC;

-- core/functions/270_copy_settle.sql
-- Settles the running copies against the queue: a chunk entry that left the queue was applied
-- (forgotten here), or skipped by an operator (the copy failed: the target lacks its rows); a copy
-- whose every chunk is queued and none is left is done. Never done before the destination has
-- every chunk. Returns how many copies changed status.
CREATE OR REPLACE FUNCTION "pgsync".copy_settle()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_failed integer;
    v_done integer;
BEGIN
    UPDATE "pgsync".copy_state AS c
       SET status = 'failed', updated_at = pg_catalog.clock_timestamp(),
           reason = pg_catalog.format('queue entry %s of the copy (%s rows) was skipped with skip_entry, so the target lacks those rows: run pgsync copy --replace', k.entry_id, k.row_count)
      FROM "pgsync".copy_chunk AS k JOIN "pgsync".skipped_entry AS x ON x.id = k.entry_id
     WHERE c.status = 'copying' AND k.nsp_name = c.nsp_name AND k.table_name = c.table_name AND k.dst_server = c.dst_server;
    GET DIAGNOSTICS v_failed = ROW_COUNT;
    DELETE FROM "pgsync".copy_chunk AS k
     WHERE NOT EXISTS (SELECT 1 FROM "pgsync".sync_err_rec AS e WHERE e.id = k.entry_id)
       AND NOT EXISTS (SELECT 1 FROM "pgsync".skipped_entry AS x WHERE x.id = k.entry_id);
    UPDATE "pgsync".copy_state AS c
       SET status = 'done', finished_at = pg_catalog.clock_timestamp(), updated_at = pg_catalog.clock_timestamp()
     WHERE c.status = 'copying' AND c.all_queued
       AND NOT EXISTS (SELECT 1 FROM "pgsync".copy_chunk AS k
                        WHERE k.nsp_name = c.nsp_name AND k.table_name = c.table_name AND k.dst_server = c.dst_server);
    GET DIAGNOSTICS v_done = ROW_COUNT;
    RETURN v_failed + v_done;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".copy_settle() FROM PUBLIC;

-- core/functions/280_purge_resolved.sql
-- What conflict resolution keeps, past its retention (the replay worker calls this every minute,
-- PgSyncHostOptions.ConflictRetention and TombstoneRetention): this database's conflict log (when it
-- is a destination of a table that detects conflicts), and the tombstones of the row versions
-- p_records (the tables this node replicates with a conflict policy; docs/multi-master.md). A
-- tombstone keeps an older write from bringing a deleted row back: drop one only after every change
-- older than it has been applied everywhere, so the retention must exceed the longest outage.
-- Returns the rows removed. Called by the worker (as the installing role); nobody else may call it.
CREATE OR REPLACE FUNCTION "pgsync".purge_resolved(p_conflicts interval, p_tombstones interval, p_records text[])
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_removed bigint := 0;
    v_count bigint;
    v_record regclass;
BEGIN
    IF pg_catalog.to_regclass('"pgsync"' || '.conflict_log') IS NOT NULL THEN
        EXECUTE pg_catalog.format('DELETE FROM %s WHERE logged_at < pg_catalog.clock_timestamp() - $1', '"pgsync"' || '.conflict_log') USING p_conflicts;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        v_removed := v_removed + v_count;
    END IF;
    FOR v_record IN SELECT pg_catalog.to_regclass('"pgsync"' || '.' || pg_catalog.quote_ident(r)) FROM pg_catalog.unnest(p_records) AS r LOOP
        CONTINUE WHEN v_record IS NULL;
        EXECUTE pg_catalog.format('DELETE FROM %s WHERE pgsync_deleted AND pgsync_at < pg_catalog.clock_timestamp() - $1', v_record) USING p_tombstones;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        v_removed := v_removed + v_count;
    END LOOP;
    RETURN v_removed;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".purge_resolved(interval, interval, text[]) FROM PUBLIC;

-- core/functions/285_conflict_totals.sql
-- The conflicts this database recorded as a destination, per table, kind and resolution, since its
-- conflict log was made (conflict_counts, kept in the recording transactions; no rows when it is no
-- destination of a table with a conflict policy). The replay worker's metric pgsync.conflicts adds
-- what grew since its last look: one query per look, and a record that commits after one with a
-- later id is counted all the same. Called by the worker (as the installing role); nobody else may
-- call it.
CREATE OR REPLACE FUNCTION "pgsync".conflict_totals()
RETURNS TABLE (nsp_name text, table_name text, kind text, resolution text, recorded bigint)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    IF pg_catalog.to_regclass('"pgsync"' || '.conflict_counts') IS NOT NULL THEN
        RETURN QUERY EXECUTE pg_catalog.format(
            'SELECT c.nsp_name, c.table_name, c.kind, c.resolution, pg_catalog.sum(c.recorded)::bigint FROM %s AS c GROUP BY 1, 2, 3, 4',
            '"pgsync"' || '.conflict_counts');
    END IF;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".conflict_totals() FROM PUBLIC;

-- core/functions/290_capture_check.sql
-- The replicated tables (replicated_table) whose capture is off now or was off since their last
-- equal verification (capture_gap, upgrades/0010_capture_gap.sql): a capture trigger (p_triggers, every one of them)
-- missing, disabled or firing only when session_replication_role = replica. Records each one found off
-- in capture_gap; with p_enable, turns a disabled trigger back on (ENABLE TRIGGER needs the table's
-- owner: when this role is not, the trigger stays off and the row says so). Called by the installer
-- and the health check, as the installing role; nobody else may call it.
-- The capture triggers (p_triggers) of one table that are off: missing, disabled ('D') or firing
-- only in replica sessions ('R'); present says whether ENABLE TRIGGER can turn one on.
CREATE OR REPLACE FUNCTION "pgsync".capture_triggers_off(p_nsp text, p_table text, p_triggers text[])
RETURNS TABLE (trigger_name text, state text, present boolean)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    RETURN QUERY
    SELECT w.name,
           CASE WHEN g.tgenabled IS NULL THEN 'missing' WHEN g.tgenabled OPERATOR(pg_catalog.=) 'D' THEN 'disabled' ELSE 'enabled for replica sessions only' END,
           g.tgenabled IS NOT NULL
      FROM pg_catalog.unnest(p_triggers) AS w(name)
      LEFT JOIN pg_catalog.pg_trigger AS g
             ON g.tgrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('%I.%I', p_nsp, p_table))
            AND g.tgname OPERATOR(pg_catalog.=) w.name
     WHERE g.tgenabled IS NULL OR g.tgenabled OPERATOR(pg_catalog.=) ANY (ARRAY['D', 'R']::"char"[])
     ORDER BY 1;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".capture_triggers_off(text, text, text[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION "pgsync".capture_check(p_triggers text[], p_enable boolean)
RETURNS TABLE (nsp_name text, table_name text, capture_on boolean, found_at timestamp with time zone, detail text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
#variable_conflict use_column
DECLARE
    v_off record;
BEGIN
    FOR v_off IN
        SELECT r.nsp_name, r.table_name, o.trigger_name, o.state, o.present
          FROM "pgsync".replicated_table AS r
          CROSS JOIN LATERAL "pgsync".capture_triggers_off(r.nsp_name, r.table_name, p_triggers) AS o
         ORDER BY 1, 2, 3
    LOOP
        INSERT INTO "pgsync".capture_gap AS c (nsp_name, table_name, found_at, detail)
        VALUES (v_off.nsp_name, v_off.table_name, pg_catalog.clock_timestamp(),
                pg_catalog.format('capture trigger %I was %s', v_off.trigger_name, v_off.state))
        ON CONFLICT (nsp_name, table_name) DO NOTHING;
        IF p_enable AND v_off.present THEN
            BEGIN
                EXECUTE pg_catalog.format('ALTER TABLE %I.%I ENABLE TRIGGER %I', v_off.nsp_name, v_off.table_name, v_off.trigger_name);
            EXCEPTION WHEN insufficient_privilege THEN
                NULL; -- (not the owner: it stays off, and is reported as off)
            END;
        END IF;
    END LOOP;

    RETURN QUERY
    SELECT c.nsp_name, c.table_name,
           NOT EXISTS (SELECT 1 FROM "pgsync".capture_triggers_off(c.nsp_name, c.table_name, p_triggers)),
           c.found_at, c.detail
      FROM "pgsync".capture_gap AS c
     ORDER BY 1, 2;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".capture_check(text[], boolean) FROM PUBLIC;

-- A verification that found every destination of the table equal, begun at p_since: the gaps found
-- before it are closed: what was written meanwhile is on the destinations. (A capture that is off
-- again is recorded again by the next capture_check.)
CREATE OR REPLACE FUNCTION "pgsync".capture_verified(p_nsp text, p_table text, p_since timestamp with time zone)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    DELETE FROM "pgsync".capture_gap AS c
     WHERE c.nsp_name OPERATOR(pg_catalog.=) p_nsp AND c.table_name OPERATOR(pg_catalog.=) p_table AND c.found_at OPERATOR(pg_catalog.<) p_since;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync".capture_verified(text, text, timestamp with time zone) FROM PUBLIC;

-- schema version 1: the queue and its tables (once: when it is not recorded yet)
SELECT NOT EXISTS (SELECT 1 FROM "pgsync".schema_version WHERE version = 1) AS pgsync_version_1_missing \gset
\if :pgsync_version_1_missing
-- core/schema/010_sync_err_rec.sql
-- The queue: one entry per captured statement and destination (the seed's columns, plus mode).
-- The names are text, not name: 64 fixed bytes each made every entry, and its WAL, larger.
CREATE TABLE IF NOT EXISTS "pgsync".sync_err_rec (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    dst_server text NOT NULL,
    dst_query text NOT NULL,
    create_time timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    mode "char" NOT NULL DEFAULT 'a' CHECK (mode IN ('a', 's', 't')),
    row_count bigint NOT NULL DEFAULT 0,
    xact_id xid8 DEFAULT pg_catalog.pg_current_xact_id(),
    keys text
);
-- Looked up by destination, oldest first.
CREATE INDEX IF NOT EXISTS sync_err_rec_dst_server_id ON "pgsync".sync_err_rec (dst_server, id);
-- The functions look up one destination's entries with a parameter; after five calls PostgreSQL
-- may plan them once for any destination, from statistics that, when one destination holds nearly
-- every entry, say any destination does: it then scans the whole queue (in id order or
-- sequentially) for a destination that has nothing queued. Telling the planner there are many
-- destinations keeps those plans on the (dst_server, id) index.
ALTER TABLE "pgsync".sync_err_rec ALTER COLUMN dst_server SET (n_distinct = 1000);
ANALYZE "pgsync".sync_err_rec;
-- core/schema/020_dst_state.sql
-- Per destination: when it last applied, and the error that stopped it (with the entry and table).
CREATE TABLE IF NOT EXISTS "pgsync".dst_state (
    dst_server text PRIMARY KEY,
    last_success timestamp with time zone,
    last_error text,
    last_error_time timestamp with time zone,
    last_error_entry bigint,
    last_error_table text
);
-- core/schema/030_sync_pending.sql
-- Sync and Strict entries wait here, per transaction, until it commits: flush_at_commit sends
-- them, or moves them into the queue when it cannot (destination down, older entries
-- queued). Unlogged: on success an entry is written and deleted in one transaction, and its
-- rows vanish with that transaction if the server crashes before the commit; an entry that
-- must outlive its transaction is moved into the (logged) queue before the commit. The ids
-- come from the queue's sequence, so that moved entries keep their place in its order.
DO $pgsync$
BEGIN
    IF pg_catalog.to_regclass(('"pgsync"' || '.sync_pending')) IS NULL THEN
        EXECUTE pg_catalog.format(
            $sql$CREATE UNLOGGED TABLE %s (
                id bigint NOT NULL DEFAULT pg_catalog.nextval(%L::pg_catalog.regclass),
                xact_id xid8 NOT NULL,
                nsp_name text NOT NULL,
                table_name text NOT NULL,
                dst_server text NOT NULL,
                dst_query text NOT NULL,
                create_time timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                mode "char" NOT NULL CHECK (mode IN ('s', 't')),
                row_count bigint NOT NULL DEFAULT 0,
                keys text,
                PRIMARY KEY (xact_id, dst_server, id))$sql$,
            ('"pgsync"' || '.sync_pending'),
            pg_catalog.pg_get_serial_sequence(('"pgsync"' || '.sync_err_rec'), 'id'));
    END IF;
END
$pgsync$;
-- core/schema/040_dst_query_compression.sql
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
        FOREACH v_table IN ARRAY ARRAY[('"pgsync"' || '.sync_err_rec')::pg_catalog.regclass, ('"pgsync"' || '.sync_pending')::pg_catalog.regclass] LOOP
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
-- core/schema/050_skipped_entry.sql
-- Entries an operator skipped with skip_entry, kept with the error that stopped them.
CREATE TABLE IF NOT EXISTS "pgsync".skipped_entry (
    id bigint PRIMARY KEY,
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    dst_server text NOT NULL,
    dst_query text NOT NULL,
    create_time timestamp with time zone NOT NULL,
    mode "char" NOT NULL,
    row_count bigint NOT NULL,
    error text,
    skipped_at timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    skipped_by name NOT NULL DEFAULT SESSION_USER
);
-- core/schema/060_node.sql
-- What this node is to its destinations: an origin name that stays the same across restarts and
-- differs from every other node's (the node name, for people, and a random part). Destinations
-- record what they applied under it. commit_timeout: how long a committing session waits for a
-- destination when it has not set pgsync.remote_timeout itself (PgSyncOptions.CommitTimeout;
-- NULL: without bound). One row, written by set_node at every install.
CREATE TABLE IF NOT EXISTS "pgsync".node (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    origin text NOT NULL,
    commit_timeout interval
);
-- core/schema/070_incarnation.sql
-- This node's incarnation: a random token in an unlogged table, which crash recovery empties
-- (a backend crash restarts every session without restarting the postmaster, so the
-- postmaster's start time would not do). Records made under another token were made before
-- a crash, when an xid may come back. Made again by the first caller after a crash.
CREATE UNLOGGED TABLE IF NOT EXISTS "pgsync".incarnation (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    token bigint NOT NULL
);
-- core/schema/080_replicated_table.sql
-- Per installed source table: the function that rebuilds a target's rows for given keys from the
-- source (see resolve_applied).
CREATE TABLE IF NOT EXISTS "pgsync".replicated_table (
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    restore_function text NOT NULL, -- (in this schema)
    PRIMARY KEY (nsp_name, table_name)
);
-- core/schema/090_flush_at_commit_trigger.sql
-- Sync and Strict entries are sent when their transaction commits: this deferred trigger fires
-- flush_at_commit for each of them.
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger
                   WHERE tgrelid = ('"pgsync"' || '.sync_pending')::pg_catalog.regclass AND tgname = 'flush_at_commit') THEN
        CREATE CONSTRAINT TRIGGER flush_at_commit AFTER INSERT ON "pgsync".sync_pending
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "pgsync".flush_at_commit();
    END IF;
END
$pgsync$;
-- core/schema/095_queued_mark.sql
-- The tables whose Sync or Strict entries a committing transaction leaves in the queue (flush_at_commit
-- queues them here), until mark_queued marks them at the end of its commit: see 205_mark_queued.sql.
-- Unlogged, and emptied by the transaction that wrote it: a row lives only within its transaction.
DO $pgsync$
BEGIN
    IF pg_catalog.to_regclass(('"pgsync"' || '.queued_mark')) IS NULL THEN
        EXECUTE pg_catalog.format(
            $sql$CREATE UNLOGGED TABLE %s (
                xact_id xid8 NOT NULL,
                nsp_name text NOT NULL,
                table_name text NOT NULL,
                PRIMARY KEY (xact_id, nsp_name, table_name))$sql$,
            ('"pgsync"' || '.queued_mark'));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger
                   WHERE tgrelid = ('"pgsync"' || '.queued_mark')::pg_catalog.regclass AND tgname = 'mark_queued') THEN
        CREATE CONSTRAINT TRIGGER mark_queued AFTER INSERT ON "pgsync".queued_mark
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "pgsync".mark_queued();
    END IF;
END
$pgsync$;
-- core/upgrades/0001_unversioned.sql
-- Installs of releases that recorded no schema version: the schema/ files have created what they
-- lacked; this brings what they had to version 1. On a new install it changes nothing.
-- The queue: the writer's transaction (so that its own Async entries never go before it commits)
-- and the keys of Sync/Strict entries, added without a default, which would rewrite the table,
-- and the default set after (it applies to new entries only).
ALTER TABLE "pgsync".sync_err_rec ADD COLUMN IF NOT EXISTS xact_id xid8, ADD COLUMN IF NOT EXISTS keys text;
ALTER TABLE "pgsync".sync_err_rec ALTER COLUMN xact_id SET DEFAULT pg_catalog.pg_current_xact_id();
ALTER TABLE "pgsync".dst_state ADD COLUMN IF NOT EXISTS last_error_table text;
ALTER TABLE "pgsync".sync_pending ADD COLUMN IF NOT EXISTS keys text;
ALTER TABLE "pgsync".node ADD COLUMN IF NOT EXISTS commit_timeout interval;
-- Earlier releases fired flush_at_commit on the queue itself.
DROP TRIGGER IF EXISTS flush_at_commit ON "pgsync".sync_err_rec;
-- Earlier signatures, which would make calls ambiguous.
DROP FUNCTION IF EXISTS "pgsync".apply_pending(text, integer, boolean);
DROP FUNCTION IF EXISTS "pgsync".ledger_insert(text, text, xid8, bigint[], text[], text[], text[]);
DROP FUNCTION IF EXISTS "pgsync".ledger_insert(text, text, xid8, bigint[], bigint[], text[], text[], text[]);
DROP FUNCTION IF EXISTS "pgsync".ledger_insert(text, text, xid8, bigint, bigint[], bigint[], text[], text[], text[]);
INSERT INTO "pgsync".schema_version (version, description) VALUES (1, 'the queue and its tables');
\endif

-- schema version 2: initial copy (once: when it is not recorded yet)
SELECT NOT EXISTS (SELECT 1 FROM "pgsync".schema_version WHERE version = 2) AS pgsync_version_2_missing \gset
\if :pgsync_version_2_missing
-- core/upgrades/0002_initial_copy.sql
-- The initial copy of rows that existed before replication (PgSyncOptions.InitialCopy, pgsync copy):
-- per source table and destination, what the copy does, how far it got and how it ended. Written by
-- the installer (a row per table and destination never copied before), by copy_queued (each chunk)
-- and copy_settle (done once every chunk it queued has been applied). It survives restarts: a copy
-- resumes after last_key.
CREATE TABLE IF NOT EXISTS "pgsync".copy_state (
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    dst_server text NOT NULL,
    -- upsert: every source row is written over the target's (into an empty target, for
    -- WhenTargetEmpty); replace: the target is emptied first, so it ends equal to the source.
    mode text NOT NULL CHECK (mode IN ('upsert', 'replace')),
    -- pending: not started; copying: chunks queued up to last_key; done: every chunk applied;
    -- skipped: not copied (reason says why); failed: a chunk was skipped by an operator.
    status text NOT NULL CHECK (status IN ('pending', 'copying', 'done', 'skipped', 'failed')),
    last_key text,                 -- the JSON object of the last key queued (NULL: none yet)
    -- The highest key when the copy started: a row above it was written since, and its capture
    -- carries it already, so the copy stops there (and does not chase a growing table's end).
    end_key text,
    all_queued boolean NOT NULL DEFAULT false,
    rows_copied bigint NOT NULL DEFAULT 0,
    rows_estimate bigint,          -- the source's row estimate when the copy started
    chunks bigint NOT NULL DEFAULT 0,
    reason text,
    created_at timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    started_at timestamp with time zone,
    updated_at timestamp with time zone,
    finished_at timestamp with time zone,
    PRIMARY KEY (nsp_name, table_name, dst_server)
);
-- The queue entries a copy queued that have not left the queue yet: a copy is done when none is
-- left, and failed when an operator skipped one (its rows never reached the target).
CREATE TABLE IF NOT EXISTS "pgsync".copy_chunk (
    entry_id bigint PRIMARY KEY,
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    dst_server text NOT NULL,
    row_count bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS copy_chunk_table ON "pgsync".copy_chunk (nsp_name, table_name, dst_server);
INSERT INTO "pgsync".schema_version (version, description) VALUES (2, 'initial copy');
\endif

-- schema version 3: queue autovacuum (once: when it is not recorded yet)
SELECT NOT EXISTS (SELECT 1 FROM "pgsync".schema_version WHERE version = 3) AS pgsync_version_3_missing \gset
\if :pgsync_version_3_missing
-- core/upgrades/0003_queue_autovacuum.sql
-- The queue's tables churn: every entry is inserted and soon deleted (sync_err_rec, and sync_pending
-- at every Sync commit), and dst_state is updated at every batch. Autovacuum's defaults wait for a
-- fifth of a table to be dead and then pause between pages, so under a sustained load the tables and
-- their indexes grow far past the backlog they hold, and every scan of the queue's head walks the dead
-- entries. Vacuumed after a fixed number of dead rows instead, without the cost-based pause, they stay
-- at the size of the backlog.
ALTER TABLE "pgsync".sync_err_rec SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0);
ALTER TABLE "pgsync".sync_pending SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0);
ALTER TABLE "pgsync".dst_state SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
INSERT INTO "pgsync".schema_version (version, description) VALUES (3, 'queue autovacuum');
\endif

-- schema version 4: whole transactions (once: when it is not recorded yet)
SELECT NOT EXISTS (SELECT 1 FROM "pgsync".schema_version WHERE version = 4) AS pgsync_version_4_missing \gset
\if :pgsync_version_4_missing
-- core/upgrades/0004_whole_transactions.sql
-- A batch never splits a source transaction. A transaction's entries are not contiguous in the
-- queue: entries of concurrent transactions fall between them. So each entry after a transaction's
-- first for a destination records that first entry's id (xact_first; NULL on the first entry and on
-- every entry of a single-entry transaction). A batch that ends at entry X holds a transaction only
-- partly when some entry after X has xact_first <= X; the apply then extends the batch to that entry,
-- and again, until no transaction crosses its end (160_apply_pending.sql). The partial index holds
-- only such later entries: a transaction of one statement writes no index entry for it.
ALTER TABLE "pgsync".sync_err_rec ADD COLUMN IF NOT EXISTS xact_first bigint;
ALTER TABLE "pgsync".sync_pending ADD COLUMN IF NOT EXISTS xact_first bigint;
CREATE INDEX IF NOT EXISTS sync_err_rec_dst_server_xact_first ON "pgsync".sync_err_rec (dst_server, xact_first)
    WHERE xact_first IS NOT NULL;
INSERT INTO "pgsync".schema_version (version, description) VALUES (4, 'whole transactions');
\endif

-- schema version 5: channels (once: when it is not recorded yet)
SELECT NOT EXISTS (SELECT 1 FROM "pgsync".schema_version WHERE version = 5) AS pgsync_version_5_missing \gset
\if :pgsync_version_5_missing
-- core/upgrades/0005_channels.sql
-- Channels: a destination's entries form independent ordered streams, one per channel
-- ([Replicate(..., Channel = "...")]; '' is the destination's default channel). Order is strict
-- within a stream and there is none between streams: an Async backlog or an initial copy in one
-- channel does not hold back a Sync table in another. Each stream has its own head, lock, batches
-- and state; sync_err_rec stays the one queue a DBA counts per dst_server.
ALTER TABLE "pgsync".sync_err_rec ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT '';
ALTER TABLE "pgsync".sync_pending ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT '';
-- A stream's head is found on (dst_server, channel, id); the destination's count(*), its mark for the
-- verifier and the status read the same index by its first column. (One index replaces the other:
-- every captured statement pays for each index on the queue.)
CREATE INDEX IF NOT EXISTS sync_err_rec_stream_id ON "pgsync".sync_err_rec (dst_server, channel, id);
DROP INDEX IF EXISTS "pgsync".sync_err_rec_dst_server_id;
CREATE INDEX IF NOT EXISTS sync_err_rec_stream_xact_first ON "pgsync".sync_err_rec (dst_server, channel, xact_first)
    WHERE xact_first IS NOT NULL;
DROP INDEX IF EXISTS "pgsync".sync_err_rec_dst_server_xact_first;
-- How each stream last went: one channel's rejected entry must not be cleared by another's success.
ALTER TABLE "pgsync".dst_state ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT '';
ALTER TABLE "pgsync".dst_state DROP CONSTRAINT IF EXISTS dst_state_pkey;
ALTER TABLE "pgsync".dst_state ADD PRIMARY KEY (dst_server, channel);
-- Skipped entries keep the stream they stopped.
ALTER TABLE "pgsync".skipped_entry ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT '';
-- The functions that took a destination now take a stream (functions are replaced at every install;
-- these signatures would otherwise stay behind). enqueue and enqueue_rows keep their old signatures
-- beside the new ones, for capture functions generated before channels.
DROP FUNCTION IF EXISTS "pgsync".apply_pending(text, integer, boolean, xid8);
DROP FUNCTION IF EXISTS "pgsync".copy_queued(text, text, text, bigint, text, text, boolean);
INSERT INTO "pgsync".schema_version (version, description) VALUES (5, 'channels');
\endif

-- schema version 6: xact closure (once: when it is not recorded yet)
SELECT NOT EXISTS (SELECT 1 FROM "pgsync".schema_version WHERE version = 6) AS pgsync_version_6_missing \gset
\if :pgsync_version_6_missing
-- core/upgrades/0006_xact_closure.sql
-- A batch's closure over whole source transactions follows xact_id (every entry has it: the
-- writer's top-level transaction) instead of xact_first. xact_first was kept in a transaction-local
-- setting that every capturing transaction wrote for its first entry, about a tenth of a single-row
-- write's capture time; an index entry on (xact_id, id) costs less, and the apply finds, for each source
-- transaction a batch holds part of, its last entry in the stream with one probe of this index
-- (160_apply_pending.sql). xact_first stays, unwritten, for entries queued before.
CREATE INDEX IF NOT EXISTS sync_err_rec_xact ON "pgsync".sync_err_rec (xact_id, id);
-- (Entries queued before this upgrade carry both: the closure over xact_id covers theirs too.)
DROP INDEX IF EXISTS "pgsync".sync_err_rec_stream_xact_first;
INSERT INTO "pgsync".schema_version (version, description) VALUES (6, 'xact closure');
\endif

-- schema version 7: compact entries (once: when it is not recorded yet)
SELECT NOT EXISTS (SELECT 1 FROM "pgsync".schema_version WHERE version = 7) AS pgsync_version_7_missing \gset
\if :pgsync_version_7_missing
-- core/upgrades/0007_compact_entries.sql
-- Compact entries: a statement of one row (most OLTP writes) is queued as the row, or the key it
-- deletes, in JSON (dst_query), its kind (op: 'u' upsert, 'd' delete) and the key of its target's
-- remote statements (statement), instead of a whole SQL text built in the writer's transaction.
-- The apply builds the SQL, and consecutive compact entries of one statement and kind go as ONE
-- remote statement (batch_sql): a backlog of single-row transactions is applied set-based.
-- op and statement are NULL for an entry that holds SQL (larger statements, TRUNCATE, copies,
-- repairs and restores), as every entry did before.
CREATE TABLE IF NOT EXISTS "pgsync".entry_statement (
    statement text PRIMARY KEY, -- the generator's key: the texts' hash (SqlNames.StatementKey)
    delete_prefix text NOT NULL,
    delete_suffix text NOT NULL,
    upsert_prefix text NOT NULL, -- (the last row of a key wins: RemoteSql.UpsertLatest)
    upsert_suffix text NOT NULL
);
ALTER TABLE "pgsync".sync_err_rec ADD COLUMN IF NOT EXISTS op "char", ADD COLUMN IF NOT EXISTS statement text;
ALTER TABLE "pgsync".sync_pending ADD COLUMN IF NOT EXISTS op "char", ADD COLUMN IF NOT EXISTS statement text;
ALTER TABLE "pgsync".sync_err_rec DROP CONSTRAINT IF EXISTS sync_err_rec_compact_check, ADD CONSTRAINT sync_err_rec_compact_check
    CHECK (op IS NULL AND statement IS NULL OR op IN ('u', 'd') AND statement IS NOT NULL);
ALTER TABLE "pgsync".sync_pending DROP CONSTRAINT IF EXISTS sync_pending_compact_check, ADD CONSTRAINT sync_pending_compact_check
    CHECK (op IS NULL AND statement IS NULL OR op IN ('u', 'd') AND statement IS NOT NULL);
-- (Captures of one intermediate build called it; enqueue_change replaces it.)
DROP FUNCTION IF EXISTS "pgsync".enqueue_row(text, text, text, text, "char", text, text, text, text, text, text, text);
INSERT INTO "pgsync".schema_version (version, description) VALUES (7, 'compact entries');
\endif

-- schema version 8: forwarding (once: when it is not recorded yet)
SELECT NOT EXISTS (SELECT 1 FROM "pgsync".schema_version WHERE version = 8) AS pgsync_version_8_missing \gset
\if :pgsync_version_8_missing
-- core/upgrades/0008_forwarding.sql
-- Cascade (ReplicateAttribute.Forward): a change this node applied from another node and queues again
-- for a forwarding destination carries path, the identities of the nodes it has been through
-- (comma-separated, its origin first; NULL: this node's own write). The apply tells the destination
-- the path with this node's identity added (path_sql), so that no node ever gets a change back.
ALTER TABLE "pgsync".sync_err_rec ADD COLUMN IF NOT EXISTS path text;
-- Each destination's identity (destination/015_node_identity.sql), learned at install: the capture
-- forwards a change to a destination only when its identity is not on the change's path.
CREATE TABLE IF NOT EXISTS "pgsync".peer (
    dst_server text PRIMARY KEY,
    identity text NOT NULL
);
REVOKE ALL ON "pgsync".peer FROM PUBLIC;
INSERT INTO "pgsync".schema_version (version, description) VALUES (8, 'forwarding');
\endif

-- schema version 9: closure statistics (once: when it is not recorded yet)
SELECT NOT EXISTS (SELECT 1 FROM "pgsync".schema_version WHERE version = 9) AS pgsync_version_9_missing \gset
\if :pgsync_version_9_missing
-- core/upgrades/0009_closure_statistics.sql
-- The closure over whole source transactions (160_apply_pending.sql) finds the last entry of each
-- source transaction a batch holds part of with one probe of (xact_id, id). The planner estimates how
-- many entries share an xact_id from the queue's statistics: analysed while one large transaction
-- filled the queue, they say that nearly every entry shares one, and the planner then walks the
-- primary key backwards from the newest entry for each transaction instead, to the batch's entries at
-- the other end (a bench drain took 52 s instead of 5, one batch 24 s; a queue of 100,000 entries under
-- such statistics, 11 s per batch where the probe takes milliseconds). The number of distinct
-- transactions is set as a share of the entries instead (half of them: what matters is that it grows
-- with the queue, so that no transaction is taken to hold most of it), and the statistics are made
-- again with it.
ALTER TABLE "pgsync".sync_err_rec ALTER COLUMN xact_id SET (n_distinct = -0.5);
ANALYZE "pgsync".sync_err_rec;
INSERT INTO "pgsync".schema_version (version, description) VALUES (9, 'closure statistics');
\endif

-- schema version 10: capture gap (once: when it is not recorded yet)
SELECT NOT EXISTS (SELECT 1 FROM "pgsync".schema_version WHERE version = 10) AS pgsync_version_10_missing \gset
\if :pgsync_version_10_missing
-- core/upgrades/0010_capture_gap.sql
-- Per source table: since when its capture may have missed changes. A capture trigger that its table's
-- owner disabled (ALTER TABLE ... DISABLE TRIGGER, a bulk load's habit), set to fire only in replica
-- sessions, or dropped, lets every change through uncaptured, without an error; the installer
-- leaves a trigger that exists alone. capture_check records it here when it finds it (the hosted
-- worker's start, the health check), turns the trigger back on when it may, and the row stays, shown
-- by the health check, until a verification of the table finds every destination equal (the changes
-- written meanwhile are then known to be there, or were repaired).
CREATE TABLE IF NOT EXISTS "pgsync".capture_gap (
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    found_at timestamp with time zone NOT NULL,
    detail text NOT NULL,
    PRIMARY KEY (nsp_name, table_name)
);
REVOKE ALL ON "pgsync".capture_gap FROM PUBLIC;
INSERT INTO "pgsync".schema_version (version, description) VALUES (10, 'capture gap');
\endif

-- schema version 11: durable mark (once: when it is not recorded yet)
SELECT NOT EXISTS (SELECT 1 FROM "pgsync".schema_version WHERE version = 11) AS pgsync_version_11_missing \gset
\if :pgsync_version_11_missing
-- core/upgrades/0011_durable_mark.sql
-- A transaction that queues an entry while synchronous_commit is off commits durably all the same
-- (durable_commit, 230_enqueue.sql): its first such entry records it here, and this deferred trigger
-- sets synchronous_commit = on at its commit, where no function's SET clause can take it back (a
-- write made inside a function declared with SET synchronous_commit = off saw durable_commit's SET
-- LOCAL undone when that function returned). The row goes at the same commit.
CREATE TABLE IF NOT EXISTS "pgsync".durable_mark (
    xact_id xid8 PRIMARY KEY
);
REVOKE ALL ON "pgsync".durable_mark FROM PUBLIC;
DO $pgsync$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger
                   WHERE tgrelid = ('"pgsync"' || '.durable_mark')::pg_catalog.regclass AND tgname = 'durable_at_commit') THEN
        CREATE CONSTRAINT TRIGGER durable_at_commit AFTER INSERT ON "pgsync".durable_mark
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "pgsync".durable_at_commit();
    END IF;
END
$pgsync$;
INSERT INTO "pgsync".schema_version (version, description) VALUES (11, 'durable mark');
\endif

-- core/views/copy_status.sql
-- Per source table and destination: the initial copy's progress (rows copied of the estimate, rate
-- and time left while it runs) and how it ended.
CREATE OR REPLACE VIEW "pgsync".copy_status AS
SELECT c.nsp_name, c.table_name, c.dst_server, c.mode, c.status, c.rows_copied, c.rows_estimate, c.chunks,
       c.last_key, c.started_at, c.updated_at, c.finished_at, c.reason, r.rows_per_second,
       CASE WHEN c.status = 'copying' AND r.rows_per_second > 0 AND c.rows_estimate > c.rows_copied
            THEN pg_catalog.make_interval(secs => (c.rows_estimate - c.rows_copied) / r.rows_per_second) END AS eta
FROM "pgsync".copy_state AS c
CROSS JOIN LATERAL (
    SELECT CASE WHEN c.started_at IS NOT NULL AND COALESCE(c.finished_at, c.updated_at) > c.started_at
                THEN c.rows_copied / EXTRACT(epoch FROM COALESCE(c.finished_at, c.updated_at) - c.started_at)::double precision END AS rows_per_second
) AS r;

-- core/views/status.sql
-- Per stream (a destination and channel, '' its default channel): how far behind it is and how it
-- last went. (channel is the last column: a view's columns can only be added at its end.)
CREATE OR REPLACE VIEW "pgsync".status AS
SELECT d.dst_server,
       pg_catalog.count(e.id) AS depth,
       pg_catalog.min(e.create_time) AS oldest_entry_time,
       pg_catalog.clock_timestamp() - pg_catalog.min(e.create_time) AS oldest_entry_age,
       s.last_success,
       s.last_error,
       s.last_error_time,
       s.last_error_entry,
       s.last_error_table,
       d.channel
FROM (SELECT dst_server, channel FROM "pgsync".sync_err_rec UNION SELECT dst_server, channel FROM "pgsync".dst_state) AS d
LEFT JOIN "pgsync".sync_err_rec AS e ON e.dst_server = d.dst_server AND e.channel = d.channel
LEFT JOIN "pgsync".dst_state AS s ON s.dst_server = d.dst_server AND s.channel = d.channel
GROUP BY d.dst_server, d.channel, s.last_success, s.last_error, s.last_error_time, s.last_error_entry, s.last_error_table;

-- this node's incarnation (made again after a crash)
SELECT "pgsync".current_incarnation(true);

-- this node: origin and commit timeout
SELECT "pgsync".set_node('snapshot', '30000 milliseconds'::interval);

-- destination/015_node_identity.sql
-- What this database is to the nodes that forward changes (ReplicateAttribute.Forward): a random
-- identity, made once by whoever installs RoslynPgSync here first (this node's own installer, or a
-- source preparing it as a destination), the same for both. A change carries the identities of the
-- nodes it has been through (pgsync.path, set by the apply that brings it); a forwarding node learns
-- its destinations' identities (pgsync.peer) and sends a change to none it has been through.
-- made_in: the cluster (its system identifier) and database (its oid) the identity was made in. A
-- copy of the database (a dump restored elsewhere, CREATE DATABASE ... TEMPLATE) carries the row
-- along, and would be taken for the database it was copied from: where made_in is not here, the
-- identity is made again. A physical copy (a base backup, a promoted standby) has the same cluster
-- and oid, and cannot be told apart here: the installer refuses it (two servers, one identity).
-- (A row from before made_in is recorded as made here.)
-- Read by every role that installs here (it names nothing and grants nothing); written by its owner.
CREATE SCHEMA IF NOT EXISTS "pgsync";
CREATE TABLE IF NOT EXISTS "pgsync".node_identity (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    identity text NOT NULL DEFAULT pg_catalog.gen_random_uuid()::text,
    made_in text
);
DO $pgsync$
DECLARE
    v_here constant text := (SELECT s.system_identifier::text FROM pg_catalog.pg_control_system() AS s)
        OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||)
        (SELECT d.oid::text FROM pg_catalog.pg_database AS d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database());
BEGIN
    IF pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = ('"pgsync"' || '.node_identity')::pg_catalog.regclass), 'USAGE') THEN
        ALTER TABLE "pgsync".node_identity ADD COLUMN IF NOT EXISTS made_in text;
        IF NOT EXISTS (SELECT 1 FROM "pgsync".node_identity) THEN
            INSERT INTO "pgsync".node_identity (made_in) VALUES (v_here);
        END IF;
        UPDATE "pgsync".node_identity AS i
           SET identity = CASE WHEN i.made_in IS NULL THEN i.identity ELSE pg_catalog.gen_random_uuid()::text END, made_in = v_here
         WHERE i.made_in IS DISTINCT FROM v_here;
        GRANT SELECT ON "pgsync".node_identity TO PUBLIC;
    END IF;
END
$pgsync$;

-- (the installer checks here: no foreign server 'async_dst' of another wrapper exists)

-- foreign server async_dst, created or altered option by option
DO $pgsync$
DECLARE
    v_fdw name;
    v_have text[];
    v_changes text;
BEGIN
    SELECT w.fdwname, s.srvoptions INTO v_fdw, v_have
      FROM pg_catalog.pg_foreign_server AS s JOIN pg_catalog.pg_foreign_data_wrapper AS w ON w.oid = s.srvfdw
     WHERE s.srvname = 'async_dst';
    IF v_fdw IS NULL THEN
        CREATE SERVER "async_dst" FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host 'db2', port '5433', dbname 'remote', connect_timeout '15', application_name 'pgsync:snapshot', options '-c pgsync.origin=snapshot', keepalives '1', keepalives_idle '5', keepalives_interval '2', keepalives_count '3', tcp_user_timeout '20000');
    ELSIF v_fdw <> 'dblink_fdw' THEN
        RAISE EXCEPTION 'RoslynPgSync: a foreign server named % already exists for the % wrapper; register the destination under another name', 'async_dst', v_fdw;
    ELSE
        v_changes := "pgsync".option_changes(v_have, ARRAY['host=db2', 'port=5433', 'dbname=remote', 'connect_timeout=15', 'application_name=pgsync:snapshot', 'options=-c pgsync.origin=snapshot', 'keepalives=1', 'keepalives_idle=5', 'keepalives_interval=2', 'keepalives_count=3', 'tcp_user_timeout=20000']::text[], ARRAY['host', 'port', 'dbname', 'connect_timeout', 'application_name', 'options', 'sslmode', 'keepalives', 'keepalives_idle', 'keepalives_interval', 'keepalives_count', 'tcp_user_timeout']::text[]);
        IF v_changes IS NOT NULL THEN
            EXECUTE 'ALTER SERVER ' || pg_catalog.quote_ident('async_dst') || ' OPTIONS (' || v_changes || ')';
        END IF;
    END IF;
END
$pgsync$;

-- the password of server async_dst, for its user mapping only (transaction-local)
SELECT pg_catalog.set_config('pgsync.mapping_password', :'pgsync_password_async_dst', true);

-- the installing role's user mapping for server async_dst
DO $pgsync$
DECLARE
    v_found boolean;
    v_have text[];
    v_changes text;
    v_password text := pg_catalog.current_setting('pgsync.mapping_password');
BEGIN
    SELECT true, m.umoptions INTO v_found, v_have FROM pg_catalog.pg_user_mappings AS m
     WHERE m.srvname = 'async_dst' AND m.usename = CURRENT_USER;
    BEGIN
        IF v_found IS NULL THEN
            EXECUTE pg_catalog.format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I OPTIONS (user %L, password %L)', 'async_dst', 'replicator', v_password);
        ELSE
            v_changes := "pgsync".option_changes(v_have, ARRAY['user=' || 'replicator', 'password=' || v_password], ARRAY['user', 'password']);
            IF v_changes IS NOT NULL THEN
                EXECUTE pg_catalog.format('ALTER USER MAPPING FOR CURRENT_USER SERVER %I OPTIONS (%s)', 'async_dst', v_changes);
            END IF;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'RoslynPgSync: could not create or alter the user mapping of server %: %', 'async_dst', SQLERRM
            USING ERRCODE = SQLSTATE;
    END;
END
$pgsync$;

-- the password setting cleared
SELECT pg_catalog.set_config('pgsync.mapping_password', '', true);

-- (the installer checks here: server async_dst answers through dblink, with a password)

-- initial copy of app.hostile_async to async_dst (WhenTargetEmpty): recorded unless copied before
SELECT "pgsync".copy_register('app', 'hostile_async', 'async_dst', 'upsert', ARRAY['copy']::text[], ARRAY['hostile_async']::text[], true);

-- replicated tables whose capture is off: recorded (capture_gap)
SELECT pg_catalog.count(*) FROM "pgsync".capture_check(ARRAY['pgsync_capture_insert', 'pgsync_capture_update', 'pgsync_capture_delete', 'pgsync_capture_truncate']::text[], false);

-- app.hostile_async (RoslynPgSync.Tests.Models.HostileAsync)
CREATE OR REPLACE FUNCTION "pgsync"."capture_hostile_async_85e60889"()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
SET IntervalStyle = postgres
SET DateStyle = 'ISO, MDY'
SET lc_monetary = 'C'
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
        PERFORM "pgsync"."enqueue"('app', 'hostile_async', 'async_dst', '', 'a', 0, 'TRUNCATE ONLY "copy"."hostile_async"', NULL, NULL);
        RETURN NULL;
    END IF;

    -- A capture that can come late (not the table's first in this statement) checks nothing wrote its rows since (RefuseLateCapture).
    v_now := (EXTRACT(epoch FROM pg_catalog.statement_timestamp()))::text;
    IF pg_catalog.current_setting('pgsync.capture_hostile_async_85e60889', true) IS DISTINCT FROM v_now THEN
        PERFORM pg_catalog.set_config('pgsync.capture_hostile_async_85e60889', v_now, true);
    ELSE
        IF TG_OP = 'DELETE' THEN
            SELECT pg_catalog.json_build_object('id', o."id", 'code', o."code")::text INTO v_late FROM old_rows AS o WHERE EXISTS (SELECT 1 FROM "app"."hostile_async" AS t WHERE t."id" = o."id" AND t."code" = o."code") LIMIT 1;
        ELSE
            SELECT pg_catalog.json_build_object('id', n."id", 'code', n."code")::text INTO v_late FROM new_rows AS n WHERE NOT EXISTS (SELECT 1 FROM "app"."hostile_async" AS t WHERE t."id" = n."id" AND t."code" = n."code" AND t OPERATOR(pg_catalog.*=) n) LIMIT 1;
            IF v_late IS NULL AND TG_OP = 'UPDATE' THEN
                SELECT pg_catalog.json_build_object('id', o."id", 'code', o."code")::text INTO v_late FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id" AND n."code" = o."code") AND EXISTS (SELECT 1 FROM "app"."hostile_async" AS t WHERE t."id" = o."id" AND t."code" = o."code") LIMIT 1;
            END IF;
        END IF;
        IF v_late IS NOT NULL THEN
            RAISE EXCEPTION 'RoslynPgSync: a statement wrote the row of %.% with key %, and another write in the same statement changed it again before its capture ran: their changes would be replicated in the wrong order; refused', '"app"', '"hostile_async"', v_late
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

    -- async_dst → copy.hostile_async (Async)
    IF v_single THEN
        v_gone := NULL;
        v_row := NULL;
        v_key := NULL;
        IF TG_OP = 'INSERT' THEN
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers"::text AS "numbers", n."words"::text AS "words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag", n."period", n."days", n."price" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."id", o."code" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id" AND n."code" = o."code")) AS r;
            SELECT pg_catalog.row_to_json(r)::text, NULL::text INTO v_row, v_key FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers"::text AS "numbers", n."words"::text AS "words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag", n."period", n."days", n."price" FROM new_rows AS n) AS r;
        ELSE
            SELECT pg_catalog.row_to_json(r)::text INTO v_gone FROM (SELECT o."id", o."code" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_change"('app', 'hostile_async', 'async_dst', '', 'a', 'hostile_async_c55c69b393aec60c7d0d043339ca42c8', v_gone, v_row, v_key, NULL);
    ELSE
        IF TG_OP = 'INSERT' THEN
            OPEN v_rows FOR SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers"::text AS "numbers", n."words"::text AS "words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag", n."period", n."days", n."price" FROM new_rows AS n) AS r;
        ELSIF TG_OP = 'UPDATE' THEN
            -- Keys that left (the key changed, or the row no longer matches the filter), then the rows.
            -- (UNION ALL reads its branches in order.)
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."id", o."code" FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n."id" = o."id" AND n."code" = o."code")) AS r
                UNION ALL SELECT 1, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers"::text AS "numbers", n."words"::text AS "words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag", n."period", n."days", n."price" FROM new_rows AS n) AS r;
        ELSE
            OPEN v_rows FOR SELECT 0, pg_catalog.row_to_json(r)::text, NULL::text FROM (SELECT o."id", o."code" FROM old_rows AS o) AS r;
        END IF;
        PERFORM "pgsync"."enqueue_rows"('app', 'hostile_async', 'async_dst', '', 'a',
            'DELETE FROM "copy"."hostile_async" AS t USING pg_catalog.json_populate_recordset(NULL::"copy"."hostile_async", ', ') AS d WHERE t."id" = d."id" AND t."code" = d."code"',
            'INSERT INTO "copy"."hostile_async" AS t ("id", "code", "body", "blob", "numbers", "words", "document", "raw_json", "amount", "ratio", "at", "local_at", "span", "uid", "flag", "period", "days", "price") SELECT d."id", d."code", d."body", d."blob", d."numbers", d."words", (d."document" #>> ''{}'')::jsonb, (d."raw_json" #>> ''{}'')::json, d."amount", d."ratio", d."at", d."local_at", d."span", d."uid", d."flag", d."period", d."days", d."price" FROM pg_catalog.json_populate_recordset(NULL::"copy"."hostile_async", ', ') AS d ON CONFLICT ("id", "code") DO UPDATE SET "id" = EXCLUDED."id", "code" = EXCLUDED."code", "body" = EXCLUDED."body", "blob" = EXCLUDED."blob", "numbers" = EXCLUDED."numbers", "words" = EXCLUDED."words", "document" = EXCLUDED."document", "raw_json" = EXCLUDED."raw_json", "amount" = EXCLUDED."amount", "ratio" = EXCLUDED."ratio", "at" = EXCLUDED."at", "local_at" = EXCLUDED."local_at", "span" = EXCLUDED."span", "uid" = EXCLUDED."uid", "flag" = EXCLUDED."flag", "period" = EXCLUDED."period", "days" = EXCLUDED."days", "price" = EXCLUDED."price"', v_rows, NULL);
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
SELECT "pgsync"."register_statement"('hostile_async_c55c69b393aec60c7d0d043339ca42c8',
    'DELETE FROM "copy"."hostile_async" AS t USING pg_catalog.json_populate_recordset(NULL::"copy"."hostile_async", ', ') AS d WHERE t."id" = d."id" AND t."code" = d."code"',
    'INSERT INTO "copy"."hostile_async" AS t ("id", "code", "body", "blob", "numbers", "words", "document", "raw_json", "amount", "ratio", "at", "local_at", "span", "uid", "flag", "period", "days", "price") SELECT d."id", d."code", d."body", d."blob", d."numbers", d."words", (d."document" #>> ''{}'')::jsonb, (d."raw_json" #>> ''{}'')::json, d."amount", d."ratio", d."at", d."local_at", d."span", d."uid", d."flag", d."period", d."days", d."price" FROM (SELECT DISTINCT ON (d."id", d."code") d.* FROM pg_catalog.json_array_elements(', '::pg_catalog.json) WITH ORDINALITY AS a (v, n) CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::"copy"."hostile_async", a.v) AS d ORDER BY d."id", d."code", a.n DESC) AS d ON CONFLICT ("id", "code") DO UPDATE SET "id" = EXCLUDED."id", "code" = EXCLUDED."code", "body" = EXCLUDED."body", "blob" = EXCLUDED."blob", "numbers" = EXCLUDED."numbers", "words" = EXCLUDED."words", "document" = EXCLUDED."document", "raw_json" = EXCLUDED."raw_json", "amount" = EXCLUDED."amount", "ratio" = EXCLUDED."ratio", "at" = EXCLUDED."at", "local_at" = EXCLUDED."local_at", "span" = EXCLUDED."span", "uid" = EXCLUDED."uid", "flag" = EXCLUDED."flag", "period" = EXCLUDED."period", "days" = EXCLUDED."days", "price" = EXCLUDED."price"');
CREATE OR REPLACE FUNCTION "pgsync"."restore_hostile_async_85e60889"(p_dst text, p_keys text)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
SET IntervalStyle = postgres
SET DateStyle = 'ISO, MDY'
SET lc_monetary = 'C'
SET row_security = off
AS $pgsync$
DECLARE
    v_rows text;
    v_gone text;
    v_part text;
    v_sql text;
BEGIN
    IF p_dst = 'async_dst' THEN
        IF p_keys IS NULL THEN
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers"::text AS "numbers", n."words"::text AS "words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag", n."period", n."days", n."price" FROM "app"."hostile_async" AS n) AS r;
            v_part := 'TRUNCATE ONLY "copy"."hostile_async"';
        ELSE
            SELECT pg_catalog.json_agg(r)::text INTO v_rows FROM (SELECT n."id", n."code", n."body", n."blob", n."numbers"::text AS "numbers", n."words"::text AS "words", n."document"::text AS "document", n."raw_json"::text AS "raw_json", n."amount", n."ratio", n."at", n."local_at", n."span", n."uid", n."flag", n."period", n."days", n."price" FROM "app"."hostile_async" AS n WHERE EXISTS (SELECT 1 FROM pg_catalog.json_populate_recordset(NULL::"app"."hostile_async", p_keys::json) AS o WHERE n."id" = o."id" AND n."code" = o."code")) AS r;
            SELECT pg_catalog.json_agg(r)::text INTO v_gone FROM (SELECT DISTINCT o."id", o."code" FROM pg_catalog.json_populate_recordset(NULL::"app"."hostile_async", p_keys::json) AS o WHERE NOT EXISTS (SELECT 1 FROM "app"."hostile_async" AS n WHERE n."id" = o."id" AND n."code" = o."code")) AS r;
            v_part := NULL;
            IF v_gone IS NOT NULL THEN
                v_part := 'DELETE FROM "copy"."hostile_async" AS t USING pg_catalog.json_populate_recordset(NULL::"copy"."hostile_async", ' || pg_catalog.quote_literal(v_gone) || ') AS d WHERE t."id" = d."id" AND t."code" = d."code"';
            END IF;
        END IF;
        IF v_rows IS NOT NULL THEN
            v_part := pg_catalog.concat_ws(E';\n', v_part, 'INSERT INTO "copy"."hostile_async" AS t ("id", "code", "body", "blob", "numbers", "words", "document", "raw_json", "amount", "ratio", "at", "local_at", "span", "uid", "flag", "period", "days", "price") SELECT d."id", d."code", d."body", d."blob", d."numbers", d."words", (d."document" #>> ''{}'')::jsonb, (d."raw_json" #>> ''{}'')::json, d."amount", d."ratio", d."at", d."local_at", d."span", d."uid", d."flag", d."period", d."days", d."price" FROM pg_catalog.json_populate_recordset(NULL::"copy"."hostile_async", ' || pg_catalog.quote_literal(v_rows) || ') AS d ON CONFLICT ("id", "code") DO UPDATE SET "id" = EXCLUDED."id", "code" = EXCLUDED."code", "body" = EXCLUDED."body", "blob" = EXCLUDED."blob", "numbers" = EXCLUDED."numbers", "words" = EXCLUDED."words", "document" = EXCLUDED."document", "raw_json" = EXCLUDED."raw_json", "amount" = EXCLUDED."amount", "ratio" = EXCLUDED."ratio", "at" = EXCLUDED."at", "local_at" = EXCLUDED."local_at", "span" = EXCLUDED."span", "uid" = EXCLUDED."uid", "flag" = EXCLUDED."flag", "period" = EXCLUDED."period", "days" = EXCLUDED."days", "price" = EXCLUDED."price"');
        END IF;
        v_sql := pg_catalog.concat_ws(E';\n', v_sql, v_part);
    END IF;
    RETURN v_sql;
END
$pgsync$;
REVOKE ALL ON FUNCTION "pgsync"."restore_hostile_async_85e60889"(text, text) FROM PUBLIC;
SELECT "pgsync"."register_table"('app', 'hostile_async', 'restore_hostile_async_85e60889');
COMMIT;

-- On each destination database, as the role its user mapping logs in as, once (the installer does it itself):
--   -- destination/010_applied_entry.sql
--   -- On each destination database, over the destination's own connection (as the role its user
--   -- mapping logs in as): the record of the entries it applied, per origin (this node's and any
--   -- other's that replicates to it). One row per queue entry, written in the same transaction as the
--   -- entry's changes: the primary key refuses a second application, and the source removes the rows
--   -- it has settled (a few seconds' worth). Entries of a transaction applied before it committed also
--   -- carry the source table and the keys they touched, to restore them should that transaction abort.
--   CREATE SCHEMA IF NOT EXISTS "pgsync";
--   CREATE TABLE IF NOT EXISTS "pgsync".applied_entry (
--       origin text NOT NULL,
--       entry_id bigint NOT NULL,
--       dst_server text NOT NULL,
--       xact_id xid8 NOT NULL,
--       incarnation bigint NOT NULL,
--       entry_time bigint NOT NULL,
--       nsp_name text,
--       table_name text,
--       keys text,
--       in_savepoint boolean NOT NULL DEFAULT false,
--       applied_at timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
--       CONSTRAINT applied_entry_pkey PRIMARY KEY (origin, entry_id, entry_time)
--   );
--   REVOKE ALL ON "pgsync".applied_entry FROM PUBLIC;
--   -- destination/015_node_identity.sql
--   -- What this database is to the nodes that forward changes (ReplicateAttribute.Forward): a random
--   -- identity, made once by whoever installs RoslynPgSync here first (this node's own installer, or a
--   -- source preparing it as a destination), the same for both. A change carries the identities of the
--   -- nodes it has been through (pgsync.path, set by the apply that brings it); a forwarding node learns
--   -- its destinations' identities (pgsync.peer) and sends a change to none it has been through.
--   -- made_in: the cluster (its system identifier) and database (its oid) the identity was made in. A
--   -- copy of the database (a dump restored elsewhere, CREATE DATABASE ... TEMPLATE) carries the row
--   -- along, and would be taken for the database it was copied from: where made_in is not here, the
--   -- identity is made again. A physical copy (a base backup, a promoted standby) has the same cluster
--   -- and oid, and cannot be told apart here: the installer refuses it (two servers, one identity).
--   -- (A row from before made_in is recorded as made here.)
--   -- Read by every role that installs here (it names nothing and grants nothing); written by its owner.
--   CREATE SCHEMA IF NOT EXISTS "pgsync";
--   CREATE TABLE IF NOT EXISTS "pgsync".node_identity (
--       singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
--       identity text NOT NULL DEFAULT pg_catalog.gen_random_uuid()::text,
--       made_in text
--   );
--   DO $pgsync$
--   DECLARE
--       v_here constant text := (SELECT s.system_identifier::text FROM pg_catalog.pg_control_system() AS s)
--           OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||)
--           (SELECT d.oid::text FROM pg_catalog.pg_database AS d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database());
--   BEGIN
--       IF pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = ('"pgsync"' || '.node_identity')::pg_catalog.regclass), 'USAGE') THEN
--           ALTER TABLE "pgsync".node_identity ADD COLUMN IF NOT EXISTS made_in text;
--           IF NOT EXISTS (SELECT 1 FROM "pgsync".node_identity) THEN
--               INSERT INTO "pgsync".node_identity (made_in) VALUES (v_here);
--           END IF;
--           UPDATE "pgsync".node_identity AS i
--              SET identity = CASE WHEN i.made_in IS NULL THEN i.identity ELSE pg_catalog.gen_random_uuid()::text END, made_in = v_here
--            WHERE i.made_in IS DISTINCT FROM v_here;
--           GRANT SELECT ON "pgsync".node_identity TO PUBLIC;
--       END IF;
--   END
--   $pgsync$;
--   -- destination/020_conflict_log.sql
--   -- On each destination database, over the destination's own connection: the conflicts its apply met
--   -- on tables resolved by LastWriterWins (docs/multi-master.md), written by the apply's own statement,
--   -- in the transaction that applies the change. kind: PostgreSQL 18's names (insert_exists,
--   -- update_missing, update_origin_differs, delete_missing, delete_origin_differs); resolution:
--   -- apply_remote (the incoming write won) or keep_local (the row here stays); both rows as JSON, each
--   -- capped at 8192 characters; local_* the stamp the destination held (NULL: none), remote_* the
--   -- incoming one; entries: the first and last queue entry of the batch on the origin. Kept for the
--   -- retention the replay worker enforces (PgSyncHostOptions.ConflictRetention).
--   -- And, on a table of any policy, an incoming row that collides with a row here on a unique index
--   -- other than the key, which fails the batch and stops the queue at the entry: recorded by the origin's
--   -- apply after the failure (unique_conflict, 035_unique_conflict.sql).
--   CREATE TABLE IF NOT EXISTS "pgsync".conflict_log (
--       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
--       logged_at timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
--       nsp_name text NOT NULL,
--       table_name text NOT NULL,
--       key text NOT NULL,
--       kind text NOT NULL,
--       resolution text NOT NULL,
--       local_origin text,
--       local_at timestamp with time zone,
--       local_row text,
--       remote_origin text NOT NULL,
--       remote_at timestamp with time zone NOT NULL,
--       remote_row text,
--       entries text,
--       index_name text
--   );
--   CREATE INDEX IF NOT EXISTS conflict_log_logged_at ON "pgsync".conflict_log (logged_at);
--   REVOKE ALL ON "pgsync".conflict_log FROM PUBLIC;
--   -- The conflicts recorded, per table, kind, resolution and origin, since the log was made: kept by a
--   -- trigger on the log, in the transaction that records them, so a record counts when and only when
--   -- it commits, whatever its id (a transaction can commit after one holding a later id). What the
--   -- replay worker's metric pgsync.conflicts reads (conflict_totals); not purged with the records. Per
--   -- origin: the applies of different origins never wait on each other's counts; one origin's applies
--   -- to this database run one at a time per channel, and a table is in one channel. The groups are
--   -- upserted in key order, so two recorders that meet wait rather than deadlock.
--   CREATE TABLE IF NOT EXISTS "pgsync".conflict_counts (
--       nsp_name text NOT NULL,
--       table_name text NOT NULL,
--       kind text NOT NULL,
--       resolution text NOT NULL,
--       remote_origin text NOT NULL,
--       recorded bigint NOT NULL,
--       PRIMARY KEY (nsp_name, table_name, kind, resolution, remote_origin)
--   );
--   REVOKE ALL ON "pgsync".conflict_counts FROM PUBLIC;
--   -- Runs as the recorder (the role the apply logs in as, which owns the log or is a member of its owner).
--   CREATE OR REPLACE FUNCTION "pgsync".count_conflicts()
--   RETURNS trigger
--   LANGUAGE plpgsql
--   SET search_path = pg_catalog, pg_temp
--   AS $pgsync$
--   BEGIN
--       INSERT INTO "pgsync".conflict_counts AS c (nsp_name, table_name, kind, resolution, remote_origin, recorded)
--       SELECT n.nsp_name, n.table_name, n.kind, n.resolution, n.remote_origin, pg_catalog.count(*)
--         FROM pgsync_recorded AS n
--        GROUP BY 1, 2, 3, 4, 5
--        ORDER BY 1, 2, 3, 4, 5
--       ON CONFLICT (nsp_name, table_name, kind, resolution, remote_origin) DO UPDATE SET recorded = c.recorded + EXCLUDED.recorded;
--       RETURN NULL;
--   END
--   $pgsync$;
--   REVOKE ALL ON FUNCTION "pgsync".count_conflicts() FROM PUBLIC;
--   -- Changes to the log only its owner may make (a log from before them gets them at the owner's next
--   -- install; a role that is no member of the owner cannot record conflicts here at all):
--   -- index_name, a unique index other than the key that an incoming row collided with (kind
--   -- insert_exists or update_exists, resolution error: unique_conflict, 035_unique_conflict.sql); and
--   -- the trigger that keeps conflict_counts.
--   DO $pgsync$
--   BEGIN
--       IF pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = ('"pgsync"' || '.conflict_log')::pg_catalog.regclass), 'USAGE') THEN
--           ALTER TABLE "pgsync".conflict_log ADD COLUMN IF NOT EXISTS index_name text;
--           CREATE OR REPLACE TRIGGER conflict_counts AFTER INSERT ON "pgsync".conflict_log
--               REFERENCING NEW TABLE AS pgsync_recorded
--               FOR EACH STATEMENT EXECUTE FUNCTION "pgsync".count_conflicts();
--       END IF;
--   END
--   $pgsync$;
--   -- destination/030_conflict_error.sql
--   -- On each destination database: what a Conflicts = Error table's apply calls at the first conflict
--   -- of a batch (docs/multi-master.md). It fails the batch, so the origin's apply stops the queue at
--   -- the entry that met the conflict, with this error recorded (pgsync.status, dst_state): an operator
--   -- skips the entry there (pgsync.skip_entry), the queue goes on, and writes the row as it should be. The key and the origin are the replication's own values, not user SQL.
--   CREATE OR REPLACE FUNCTION "pgsync".conflict_error(p_nsp text, p_table text, p_key text, p_kind text, p_origin text)
--   RETURNS boolean
--   LANGUAGE plpgsql
--   SET search_path = pg_catalog, pg_temp
--   AS $pgsync$
--   BEGIN
--       RAISE EXCEPTION 'RoslynPgSync: conflict % on %.%, key %, in a change from %: Conflicts = Error stops this queue here',
--           p_kind, quote_ident(p_nsp), quote_ident(p_table), p_key, p_origin
--           USING ERRCODE = 'integrity_constraint_violation',
--                 HINT = 'Skip the entry on its origin with pgsync.skip_entry, then write the row as it should be.';
--   END
--   $pgsync$;
--   REVOKE ALL ON FUNCTION "pgsync".conflict_error(text, text, text, text, text) FROM PUBLIC;
--   -- destination/035_unique_conflict.sql
--   -- On each destination database: what the origin's apply calls, outside any transaction, after the
--   -- destination rejected a queue entry with a unique violation (PostgreSQL 18's insert_exists or
--   -- update_exists on an index other than the key, which no policy resolves here): the batch failed and
--   -- the queue stops at the entry, its error recorded on the origin (pgsync.status, dst_state). This
--   -- records the conflict here too, in conflict_log, where the others are (resolution 'error'): the
--   -- index, the incoming row's key, the incoming row and the row here it collides with (each capped at
--   -- 8192 characters), the origin, the entry's write time and the entry. Once per entry: the worker
--   -- tries the entry again and again until an operator resolves it (pgsync.skip_entry, or by freeing
--   -- the value).
--   -- p_sql: the entry's remote statement, run again in a subtransaction that is always rolled back,
--   -- to learn which constraint it violates now (nothing is recorded when it violates none). p_rows: the
--   -- entry's rows (a compact upsert's, as a JSON array; NULL for an entry that holds SQL: then only the
--   -- constraint's own description of the key is recorded). Runs as its caller (the replication's login
--   -- here, which runs such statements anyway); nobody else may call it.
--   CREATE OR REPLACE FUNCTION "pgsync".unique_conflict(p_sql text, p_rows text, p_origin text, p_entry bigint, p_at timestamp with time zone)
--   RETURNS bigint
--   LANGUAGE plpgsql
--   SET search_path = pg_catalog, pg_temp
--   AS $pgsync$
--   DECLARE
--       v_index text;
--       v_schema text;
--       v_table text;
--       v_detail text;
--       v_target regclass;
--       v_columns text[];
--       v_keys text[];
--       v_key text;
--       v_remote text;
--       v_local text;
--       v_existed boolean;
--       v_id bigint;
--   BEGIN
--       SELECT c.id INTO v_id FROM "pgsync".conflict_log AS c
--        WHERE c.remote_origin = p_origin AND c.entries = p_entry || '-' || p_entry AND c.resolution = 'error' AND c.index_name IS NOT NULL;
--       IF FOUND THEN
--           RETURN v_id;
--       END IF;
--       BEGIN
--           EXECUTE p_sql;
--           RAISE EXCEPTION 'rolled back' USING ERRCODE = 'P0004';
--       EXCEPTION
--           WHEN unique_violation THEN
--               GET STACKED DIAGNOSTICS v_index = CONSTRAINT_NAME, v_schema = SCHEMA_NAME, v_table = TABLE_NAME, v_detail = PG_EXCEPTION_DETAIL;
--           WHEN OTHERS THEN
--               RETURN NULL; -- (it went through this time, or failed otherwise: nothing to record)
--       END;
--       v_target := pg_catalog.format('%I.%I', v_schema, v_table)::regclass;
--   
--       -- The index's columns (none for an expression index) and the key's.
--       SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.n) FILTER (WHERE NOT i.indisprimary),
--              pg_catalog.bool_or(k.attnum = 0) FILTER (WHERE NOT i.indisprimary)
--         INTO v_columns, v_existed
--         FROM pg_catalog.pg_index AS i
--         JOIN pg_catalog.pg_class AS x ON x.oid = i.indexrelid
--        CROSS JOIN LATERAL pg_catalog.unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
--         LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
--        WHERE i.indrelid = v_target AND x.relname = v_index;
--       IF v_existed THEN
--           v_columns := NULL;
--       END IF;
--       SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.n) INTO v_keys
--         FROM pg_catalog.pg_index AS i
--        CROSS JOIN LATERAL pg_catalog.unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
--         JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
--        WHERE i.indrelid = v_target AND i.indisprimary;
--       v_existed := NULL;
--   
--       -- The incoming row that collides with a row here (another key, the same values in the index), that
--       -- row, and whether the incoming key was here already (update_exists) or not (insert_exists).
--       IF p_rows IS NOT NULL AND v_columns IS NOT NULL AND v_keys IS NOT NULL THEN
--           BEGIN
--               EXECUTE pg_catalog.format(
--                   'SELECT pg_catalog.json_build_object(%s)::text, pg_catalog.row_to_json(r)::text, pg_catalog.row_to_json(l)::text, '
--                   'EXISTS (SELECT 1 FROM %s AS h WHERE %s) '
--                   'FROM pg_catalog.json_array_elements($1::pg_catalog.json) AS e (v) '
--                   'CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::%s, e.v) AS r '
--                   'JOIN %s AS l ON %s WHERE NOT (%s) LIMIT 1',
--                   (SELECT pg_catalog.string_agg(pg_catalog.format('%L, r.%I', c, c), ', ') FROM pg_catalog.unnest(v_keys) AS c),
--                   v_target, (SELECT pg_catalog.string_agg(pg_catalog.format('h.%1$I = r.%1$I', c), ' AND ') FROM pg_catalog.unnest(v_keys) AS c),
--                   v_target, v_target,
--                   (SELECT pg_catalog.string_agg(pg_catalog.format('l.%1$I = r.%1$I', c), ' AND ') FROM pg_catalog.unnest(v_columns) AS c),
--                   (SELECT pg_catalog.string_agg(pg_catalog.format('l.%1$I = r.%1$I', c), ' AND ') FROM pg_catalog.unnest(v_keys) AS c))
--                 INTO v_key, v_remote, v_local, v_existed
--                 USING p_rows;
--           EXCEPTION WHEN OTHERS THEN
--               NULL; -- (rows this table cannot read: the constraint's description will do)
--           END;
--       END IF;
--   
--       INSERT INTO "pgsync".conflict_log (nsp_name, table_name, key, kind, resolution, local_row, remote_origin, remote_at, remote_row, entries, index_name)
--       VALUES (v_schema, v_table, COALESCE(v_key, v_detail, '?'), CASE WHEN v_existed THEN 'update_exists' ELSE 'insert_exists' END, 'error',
--               pg_catalog.left(v_local, 8192), p_origin, p_at, pg_catalog.left(v_remote, 8192), p_entry || '-' || p_entry, v_index)
--       RETURNING id INTO v_id;
--       RETURN v_id;
--   END
--   $pgsync$;
--   REVOKE ALL ON FUNCTION "pgsync".unique_conflict(text, text, text, bigint, timestamp with time zone) FROM PUBLIC;
--   -- destination/040_stale_read.sql
--   -- On each destination database: what the apply of a table with a conflict policy calls when a row of
--   -- its run changed after the statement's snapshot (a local writer, or another node's apply, committed
--   -- meanwhile): the statement's other steps could not see that change, so it fails with a
--   -- serialization failure and the origin's apply tries the batch again, with a new snapshot
--   -- (docs/multi-master.md).
--   CREATE OR REPLACE FUNCTION "pgsync".stale_read(p_nsp text, p_table text, p_key text)
--   RETURNS boolean
--   LANGUAGE plpgsql
--   SET search_path = pg_catalog, pg_temp
--   AS $pgsync$
--   BEGIN
--       RAISE EXCEPTION 'RoslynPgSync: a row of %.%, key %, changed while a replicated change of it was being applied; the batch is tried again',
--           quote_ident(p_nsp), quote_ident(p_table), p_key
--           USING ERRCODE = 'serialization_failure';
--   END
--   $pgsync$;
--   REVOKE ALL ON FUNCTION "pgsync".stale_read(text, text, text) FROM PUBLIC;
--   -- destination/045_target_owner.sql
--   -- The tables sources write here, and the check every remote transaction that writes them runs first
--   -- (remote_begin): a table's triggers run as the role that writes it, and the apply writes as the role
--   -- the source's user mapping logs in as, so an owner without that role's rights would get them through
--   -- a trigger (every other target, applied_entry by which sources dequeue, on a multi-master node the
--   -- installing role's). The installer refuses such a table and records the rest here per source
--   -- (its database identity) and server name; the check refuses the apply while one's owner is, or
--   -- has become, another role: neither this role nor a member of it (nor a superuser), nor a role
--   -- this one is a member of (a multi-master node's replication login and its installing role).
--   CREATE SCHEMA IF NOT EXISTS "pgsync";
--   CREATE TABLE IF NOT EXISTS "pgsync".target_table (
--       source text NOT NULL,
--       dst_server text NOT NULL,
--       nsp_name text NOT NULL,
--       table_name text NOT NULL,
--       PRIMARY KEY (source, dst_server, nsp_name, table_name)
--   );
--   REVOKE ALL ON "pgsync".target_table FROM PUBLIC;
--   
--   CREATE OR REPLACE FUNCTION "pgsync".check_target_owners()
--   RETURNS void
--   LANGUAGE plpgsql
--   STABLE
--   SET search_path = pg_catalog, pg_temp
--   AS $pgsync$
--   DECLARE
--       v_table text;
--       v_owner text;
--   BEGIN
--       SELECT pg_catalog.format('%I.%I', t.nsp_name, t.table_name), pg_catalog.pg_get_userbyid(c.relowner)::text INTO v_table, v_owner
--         FROM "pgsync".target_table AS t
--         JOIN pg_catalog.pg_namespace AS n ON n.nspname OPERATOR(pg_catalog.=) t.nsp_name
--         JOIN pg_catalog.pg_class AS c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid AND c.relname OPERATOR(pg_catalog.=) t.table_name
--        WHERE NOT pg_catalog.pg_has_role(c.relowner, CURRENT_USER, 'USAGE')
--          AND NOT pg_catalog.pg_has_role(CURRENT_USER, c.relowner, 'MEMBER')
--        LIMIT 1;
--       IF FOUND THEN
--           RAISE EXCEPTION 'RoslynPgSync: table % is owned by role "%", which does not have the rights of the replication role "%" that writes it: its triggers would run with those rights', v_table, v_owner, CURRENT_USER
--               USING ERRCODE = 'insufficient_privilege',
--                     HINT = pg_catalog.format('Make "%s" the owner (ALTER TABLE %s OWNER TO %I), or the owner a member of it; nothing is applied until then.', CURRENT_USER, v_table, CURRENT_USER);
--       END IF;
--   END
--   $pgsync$;
--   REVOKE ALL ON FUNCTION "pgsync".check_target_owners() FROM PUBLIC;
