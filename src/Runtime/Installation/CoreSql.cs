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
        var lockSpace = DestinationLockSpace.ToString(CultureInfo.InvariantCulture);
        return $$"""
            CREATE SCHEMA IF NOT EXISTS {{schema}};

            -- The queue: one entry per captured statement and destination (the seed's columns, plus mode).
            CREATE TABLE IF NOT EXISTS {{queue}} (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                nsp_name name NOT NULL,
                table_name name NOT NULL,
                dst_server text NOT NULL,
                dst_query text NOT NULL,
                create_time timestamp with time zone NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                mode "char" NOT NULL DEFAULT 'a' CHECK (mode IN ('a', 's', 't')),
                row_count bigint NOT NULL DEFAULT 0
            );
            -- Index and constraint trigger are created only when missing, so that an installer running
            -- at start-up never locks the queue that other instances are draining.
            DO $pgsync$
            BEGIN
                IF pg_catalog.to_regclass({{PgSql.QuoteLiteral(schema + ".sync_err_rec_dst_server_id")}}) IS NULL THEN
                    CREATE INDEX sync_err_rec_dst_server_id ON {{queue}} (dst_server, id);
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

            -- Applies up to p_limit of one destination's oldest entries, in id order, in one remote
            -- transaction, then deletes them. A failure leaves the queue as it was and is recorded;
            -- with p_strict it is raised instead. A broken connection is reopened once.
            CREATE OR REPLACE FUNCTION {{apply}}(p_dst text, p_limit integer, p_strict boolean)
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
            BEGIN
                PERFORM pg_catalog.pg_advisory_xact_lock({{lockSpace}}, pg_catalog.hashtext(p_dst));
                SELECT pg_catalog.array_agg(q.id ORDER BY q.id), pg_catalog.string_agg(q.dst_query, E';\n' ORDER BY q.id),
                       pg_catalog.sum(q.row_count)
                  INTO v_ids, v_sql, v_rows
                  FROM (SELECT e.id, e.dst_query, e.row_count FROM {{queue}} AS e
                        WHERE e.dst_server = p_dst ORDER BY e.id LIMIT p_limit) AS q;
                IF v_ids IS NULL THEN
                    RETURN 0;
                END IF;

                LOOP
                    v_attempt := v_attempt + 1;
                    BEGIN
                        IF v_conn <> ALL (COALESCE({{dblink}}.dblink_get_connections(), '{}'::text[])) THEN
                            PERFORM {{dblink}}.dblink_connect(v_conn, p_dst);
                        END IF;
                        PERFORM {{dblink}}.dblink_exec(v_conn,
                            'BEGIN; SET LOCAL search_path = pg_catalog, pg_temp; SET LOCAL synchronous_commit = on; '
                            || v_sql || E';\nCOMMIT', true);
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

                IF v_error IS NOT NULL THEN
                    IF p_strict THEN
                        RAISE EXCEPTION 'RoslynPgSync: destination server "%" did not accept the change: %', p_dst, v_error
                            USING HINT = 'Strict mode fails the local transaction when its destination fails.';
                    END IF;
                    INSERT INTO {{state}} AS s (dst_server, last_error, last_error_time, last_error_entry)
                    VALUES (p_dst, v_error, pg_catalog.clock_timestamp(), v_ids[1])
                    ON CONFLICT (dst_server) DO UPDATE
                        SET last_error = EXCLUDED.last_error, last_error_time = EXCLUDED.last_error_time,
                            last_error_entry = EXCLUDED.last_error_entry;
                    RETURN 0;
                END IF;

                DELETE FROM {{queue}} WHERE id = ANY (v_ids);
                -- The rows the batch carried, for the caller's metrics (transaction-local).
                PERFORM pg_catalog.set_config('pgsync.applied_rows', v_rows::text, true);
                INSERT INTO {{state}} AS s (dst_server, last_success)
                VALUES (p_dst, pg_catalog.clock_timestamp())
                ON CONFLICT (dst_server) DO UPDATE
                    SET last_success = EXCLUDED.last_success, last_error = NULL, last_error_time = NULL, last_error_entry = NULL;
                RETURN pg_catalog.cardinality(v_ids);
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
                    v_total := v_total + {{apply}}(v_dst, i_limit - v_total, false);
                END LOOP;
                RETURN v_total;
            END
            $pgsync$;

            -- Sync and Strict entries are sent when their transaction commits, after anything older for
            -- the same destination. Sync leaves them queued when the destination fails (or when a large
            -- backlog is waiting for the replay worker); Strict fails the commit.
            CREATE OR REPLACE FUNCTION {{schema}}.{{PgSql.QuoteIdentifier(SqlNames.FlushAtCommit)}}()
            RETURNS trigger
            LANGUAGE plpgsql
            SECURITY DEFINER
            SET search_path = pg_catalog, pg_temp
            AS $pgsync$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM {{queue}} AS e WHERE e.id = NEW.id) THEN
                    RETURN NULL; -- already sent with an earlier entry of this transaction
                END IF;
                IF pg_catalog.strpos(COALESCE(pg_catalog.current_setting('pgsync.flush_failed', true), ''),
                                     E'\x1f' || NEW.dst_server || E'\x1f') > 0 THEN
                    RETURN NULL; -- this destination already failed at this commit: leave the rest queued
                END IF;
                IF NEW.mode = 's' AND EXISTS (
                    SELECT 1 FROM {{queue}} AS e WHERE e.dst_server = NEW.dst_server AND e.id < NEW.id OFFSET 1000) THEN
                    PERFORM pg_catalog.pg_notify({{PgSql.QuoteLiteral(SqlNames.NotifyChannel)}}, NEW.dst_server);
                    RETURN NULL;
                END IF;
                IF {{apply}}(NEW.dst_server, 2147483647, NEW.mode = 't') = 0 AND NEW.mode = 's' THEN
                    PERFORM pg_catalog.set_config('pgsync.flush_failed',
                        COALESCE(NULLIF(pg_catalog.current_setting('pgsync.flush_failed', true), ''), E'\x1f') || NEW.dst_server || E'\x1f', true);
                    PERFORM pg_catalog.pg_notify({{PgSql.QuoteLiteral(SqlNames.NotifyChannel)}}, NEW.dst_server);
                END IF;
                RETURN NULL;
            END
            $pgsync$;

            DO $pgsync$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger
                               WHERE tgrelid = {{PgSql.QuoteLiteral(queue)}}::pg_catalog.regclass AND tgname = 'flush_at_commit') THEN
                    CREATE CONSTRAINT TRIGGER flush_at_commit AFTER INSERT ON {{queue}}
                        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.mode <> 'a')
                        EXECUTE FUNCTION {{schema}}.{{PgSql.QuoteIdentifier(SqlNames.FlushAtCommit)}}();
                END IF;
            END
            $pgsync$;

            -- The functions that reach destinations run as their owner, whose user mappings hold the
            -- passwords: nobody else may call them unless a DBA grants it (e.g. deal_sync_err_rec to an
            -- operator role). Triggers need no EXECUTE right to fire.
            REVOKE ALL ON FUNCTION {{apply}}(text, integer, boolean) FROM PUBLIC;
            REVOKE ALL ON FUNCTION {{schema}}.{{PgSql.QuoteIdentifier(SqlNames.Replay)}}(integer) FROM PUBLIC;
            REVOKE ALL ON FUNCTION {{schema}}.{{PgSql.QuoteIdentifier(SqlNames.FlushAtCommit)}}() FROM PUBLIC;

            -- Per destination: how far behind it is and how it last went.
            CREATE OR REPLACE VIEW {{schema}}.{{PgSql.QuoteIdentifier(SqlNames.StatusView)}} AS
            SELECT d.dst_server,
                   pg_catalog.count(e.id) AS depth,
                   pg_catalog.min(e.create_time) AS oldest_entry_time,
                   pg_catalog.clock_timestamp() - pg_catalog.min(e.create_time) AS oldest_entry_age,
                   s.last_success,
                   s.last_error,
                   s.last_error_time,
                   s.last_error_entry
            FROM (SELECT dst_server FROM {{queue}} UNION SELECT dst_server FROM {{state}}) AS d
            LEFT JOIN {{queue}} AS e ON e.dst_server = d.dst_server
            LEFT JOIN {{state}} AS s ON s.dst_server = d.dst_server
            GROUP BY d.dst_server, s.last_success, s.last_error, s.last_error_time, s.last_error_entry;

            """;
    }
}
