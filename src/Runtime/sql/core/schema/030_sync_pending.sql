-- Sync and Strict entries wait here, per transaction, until it commits: flush_at_commit sends
-- them, or moves them into the queue when it cannot (destination down, older entries
-- queued). Unlogged: on success an entry is written and deleted in one transaction, and its
-- rows vanish with that transaction if the server crashes before the commit; an entry that
-- must outlive its transaction is moved into the (logged) queue before the commit. The ids
-- come from the queue's sequence, so that moved entries keep their place in its order.
DO $pgsync$
BEGIN
    IF pg_catalog.to_regclass((@schema_literal@ || '.sync_pending')) IS NULL THEN
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
            (@schema_literal@ || '.sync_pending'),
            pg_catalog.pg_get_serial_sequence((@schema_literal@ || '.sync_err_rec'), 'id'));
    END IF;
END
$pgsync$;
