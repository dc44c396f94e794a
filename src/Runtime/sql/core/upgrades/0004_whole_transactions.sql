-- A batch never splits a source transaction. A transaction's entries are not contiguous in the
-- queue: entries of concurrent transactions fall between them. So each entry after a transaction's
-- first for a destination records that first entry's id (xact_first; NULL on the first entry and on
-- every entry of a single-entry transaction). A batch that ends at entry X holds a transaction only
-- partly when some entry after X has xact_first <= X; the apply then extends the batch to that entry,
-- and again, until no transaction crosses its end (160_apply_pending.sql). The partial index holds
-- only such later entries: a transaction of one statement writes no index entry for it.
ALTER TABLE @schema@.sync_err_rec ADD COLUMN IF NOT EXISTS xact_first bigint;
ALTER TABLE @schema@.sync_pending ADD COLUMN IF NOT EXISTS xact_first bigint;
CREATE INDEX IF NOT EXISTS sync_err_rec_dst_server_xact_first ON @schema@.sync_err_rec (dst_server, xact_first)
    WHERE xact_first IS NOT NULL;
