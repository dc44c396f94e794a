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
CREATE OR REPLACE FUNCTION @schema@.apply_pending(p_dst text, p_channel text, p_limit integer, p_strict boolean, p_xact xid8)
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
    v_begin constant text := @schema@.remote_begin();
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
    v_incarnation constant bigint := @schema@.current_incarnation(false);
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
    SELECT n.origin, COALESCE(@schema@.remote_timeout(), n.commit_timeout) INTO v_origin, v_timeout FROM @schema@.node AS n;
    IF p_xact IS NULL THEN
        PERFORM @schema@.lock_stream(p_dst, p_channel);
    END IF;

    LOOP
        IF p_xact IS NULL THEN
            -- The oldest entries, up to the bounds (LIMIT below the window, so only they are read;
            -- octet_length takes a stored value's size from its header, without detoasting it) ...
            SELECT pg_catalog.max(w.id), pg_catalog.min(w.id) INTO v_last, v_from
              FROM (SELECT l.id, pg_catalog.sum(pg_catalog.octet_length(l.dst_query)) OVER (ORDER BY l.id) - pg_catalog.octet_length(l.dst_query) AS bytes_before
                      FROM (SELECT e.id, e.dst_query FROM @schema@.sync_err_rec AS e
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
                  FROM (SELECT DISTINCT e.xact_id FROM @schema@.sync_err_rec AS e
                         WHERE e.dst_server = p_dst AND e.channel = p_channel AND e.id <= v_last AND e.id > v_from) AS x
                 CROSS JOIN LATERAL (SELECT c.id FROM @schema@.sync_err_rec AS c
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
                   @schema@.ledger_insert(v_origin, p_dst, v_self, v_incarnation, pg_catalog.array_agg(q.id ORDER BY q.id),
                       pg_catalog.array_agg((EXTRACT(epoch FROM q.create_time) * 1000000)::bigint ORDER BY q.id),
                       pg_catalog.array_agg(CASE WHEN q.xact_id = v_self THEN q.nsp_name END ORDER BY q.id),
                       pg_catalog.array_agg(CASE WHEN q.xact_id = v_self THEN q.table_name END ORDER BY q.id),
                       pg_catalog.array_agg(CASE WHEN q.xact_id = v_self THEN q.keys END ORDER BY q.id),
                       pg_catalog.array_agg(COALESCE(q.xact_id = v_self AND q.row_xid <> v_top, false) ORDER BY q.id))
              INTO v_ids, v_sql, v_first_count, v_rows, v_forwarded, v_ledger
              FROM (SELECT e.id, e.dst_query, e.row_count, e.xact_id, e.nsp_name, e.table_name, e.keys, e.create_time, e.path,
                           e.xmin::text::bigint AS row_xid,
                           pg_catalog.sum(pg_catalog.octet_length(e.dst_query)) OVER (ORDER BY e.id) - pg_catalog.octet_length(e.dst_query) AS bytes_before
                      FROM @schema@.sync_err_rec AS e
                     WHERE e.dst_server = p_dst AND e.channel = p_channel AND e.id <= v_last AND (e.xact_id IS DISTINCT FROM v_self OR e.mode <> 'a')
                       AND e.id <> ALL (COALESCE(v_done, '{}'::bigint[]))) AS q;
        ELSE
            SELECT pg_catalog.array_agg(p.id ORDER BY p.id),
                   NULL::text,
                   pg_catalog.count(*) FILTER (WHERE p.bytes_before < v_max_bytes),
                   pg_catalog.sum(p.row_count),
                   @schema@.ledger_insert(v_origin, p_dst, v_self, v_incarnation, pg_catalog.array_agg(p.id ORDER BY p.id),
                       pg_catalog.array_agg((EXTRACT(epoch FROM p.create_time) * 1000000)::bigint ORDER BY p.id),
                       pg_catalog.array_agg(p.nsp_name ORDER BY p.id), pg_catalog.array_agg(p.table_name ORDER BY p.id),
                       pg_catalog.array_agg(p.keys ORDER BY p.id),
                       pg_catalog.array_agg(COALESCE(p.row_xid <> v_top, false) ORDER BY p.id))
              INTO v_ids, v_sql, v_first_count, v_rows, v_ledger
              FROM (SELECT s.id, s.dst_query, s.row_count, s.nsp_name, s.table_name, s.keys, s.create_time, s.xmin::text::bigint AS row_xid,
                           pg_catalog.sum(pg_catalog.octet_length(s.dst_query)) OVER (ORDER BY s.id) - pg_catalog.octet_length(s.dst_query) AS bytes_before
                      FROM @schema@.sync_pending AS s WHERE s.xact_id = p_xact AND s.dst_server = p_dst AND s.channel = p_channel) AS p;
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
            v_peer := (SELECT p.identity FROM @schema@.peer AS p WHERE p.dst_server = p_dst);
            IF v_peer IS NULL THEN
                v_peer := @schema@.learn_peer(v_conn, p_dst, v_timeout);
            END IF;
            IF v_peer IS NOT NULL THEN
                DELETE FROM @schema@.sync_err_rec AS e
                 WHERE e.id = ANY (v_ids) AND v_peer = ANY (pg_catalog.string_to_array(e.path, ','));
                CONTINUE WHEN FOUND;
                -- (The block's text goes as a literal: nothing in the identity can end it.)
                v_check := 'DO ' || pg_catalog.quote_literal(pg_catalog.format(
                    'BEGIN IF (SELECT i.identity FROM %s.node_identity AS i) IS DISTINCT FROM %L THEN RAISE EXCEPTION USING MESSAGE = %L, ERRCODE = %L; END IF; END',
                    @schema_literal@, v_peer,
                    'RoslynPgSync: this database''s identity is not ' || v_peer || ', the one the sending node filtered the forwarded changes by; it learns the new one and sends them again',
                    'PSYID'));
                v_ledger := v_check || E';\n' || v_ledger;
            END IF;
        END IF;
        -- The first message's SQL: consecutive compact entries of one statement go as one.
        v_sql := @schema@.batch_sql(p_dst, p_xact, v_ids[1:v_first_count]);

        v_duplicate := false;
        v_attempt := 0;
        LOOP
            v_attempt := v_attempt + 1;
            v_reached := false;
            BEGIN
                PERFORM @schema@.remote_connect(v_conn, p_dst);
                v_reached := true;
                IF v_first_count = pg_catalog.cardinality(v_ids) THEN
                    PERFORM @schema@.remote_exec(v_conn, v_begin || E';\n' || v_ledger || E';\n' || v_sql || E';\nCOMMIT', v_timeout);
                ELSE
                    -- Larger than one message: the rest follow in messages of the bound, in the same remote transaction.
                    PERFORM @schema@.send_entries(v_conn, p_dst, p_xact, v_ids, v_begin || E';\n' || v_ledger, v_sql, v_first_count, v_max_bytes, v_timeout);
                END IF;
                v_error := NULL;
                EXIT;
            EXCEPTION WHEN query_canceled THEN
                -- A cancel (statement_timeout, pg_cancel_backend, a client's command timeout) is no
                -- error WHEN OTHERS takes, and may come between two messages of one remote
                -- transaction: the connection would stay open inside it, half a batch and its whole
                -- ledger uncommitted, for the session's next use (which would read that ledger, and
                -- commit it) to find. Dropped here, the remote transaction ends with it.
                PERFORM @schema@.remote_drop(v_conn);
                RAISE;
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL, v_state = RETURNED_SQLSTATE;
                v_error := SQLERRM || COALESCE(': ' || NULLIF(v_detail, ''), '');
                -- The connection may be broken (destination restarted) or inside an aborted
                -- remote transaction: drop it, so the retry and later calls start clean.
                PERFORM @schema@.remote_drop(v_conn);
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
            PERFORM @schema@.learn_peer(v_conn, p_dst, v_timeout);
            CONTINUE;
        END IF;

        EXIT WHEN NOT v_duplicate OR p_xact IS NOT NULL OR v_done IS NOT NULL;
        -- Which of them the destination has: they leave the queue unapplied; the rest go.
        BEGIN
            PERFORM @schema@.remote_connect(v_conn, p_dst);
            SELECT pg_catalog.array_agg(t.entry_id), pg_catalog.array_agg(t.entry_time) INTO v_done, v_done_times
              FROM pg_catalog.json_to_recordset(@schema@.remote_query(v_conn, pg_catalog.format(
                       'SELECT entry_id, entry_time FROM %s WHERE origin = %L AND entry_id = ANY (%L::bigint[])', (@schema_literal@ || '.applied_entry'), v_origin, v_ids), v_timeout))
                   AS t(entry_id bigint, entry_time bigint);
        EXCEPTION WHEN query_canceled THEN
            PERFORM @schema@.remote_drop(v_conn); -- (as above)
            RAISE;
        WHEN OTHERS THEN
            PERFORM @schema@.remote_drop(v_conn);
            EXIT; -- (v_error stays the batch's)
        END;
        BEGIN
            DELETE FROM @schema@.sync_err_rec AS e
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
            PERFORM @schema@.remote_connect(v_conn, p_dst);
            PERFORM @schema@.remote_exec(v_conn, v_begin, v_timeout);
            -- (Entry by entry, but a run of TRUNCATEs of one transaction as one, as batch_sql sends it.)
            FOR v_entry IN SELECT pg_catalog.min(r.id) AS id, pg_catalog.count(*)::integer AS entries,
                                  @schema@.path_sql(r.path) || E';\n' || CASE WHEN r.truncating IS NOT NULL THEN 'TRUNCATE ONLY ' || pg_catalog.string_agg(r.truncates, ', ' ORDER BY r.id)
                                                                            ELSE pg_catalog.string_agg(@schema@.entry_sql(r.op, r.statement, r.dst_query), '') END AS dst_query
                             FROM (SELECT t.*,
                                          CASE WHEN t.truncating IS NOT NULL
                                               THEN pg_catalog.row_number() OVER (ORDER BY t.id) - pg_catalog.row_number() OVER (PARTITION BY t.truncating, t.path ORDER BY t.id)
                                               ELSE -t.id END AS run
                                     FROM (SELECT e.id, e.op, e.statement, e.dst_query, e.path, @schema@.truncated_table(e.op, e.dst_query) AS truncates,
                                                  CASE WHEN @schema@.truncated_table(e.op, e.dst_query) IS NOT NULL THEN e.xact_id END AS truncating
                                             FROM @schema@.sync_err_rec AS e WHERE e.id = ANY (v_ids)) AS t) AS r
                            GROUP BY r.run, r.truncating, r.path ORDER BY 1 LOOP
                BEGIN
                    PERFORM @schema@.remote_exec(v_conn, v_entry.dst_query, v_timeout);
                EXCEPTION WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL, v_failed_state = RETURNED_SQLSTATE;
                    v_failed := v_entry.id;
                    v_failed_error := SQLERRM || COALESCE(': ' || NULLIF(v_detail, ''), '');
                    EXIT;
                END;
                v_good := v_good + v_entry.entries;
            END LOOP;
            PERFORM @schema@.remote_exec(v_conn, 'ROLLBACK', v_timeout);
            IF v_failed IS NOT NULL THEN
                v_error := v_failed_error;
                -- What goes is the entries before the rejected one, down to whole source transactions:
                -- the longest run of them that no transaction crosses the end of.
                SELECT COALESCE(pg_catalog.max(t.ord), 0) INTO v_good
                  FROM (SELECT b.ord, pg_catalog.max(b.xact_last) OVER (ORDER BY b.ord) AS reach
                          FROM (SELECT o.ord, pg_catalog.max(o.ord) OVER (PARTITION BY COALESCE(e.xact_id::text, 'entry ' || e.id::text)) AS xact_last
                                  FROM pg_catalog.unnest(v_ids) WITH ORDINALITY AS o(id, ord)
                                  JOIN @schema@.sync_err_rec AS e ON e.id = o.id) AS b) AS t
                 WHERE t.ord <= v_good AND t.reach = t.ord;
                IF v_good > 0 AND NOT p_strict THEN
                    SELECT pg_catalog.sum(e.row_count),
                           @schema@.ledger_insert(v_origin, p_dst, v_self, v_incarnation, pg_catalog.array_agg(e.id ORDER BY e.id),
                               pg_catalog.array_agg((EXTRACT(epoch FROM e.create_time) * 1000000)::bigint ORDER BY e.id),
                               pg_catalog.array_agg(CASE WHEN e.xact_id = v_self THEN e.nsp_name END ORDER BY e.id),
                               pg_catalog.array_agg(CASE WHEN e.xact_id = v_self THEN e.table_name END ORDER BY e.id),
                               pg_catalog.array_agg(CASE WHEN e.xact_id = v_self THEN e.keys END ORDER BY e.id),
                               pg_catalog.array_agg(COALESCE(e.xact_id = v_self AND e.xmin::text::bigint <> v_top, false) ORDER BY e.id))
                      INTO v_rows, v_ledger
                      FROM @schema@.sync_err_rec AS e WHERE e.id = ANY (v_ids[1:v_good]);
                    PERFORM @schema@.send_entries(v_conn, p_dst, NULL, v_ids[1:v_good], v_begin || E';\n' || COALESCE(v_check || E';\n', '') || v_ledger, NULL, 0, v_max_bytes, v_timeout);
                    v_ids := v_ids[1:v_good];
                END IF;
            END IF;
            -- (When every entry went through one by one, the failure was the batch's, e.g. at
            -- COMMIT: it stays recorded against the batch's first entry.)
        EXCEPTION WHEN query_canceled THEN
            PERFORM @schema@.remote_drop(v_conn); -- (as above: this search is one remote transaction too)
            RAISE;
        WHEN OTHERS THEN
            v_failed := NULL; -- the connection failed while looking: keep the batch's error
            PERFORM @schema@.remote_drop(v_conn);
        END;
    END IF;

    -- A unique violation (an index other than the key: upserts meet no other) stops the queue at the
    -- entry like any rejection; the destination's conflict log records it as well, with the rows that
    -- collide (unique_conflict, destination/035_unique_conflict.sql, once per entry). Best effort:
    -- the error stays recorded here whatever happens.
    IF v_error IS NOT NULL AND v_reached AND p_xact IS NULL AND NOT v_duplicate
       AND (CASE WHEN v_failed IS NOT NULL THEN v_failed_state = '23505' ELSE pg_catalog.cardinality(v_ids) = 1 AND v_state = '23505' END) THEN
        BEGIN
            PERFORM @schema@.remote_connect(v_conn, p_dst);
            PERFORM @schema@.remote_exec(v_conn, pg_catalog.format('SELECT %s.unique_conflict(%L, %L, %L, %s, %L)', @schema_literal@,
                        @schema@.entry_sql(e.op, e.statement, e.dst_query), CASE WHEN e.op = 'u' THEN '[' || e.dst_query || ']' END, v_origin, e.id, e.create_time), v_timeout)
               FROM @schema@.sync_err_rec AS e WHERE e.id = COALESCE(v_failed, v_ids[1]);
        EXCEPTION WHEN query_canceled THEN
            PERFORM @schema@.remote_drop(v_conn);
            RAISE;
        WHEN OTHERS THEN
            PERFORM @schema@.remote_drop(v_conn);
        END;
    END IF;

    IF v_error IS NOT NULL THEN
        IF p_xact IS NULL THEN
            SELECT pg_catalog.format('%I.%I', e.nsp_name, e.table_name) INTO v_table
              FROM @schema@.sync_err_rec AS e WHERE e.id = COALESCE(v_failed, v_ids[1]);
        ELSE
            SELECT pg_catalog.format('%I.%I', p.nsp_name, p.table_name) INTO v_table
              FROM @schema@.sync_pending AS p WHERE p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = v_ids[1];
        END IF;
        IF p_strict THEN
            -- The destination's error names the refused entry's row ("Failing row contains ..."); when
            -- that entry is another transaction's (queued ahead of this one's), the committer, who may
            -- be another role with no right to read it, is not told it: the queue's state records it.
            IF p_xact IS NULL AND EXISTS (SELECT 1 FROM @schema@.sync_err_rec AS e
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
            INSERT INTO @schema@.dst_state AS s (dst_server, channel, last_error, last_error_time, last_error_entry, last_error_table)
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
        DELETE FROM @schema@.sync_err_rec WHERE id = ANY (v_ids);
        PERFORM pg_catalog.set_config('pgsync.applied_rows', v_rows::text, true);
        RETURN v_good + COALESCE(pg_catalog.cardinality(v_done), 0);
    END IF;

    IF p_xact IS NULL THEN
        DELETE FROM @schema@.sync_err_rec WHERE id = ANY (v_ids);
    ELSE
        DELETE FROM @schema@.sync_pending AS p WHERE p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = ANY (v_ids);
    END IF;
    -- The rows the batch carried, for the caller's metrics (transaction-local).
    PERFORM pg_catalog.set_config('pgsync.applied_rows', v_rows::text, true);
    -- last_success is kept to the second: writing the state row at every commit would make
    -- concurrent committers wait for each other's row lock on it.
    -- (In a REPEATABLE READ or SERIALIZABLE writer, a concurrent committer may have written the
    -- row since its snapshot: its record of success will do, and the writer's commit goes on.)
    IF NOT EXISTS (SELECT 1 FROM @schema@.dst_state AS s
                   WHERE s.dst_server = p_dst AND s.channel = p_channel AND s.last_error IS NULL
                     AND s.last_success > pg_catalog.clock_timestamp() - interval '1 second') THEN
        BEGIN
            INSERT INTO @schema@.dst_state AS s (dst_server, channel, last_success)
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
REVOKE ALL ON FUNCTION @schema@.apply_pending(text, text, integer, boolean, xid8) FROM PUBLIC;
