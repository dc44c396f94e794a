-- Installs of releases that recorded no schema version: the schema/ files have created what they
-- lacked; this brings what they had to version 1. On a new install it changes nothing.
-- The queue: the writer's transaction (so that its own Async entries never go before it commits)
-- and the keys of Sync/Strict entries, added without a default, which would rewrite the table,
-- and the default set after (it applies to new entries only).
ALTER TABLE @schema@.sync_err_rec ADD COLUMN IF NOT EXISTS xact_id xid8, ADD COLUMN IF NOT EXISTS keys text;
ALTER TABLE @schema@.sync_err_rec ALTER COLUMN xact_id SET DEFAULT pg_catalog.pg_current_xact_id();
ALTER TABLE @schema@.dst_state ADD COLUMN IF NOT EXISTS last_error_table text;
ALTER TABLE @schema@.sync_pending ADD COLUMN IF NOT EXISTS keys text;
ALTER TABLE @schema@.node ADD COLUMN IF NOT EXISTS commit_timeout interval;
-- Earlier releases fired flush_at_commit on the queue itself.
DROP TRIGGER IF EXISTS flush_at_commit ON @schema@.sync_err_rec;
-- Earlier signatures, which would make calls ambiguous.
DROP FUNCTION IF EXISTS @schema@.apply_pending(text, integer, boolean);
DROP FUNCTION IF EXISTS @schema@.ledger_insert(text, text, xid8, bigint[], text[], text[], text[]);
DROP FUNCTION IF EXISTS @schema@.ledger_insert(text, text, xid8, bigint[], bigint[], text[], text[], text[]);
DROP FUNCTION IF EXISTS @schema@.ledger_insert(text, text, xid8, bigint, bigint[], bigint[], text[], text[], text[]);
