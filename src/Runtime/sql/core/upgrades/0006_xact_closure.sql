-- A batch's closure over whole source transactions follows xact_id (every entry has it: the
-- writer's top-level transaction) instead of xact_first. xact_first was kept in a transaction-local
-- setting that every capturing transaction wrote for its first entry, about a tenth of a single-row
-- write's capture time; an index entry on (xact_id, id) costs less, and the apply finds, for each source
-- transaction a batch holds part of, its last entry in the stream with one probe of this index
-- (160_apply_pending.sql). xact_first stays, unwritten, for entries queued before.
CREATE INDEX IF NOT EXISTS sync_err_rec_xact ON @schema@.sync_err_rec (xact_id, id);
-- (Entries queued before this upgrade carry both: the closure over xact_id covers theirs too.)
DROP INDEX IF EXISTS @schema@.sync_err_rec_stream_xact_first;
