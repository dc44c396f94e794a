using System.Globalization;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Installation;

/// <summary>
/// The objects every installation shares, in the RoslynPgSync schema: the queue, the destination
/// state, the apply/replay/flush functions and the status view. Everything is schema-qualified and
/// every function pins its <c>search_path</c>; the two functions that reach destinations run as
/// their owner (whose user mappings hold the passwords) and are the only SECURITY DEFINER ones.
/// </summary>
internal static class CoreSql
{
    /// <summary>The first key of the per-destination advisory locks (the second is the server's hash).</summary>
    public const int DestinationLockSpace = 0x50475359; // "PGSY"

    /// <param name="schema">The RoslynPgSync schema, quoted.</param>
    /// <param name="dblink">The schema of the dblink extension, quoted.</param>
    public static string Install(string schema, string dblink)
    {
        var queue = schema + "." + PgSql.QuoteIdentifier(SqlNames.Queue);
        var state = schema + "." + PgSql.QuoteIdentifier(SqlNames.DestinationState);
        var apply = schema + "." + PgSql.QuoteIdentifier(SqlNames.ApplyPending);
        var skipped = schema + "." + PgSql.QuoteIdentifier(SqlNames.Skipped);
        var skip = schema + "." + PgSql.QuoteIdentifier(SqlNames.SkipEntry);
        var pending = schema + "." + PgSql.QuoteIdentifier(SqlNames.SyncPending);
        var flush = schema + "." + PgSql.QuoteIdentifier(SqlNames.FlushAtCommit);
        var lockSpace = DestinationLockSpace.ToString(CultureInfo.InvariantCulture);
        return $$"""
            CREATE SCHEMA IF NOT EXISTS {{schema}};

            -- The queue: one entry per captured statement and destination (the seed's columns, plus mode).
            -- The names are text, not name: 64 fixed bytes each made every entry, and its WAL, larger.
            CREATE TABLE IF NOT EXISTS {{queue}} (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                nsp_name text NOT NULL,
                table_name text NOT NULL,
                dst_server text NOT NULL,
                dst_query text NOT NULL,
                create_time timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                mode "char" NOT NULL DEFAULT 'a' CHECK (mode IN ('a', 's', 't')),
                row_count bigint NOT NULL DEFAULT 0
            );
            -- The index is created only when missing, so that an installer running at start-up never
            -- locks the queue that other instances are draining.
            DO $pgsync$
            BEGIN
                IF pg_catalog.to_regclass({{PgSql.QuoteLiteral(schema + ".sync_err_rec_dst_server_id")}}) IS NULL THEN
                    CREATE INDEX sync_err_rec_dst_server_id ON {{queue}} (dst_server, id);
                END IF;
                -- The functions below look up one destination's entries with a parameter; after five
                -- calls PostgreSQL may plan them once for any destination, from statistics that, when
                -- one destination holds nearly every entry, say any destination does: it then scans
                -- the whole queue (in id order or sequentially) for a destination that has nothing
                -- queued. Telling the planner there are many destinations keeps those plans on the
                -- (dst_server, id) index. (SHARE UPDATE EXCLUSIVE: writers and replays go on.)
                IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                               WHERE attrelid = {{PgSql.QuoteLiteral(queue)}}::pg_catalog.regclass
                                 AND attname = 'dst_server' AND attoptions IS NOT NULL) THEN
                    ALTER TABLE {{queue}} ALTER COLUMN dst_server SET (n_distinct = 1000);
                    ANALYZE {{queue}};
                END IF;
            END
            $pgsync$;

            CREATE TABLE IF NOT EXISTS {{state}} (
                dst_server text PRIMARY KEY,
                last_success timestamp with time zone,
                last_error text,
                last_error_time timestamp with time zone,
                last_error_entry bigint
            );
            -- Added in a later version; checked first so that a re-install takes no lock on the table.
            DO $pgsync$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                               WHERE attrelid = {{PgSql.QuoteLiteral(state)}}::pg_catalog.regclass
                                 AND attname = 'last_error_table' AND NOT attisdropped) THEN
                    ALTER TABLE {{state}} ADD COLUMN last_error_table text;
                END IF;
            END
            $pgsync$;

            -- Sync and Strict entries wait here, per transaction, until it commits: flush_at_commit sends
            -- them, or moves them into the queue when it cannot (destination down, older entries
            -- queued). Unlogged: on success an entry is written and deleted in one transaction, and its
            -- rows vanish with that transaction if the server crashes before the commit; an entry that
            -- must outlive its transaction is moved into the (logged) queue before the commit. The ids
            -- come from the queue's sequence, so that moved entries keep their place in its order.
            DO $pgsync$
            BEGIN
                IF pg_catalog.to_regclass({{PgSql.QuoteLiteral(pending)}}) IS NULL THEN
                    EXECUTE pg_catalog.format(
                        $sql$CREATE UNLOGGED TABLE {{pending}} (
                            id bigint NOT NULL DEFAULT pg_catalog.nextval(%L::pg_catalog.regclass),
                            xact_id xid8 NOT NULL,
                            nsp_name text NOT NULL,
                            table_name text NOT NULL,
                            dst_server text NOT NULL,
                            dst_query text NOT NULL,
                            create_time timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                            mode "char" NOT NULL CHECK (mode IN ('s', 't')),
                            row_count bigint NOT NULL DEFAULT 0,
                            PRIMARY KEY (xact_id, dst_server, id))$sql$,
                        pg_catalog.pg_get_serial_sequence({{PgSql.QuoteLiteral(queue)}}, 'id'));
                END IF;
            END
            $pgsync$;

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
                    FOREACH v_table IN ARRAY ARRAY[{{PgSql.QuoteLiteral(queue)}}::pg_catalog.regclass, {{PgSql.QuoteLiteral(pending)}}::pg_catalog.regclass] LOOP
                        -- (Checked first: the ALTER locks the table, which must not happen at every start-up.)
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

            -- Entries an operator skipped with skip_entry, kept with the error that stopped them.
            CREATE TABLE IF NOT EXISTS {{skipped}} (
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

            -- Applies up to p_limit of one destination's oldest entries, in id order, in one remote
            -- transaction, then deletes them, and returns how many it applied. With p_xact: the entries
            -- that transaction (the calling one) has waiting in sync_pending, without the destination's
            -- lock (flush_at_commit does so when nothing is queued for the destination); on failure they
            -- stay there for the caller. A broken connection is reopened once. When the destination
            -- rejects a queued batch, the entries are tried one by one in a remote transaction that is
            -- rolled back, to find the one it rejects: the entries before it are applied, and it stays
            -- at the head of the queue with its error, id and table recorded (so the queue stops
            -- exactly there, order kept). With p_strict the error is raised.
            -- (The three-argument version of an earlier release would make calls ambiguous.)
            DROP FUNCTION IF EXISTS {{apply}}(text, integer, boolean);
            CREATE OR REPLACE FUNCTION {{apply}}(p_dst text, p_limit integer, p_strict boolean, p_xact xid8)
            RETURNS integer
            LANGUAGE plpgsql
            SECURITY DEFINER
            SET search_path = pg_catalog, pg_temp
            AS $pgsync$
            DECLARE
                v_ids bigint[];
                v_sql text;
                v_conn text := 'pgsync_' || p_dst;
                v_attempt integer := 0;
                v_error text;
                v_detail text;
                v_rows numeric;
                v_begin constant text := 'BEGIN; SET LOCAL search_path = pg_catalog, pg_temp; SET LOCAL synchronous_commit = on';
                v_entry record;
                v_good integer := 0;
                v_failed bigint;
                v_failed_error text;
                v_table text;
                v_reached boolean := false;
            BEGIN
                IF p_xact IS NULL THEN
                    PERFORM pg_catalog.pg_advisory_xact_lock({{lockSpace}}, pg_catalog.hashtext(p_dst));
                    SELECT pg_catalog.array_agg(q.id ORDER BY q.id), pg_catalog.string_agg(q.dst_query, E';\n' ORDER BY q.id),
                           pg_catalog.sum(q.row_count)
                      INTO v_ids, v_sql, v_rows
                      FROM (SELECT e.id, e.dst_query, e.row_count FROM {{queue}} AS e
                            WHERE e.dst_server = p_dst ORDER BY e.id LIMIT p_limit) AS q;
                ELSE
                    SELECT pg_catalog.array_agg(p.id ORDER BY p.id), pg_catalog.string_agg(p.dst_query, E';\n' ORDER BY p.id),
                           pg_catalog.sum(p.row_count)
                      INTO v_ids, v_sql, v_rows
                      FROM {{pending}} AS p WHERE p.xact_id = p_xact AND p.dst_server = p_dst;
                END IF;
                IF v_ids IS NULL THEN
                    RETURN 0;
                END IF;

                LOOP
                    v_attempt := v_attempt + 1;
                    v_reached := false;
                    BEGIN
                        IF v_conn <> ALL (COALESCE({{dblink}}.dblink_get_connections(), '{}'::text[])) THEN
                            PERFORM {{dblink}}.dblink_connect(v_conn, p_dst);
                        END IF;
                        v_reached := true;
                        PERFORM {{dblink}}.dblink_exec(v_conn, v_begin || E';\n' || v_sql || E';\nCOMMIT', true);
                        v_error := NULL;
                        EXIT;
                    EXCEPTION WHEN OTHERS THEN
                        GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
                        v_error := SQLERRM || COALESCE(': ' || NULLIF(v_detail, ''), '');
                        -- The connection may be broken (destination restarted) or inside an aborted
                        -- remote transaction: drop it, so the retry and later calls start clean.
                        BEGIN
                            PERFORM {{dblink}}.dblink_disconnect(v_conn);
                        EXCEPTION WHEN OTHERS THEN
                            NULL;
                        END;
                        EXIT WHEN v_attempt >= 2;
                    END;
                END LOOP;

                -- (Only when the destination was reached: an unreachable one is not tried a third time.)
                -- (Not for a transaction's own entries: they go into the queue, and its replay looks.)
                IF v_error IS NOT NULL AND v_reached AND pg_catalog.cardinality(v_ids) > 1 AND p_xact IS NULL THEN
                    BEGIN
                        IF v_conn <> ALL (COALESCE({{dblink}}.dblink_get_connections(), '{}'::text[])) THEN
                            PERFORM {{dblink}}.dblink_connect(v_conn, p_dst);
                        END IF;
                        PERFORM {{dblink}}.dblink_exec(v_conn, v_begin, true);
                        FOR v_entry IN SELECT e.id, e.dst_query FROM {{queue}} AS e WHERE e.id = ANY (v_ids) ORDER BY e.id LOOP
                            BEGIN
                                PERFORM {{dblink}}.dblink_exec(v_conn, v_entry.dst_query, true);
                            EXCEPTION WHEN OTHERS THEN
                                GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
                                v_failed := v_entry.id;
                                v_failed_error := SQLERRM || COALESCE(': ' || NULLIF(v_detail, ''), '');
                                EXIT;
                            END;
                            v_good := v_good + 1;
                        END LOOP;
                        PERFORM {{dblink}}.dblink_exec(v_conn, 'ROLLBACK', true);
                        IF v_failed IS NOT NULL THEN
                            v_error := v_failed_error;
                            IF v_good > 0 AND NOT p_strict THEN
                                SELECT pg_catalog.string_agg(e.dst_query, E';\n' ORDER BY e.id), pg_catalog.sum(e.row_count)
                                  INTO v_sql, v_rows
                                  FROM {{queue}} AS e WHERE e.id = ANY (v_ids[1:v_good]);
                                PERFORM {{dblink}}.dblink_exec(v_conn, v_begin || E';\n' || v_sql || E';\nCOMMIT', true);
                                v_ids := v_ids[1:v_good];
                            END IF;
                        END IF;
                        -- (When every entry went through one by one, the failure was the batch's, e.g. at
                        -- COMMIT: it stays recorded against the batch's first entry.)
                    EXCEPTION WHEN OTHERS THEN
                        v_failed := NULL; -- the connection failed while looking: keep the batch's error
                        BEGIN
                            PERFORM {{dblink}}.dblink_disconnect(v_conn);
                        EXCEPTION WHEN OTHERS THEN
                            NULL;
                        END;
                    END;
                END IF;

                IF v_error IS NOT NULL THEN
                    IF p_xact IS NULL THEN
                        SELECT pg_catalog.format('%I.%I', e.nsp_name, e.table_name) INTO v_table
                          FROM {{queue}} AS e WHERE e.id = COALESCE(v_failed, v_ids[1]);
                    ELSE
                        SELECT pg_catalog.format('%I.%I', p.nsp_name, p.table_name) INTO v_table
                          FROM {{pending}} AS p WHERE p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = v_ids[1];
                    END IF;
                    IF p_strict THEN
                        RAISE EXCEPTION 'RoslynPgSync: destination server "%" did not accept the change to %: %', p_dst, v_table, v_error
                            USING HINT = 'Strict mode fails the local transaction when its destination fails.';
                    END IF;
                    INSERT INTO {{state}} AS s (dst_server, last_error, last_error_time, last_error_entry, last_error_table)
                    VALUES (p_dst, v_error, pg_catalog.clock_timestamp(), COALESCE(v_failed, v_ids[1]), v_table)
                    ON CONFLICT (dst_server) DO UPDATE
                        SET last_error = EXCLUDED.last_error, last_error_time = EXCLUDED.last_error_time,
                            last_error_entry = EXCLUDED.last_error_entry, last_error_table = EXCLUDED.last_error_table;
                    IF v_failed IS NULL OR v_good = 0 OR p_strict THEN
                        RETURN 0;
                    END IF;
                    -- The entries before the rejected one were applied: delete them, keep the error.
                    DELETE FROM {{queue}} WHERE id = ANY (v_ids);
                    PERFORM pg_catalog.set_config('pgsync.applied_rows', v_rows::text, true);
                    RETURN v_good;
                END IF;

                IF p_xact IS NULL THEN
                    DELETE FROM {{queue}} WHERE id = ANY (v_ids);
                ELSE
                    DELETE FROM {{pending}} AS p WHERE p.xact_id = p_xact AND p.dst_server = p_dst AND p.id = ANY (v_ids);
                END IF;
                -- The rows the batch carried, for the caller's metrics (transaction-local).
                PERFORM pg_catalog.set_config('pgsync.applied_rows', v_rows::text, true);
                -- last_success is kept to the second: writing the state row at every commit would make
                -- concurrent committers wait for each other's row lock on it.
                IF NOT EXISTS (SELECT 1 FROM {{state}} AS s
                               WHERE s.dst_server = p_dst AND s.last_error IS NULL
                                 AND s.last_success > pg_catalog.clock_timestamp() - interval '1 second') THEN
                    INSERT INTO {{state}} AS s (dst_server, last_success)
                    VALUES (p_dst, pg_catalog.clock_timestamp())
                    ON CONFLICT (dst_server) DO UPDATE
                        SET last_success = EXCLUDED.last_success, last_error = NULL, last_error_time = NULL,
                            last_error_entry = NULL, last_error_table = NULL;
                END IF;
                RETURN pg_catalog.cardinality(v_ids);
            END
            $pgsync$;

            -- The documented way past an entry a destination will never accept: moves it from the queue
            -- to the skipped table with the error that stopped it, clears that error and wakes the
            -- workers to go on with the entries after it. Raises when the entry is not queued.
            CREATE OR REPLACE FUNCTION {{skip}}(p_id bigint)
            RETURNS void
            LANGUAGE plpgsql
            SECURITY DEFINER
            SET search_path = pg_catalog, pg_temp
            AS $pgsync$
            DECLARE
                v_dst text;
                v_entry record;
            BEGIN
                SELECT e.dst_server INTO v_dst FROM {{queue}} AS e WHERE e.id = p_id;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'RoslynPgSync: queue entry % does not exist (already applied or skipped?)', p_id;
                END IF;
                -- Not while a batch for that destination is being applied.
                PERFORM pg_catalog.pg_advisory_xact_lock({{lockSpace}}, pg_catalog.hashtext(v_dst));
                DELETE FROM {{queue}} AS e WHERE e.id = p_id RETURNING e.* INTO v_entry;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'RoslynPgSync: queue entry % was applied meanwhile', p_id;
                END IF;
                INSERT INTO {{skipped}} (id, nsp_name, table_name, dst_server, dst_query, create_time, mode, row_count, error)
                SELECT v_entry.id, v_entry.nsp_name, v_entry.table_name, v_entry.dst_server, v_entry.dst_query,
                       v_entry.create_time, v_entry.mode, v_entry.row_count,
                       (SELECT s.last_error FROM {{state}} AS s WHERE s.dst_server = v_dst AND s.last_error_entry = p_id);
                UPDATE {{state}} AS s SET last_error = NULL, last_error_time = NULL, last_error_entry = NULL, last_error_table = NULL
                 WHERE s.dst_server = v_dst AND s.last_error_entry = p_id;
                PERFORM pg_catalog.pg_notify({{PgSql.QuoteLiteral(SqlNames.NotifyChannel)}}, {{PgSql.QuoteLiteral(SqlNames.RetryPrefix)}} || v_dst);
            END
            $pgsync$;

            -- The seed's replay function: applies up to i_limit of the oldest entries, destination by
            -- destination (oldest first), and returns how many it applied. A destination that fails
            -- keeps its entries and does not hold back the others.
            CREATE OR REPLACE FUNCTION {{schema}}.{{PgSql.QuoteIdentifier(SqlNames.Replay)}}(i_limit integer)
            RETURNS integer
            LANGUAGE plpgsql
            SECURITY DEFINER
            SET search_path = pg_catalog, pg_temp
            AS $pgsync$
            DECLARE
                v_dst text;
                v_total integer := 0;
            BEGIN
                FOR v_dst IN SELECT e.dst_server FROM {{queue}} AS e GROUP BY e.dst_server ORDER BY pg_catalog.min(e.id) LOOP
                    EXIT WHEN v_total >= i_limit;
                    v_total := v_total + {{apply}}(v_dst, i_limit - v_total, false, NULL);
                END LOOP;
                RETURN v_total;
            END
            $pgsync$;

            -- Sync and Strict entries are sent when their transaction commits (this deferred trigger on
            -- sync_pending fires for each of them; the first of a destination sends them all), after
            -- anything older for the same destination. When nothing is queued for the destination they
            -- go alone and without the destination's lock: the row locks the transaction holds until
            -- its commit already order it after every transaction that changed the same rows
            -- (TRUNCATE: the table lock), so concurrent committers need not wait for each other's
            -- round trip. Otherwise, and when they fail, they move into the queue in order; there the
            -- ordered, locked path sends the older entries first (Sync leaves a large backlog to the
            -- replay worker). Sync keeps what fails queued; Strict fails the commit.
            CREATE OR REPLACE FUNCTION {{flush}}()
            RETURNS trigger
            LANGUAGE plpgsql
            SECURITY DEFINER
            SET search_path = pg_catalog, pg_temp
            AS $pgsync$
            DECLARE
                v_failed boolean := false;
                v_strict boolean;
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM {{pending}} AS p
                               WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server AND p.id = NEW.id) THEN
                    RETURN NULL; -- sent, or moved into the queue, with an earlier entry of this transaction
                END IF;
                -- Strict when any of the transaction's entries for this destination is, whatever the
                -- order of its statements: a Sync entry first must not let a Strict one commit unsent.
                v_strict := EXISTS (SELECT 1 FROM {{pending}} AS p
                                    WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server AND p.mode = 't');
                IF NOT EXISTS (SELECT 1 FROM {{queue}} AS e WHERE e.dst_server = NEW.dst_server) THEN
                    IF {{apply}}(NEW.dst_server, 2147483647, v_strict, NEW.xact_id) > 0 THEN
                        RETURN NULL;
                    END IF;
                    v_failed := true; -- (Strict raised instead)
                END IF;
                WITH moved AS (
                    DELETE FROM {{pending}} AS p WHERE p.xact_id = NEW.xact_id AND p.dst_server = NEW.dst_server RETURNING p.*)
                INSERT INTO {{queue}} (id, nsp_name, table_name, dst_server, dst_query, create_time, mode, row_count)
                OVERRIDING SYSTEM VALUE
                SELECT m.id, m.nsp_name, m.table_name, m.dst_server, m.dst_query, m.create_time, m.mode, m.row_count
                  FROM moved AS m ORDER BY m.id;
                IF v_failed THEN
                    -- The destination just failed (recorded in dst_state): not again in this commit.
                    PERFORM pg_catalog.pg_notify({{PgSql.QuoteLiteral(SqlNames.NotifyChannel)}}, NEW.dst_server);
                    RETURN NULL;
                END IF;
                IF NOT v_strict AND EXISTS (
                    SELECT 1 FROM {{queue}} AS e WHERE e.dst_server = NEW.dst_server AND e.id < NEW.id OFFSET 1000) THEN
                    PERFORM pg_catalog.pg_notify({{PgSql.QuoteLiteral(SqlNames.NotifyChannel)}}, NEW.dst_server);
                    RETURN NULL;
                END IF;
                IF {{apply}}(NEW.dst_server, 2147483647, v_strict, NULL) = 0 AND NOT v_strict THEN
                    PERFORM pg_catalog.pg_notify({{PgSql.QuoteLiteral(SqlNames.NotifyChannel)}}, NEW.dst_server);
                END IF;
                RETURN NULL;
            END
            $pgsync$;

            DO $pgsync$
            BEGIN
                -- (Earlier releases fired it on the queue itself.)
                IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger
                           WHERE tgrelid = {{PgSql.QuoteLiteral(queue)}}::pg_catalog.regclass AND tgname = 'flush_at_commit') THEN
                    DROP TRIGGER flush_at_commit ON {{queue}};
                END IF;
                IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger
                               WHERE tgrelid = {{PgSql.QuoteLiteral(pending)}}::pg_catalog.regclass AND tgname = 'flush_at_commit') THEN
                    CREATE CONSTRAINT TRIGGER flush_at_commit AFTER INSERT ON {{pending}}
                        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {{flush}}();
                END IF;
            END
            $pgsync$;

            -- The functions that reach destinations run as their owner, whose user mappings hold the
            -- passwords: nobody else may call them unless a DBA grants it (e.g. deal_sync_err_rec to an
            -- operator role). Triggers need no EXECUTE right to fire.
            REVOKE ALL ON FUNCTION {{apply}}(text, integer, boolean, xid8) FROM PUBLIC;
            REVOKE ALL ON FUNCTION {{schema}}.{{PgSql.QuoteIdentifier(SqlNames.Replay)}}(integer) FROM PUBLIC;
            REVOKE ALL ON FUNCTION {{flush}}() FROM PUBLIC;
            REVOKE ALL ON FUNCTION {{skip}}(bigint) FROM PUBLIC;

            -- The ALTER ... OPTIONS clauses that turn p_have (key=value, as pg_foreign_server.srvoptions
            -- holds them) into p_want: SET what differs, ADD what is missing, DROP what p_managed names
            -- and p_want no longer asks for; options nobody manages (a DBA's) stay. NULL: nothing to do.
            CREATE OR REPLACE FUNCTION {{schema}}.option_changes(p_have text[], p_want text[], p_managed text[])
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
            REVOKE ALL ON FUNCTION {{schema}}.option_changes(text[], text[], text[]) FROM PUBLIC;

            -- Per destination: how far behind it is and how it last went.
            CREATE OR REPLACE VIEW {{schema}}.{{PgSql.QuoteIdentifier(SqlNames.StatusView)}} AS
            SELECT d.dst_server,
                   pg_catalog.count(e.id) AS depth,
                   pg_catalog.min(e.create_time) AS oldest_entry_time,
                   pg_catalog.clock_timestamp() - pg_catalog.min(e.create_time) AS oldest_entry_age,
                   s.last_success,
                   s.last_error,
                   s.last_error_time,
                   s.last_error_entry,
                   s.last_error_table
            FROM (SELECT dst_server FROM {{queue}} UNION SELECT dst_server FROM {{state}}) AS d
            LEFT JOIN {{queue}} AS e ON e.dst_server = d.dst_server
            LEFT JOIN {{state}} AS s ON s.dst_server = d.dst_server
            GROUP BY d.dst_server, s.last_success, s.last_error, s.last_error_time, s.last_error_entry, s.last_error_table;

            """;
    }
}
