-- Channels: a destination's entries form independent ordered streams, one per channel
-- ([Replicate(..., Channel = "...")]; '' is the destination's default channel). Order is strict
-- within a stream and there is none between streams: an Async backlog or an initial copy in one
-- channel does not hold back a Sync table in another. Each stream has its own head, lock, batches
-- and state; sync_err_rec stays the one queue a DBA counts per dst_server.
ALTER TABLE @schema@.sync_err_rec ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT '';
ALTER TABLE @schema@.sync_pending ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT '';
-- A stream's head is found on (dst_server, channel, id); the destination's count(*), its mark for the
-- verifier and the status read the same index by its first column. (One index replaces the other:
-- every captured statement pays for each index on the queue.)
CREATE INDEX IF NOT EXISTS sync_err_rec_stream_id ON @schema@.sync_err_rec (dst_server, channel, id);
DROP INDEX IF EXISTS @schema@.sync_err_rec_dst_server_id;
CREATE INDEX IF NOT EXISTS sync_err_rec_stream_xact_first ON @schema@.sync_err_rec (dst_server, channel, xact_first)
    WHERE xact_first IS NOT NULL;
DROP INDEX IF EXISTS @schema@.sync_err_rec_dst_server_xact_first;
-- How each stream last went: one channel's rejected entry must not be cleared by another's success.
ALTER TABLE @schema@.dst_state ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT '';
ALTER TABLE @schema@.dst_state DROP CONSTRAINT IF EXISTS dst_state_pkey;
ALTER TABLE @schema@.dst_state ADD PRIMARY KEY (dst_server, channel);
-- Skipped entries keep the stream they stopped.
ALTER TABLE @schema@.skipped_entry ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT '';
-- The functions that took a destination now take a stream (functions are replaced at every install;
-- these signatures would otherwise stay behind). enqueue and enqueue_rows keep their old signatures
-- beside the new ones, for capture functions generated before channels.
DROP FUNCTION IF EXISTS @schema@.apply_pending(text, integer, boolean, xid8);
DROP FUNCTION IF EXISTS @schema@.copy_queued(text, text, text, bigint, text, text, boolean);
