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
CREATE OR REPLACE FUNCTION @schema@.flush_at_commit()
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
    IF NOT EXISTS (SELECT 1 FROM @schema@.sync_pending AS p
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
        PERFORM 1 FROM @schema@.replicated_table AS r
         WHERE (r.nsp_name, r.table_name) IN (SELECT p.nsp_name, p.table_name FROM @schema@.sync_pending AS p
                                               WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server AND p.channel = NEW.channel)
           FOR SHARE OF r;
    END IF;
    -- Strict when any of the transaction's entries for this destination is, whatever the
    -- order of its statements: a Sync entry first must not let a Strict one commit unsent.
    v_strict := EXISTS (SELECT 1 FROM @schema@.sync_pending AS p
                        WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server AND p.channel = NEW.channel AND p.mode = 't');
    IF NOT EXISTS (SELECT 1 FROM @schema@.sync_err_rec AS e WHERE e.dst_server = NEW.dst_server AND e.channel = NEW.channel) THEN
        IF @schema@.apply_pending(NEW.dst_server, NEW.channel, 2147483647, v_strict, NEW.xact_id) > 0 THEN
            RETURN NULL;
        END IF;
        v_failed := true; -- (Strict raised instead)
    ELSIF NOT EXISTS (
        -- Something queued that this transaction's entries must follow: any entry but a copy
        -- chunk, or a chunk of a table they touch. (Only asked when the queue is not empty.)
        SELECT 1 FROM @schema@.sync_err_rec AS e
         WHERE e.dst_server = NEW.dst_server AND e.channel = NEW.channel
           AND NOT EXISTS (SELECT 1 FROM @schema@.copy_chunk AS k
                            WHERE k.entry_id = e.id
                              AND NOT EXISTS (SELECT 1 FROM @schema@.sync_pending AS p
                                               WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server AND p.channel = NEW.channel
                                                 AND p.nsp_name = k.nsp_name AND p.table_name = k.table_name))) THEN
        -- Only other tables' copy chunks: around them, not strict (a refusal may be a constraint
        -- on a row a queued chunk brings, so Strict tries again behind the chunks before failing).
        IF @schema@.apply_pending(NEW.dst_server, NEW.channel, 2147483647, false, NEW.xact_id) > 0 THEN
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
        DELETE FROM @schema@.sync_pending AS p WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server AND p.channel = NEW.channel RETURNING p.*)
    INSERT INTO @schema@.sync_err_rec (id, nsp_name, table_name, dst_server, channel, dst_query, create_time, mode, row_count, xact_id, keys, op, statement)
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
        SELECT 1 FROM @schema@.sync_err_rec AS e WHERE e.dst_server = NEW.dst_server AND e.channel = NEW.channel AND e.id < NEW.id OFFSET 1000) THEN
        IF v_wake THEN
            PERFORM pg_catalog.pg_notify('pgsync', NEW.dst_server);
        END IF;
    ELSIF @schema@.apply_pending(NEW.dst_server, NEW.channel, 2147483647, v_strict, NULL) = 0 AND NOT v_strict AND v_wake THEN
        PERFORM pg_catalog.pg_notify('pgsync', NEW.dst_server);
    END IF;
    -- The tables of the entries that stay queued are marked at the end of the commit
    -- (205_mark_queued.sql): a REPEATABLE READ or SERIALIZABLE writer of one of them whose snapshot is
    -- older then fails to serialize (above), instead of sending its change ahead of these. (Only for
    -- entries still queued: those this flush applied are on the destination already, ahead of any
    -- later change. A mark is an update of the table's replicated_table row, so a transaction
    -- prepared with entries queued holds it until COMMIT PREPARED.)
    INSERT INTO @schema@.queued_mark (xact_id, nsp_name, table_name)
    SELECT DISTINCT NEW.xact_id, e.nsp_name, e.table_name FROM @schema@.sync_err_rec AS e
     WHERE e.xact_id = NEW.xact_id AND e.dst_server = NEW.dst_server AND e.channel = NEW.channel
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$pgsync$;
-- (A trigger needs no EXECUTE right to fire.)
REVOKE ALL ON FUNCTION @schema@.flush_at_commit() FROM PUBLIC;
