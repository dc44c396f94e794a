-- Compact entries: a statement of one row (most OLTP writes) is queued as the row, or the key it
-- deletes, in JSON (dst_query), its kind (op: 'u' upsert, 'd' delete) and the key of its target's
-- remote statements (statement), instead of a whole SQL text built in the writer's transaction.
-- The apply builds the SQL, and consecutive compact entries of one statement and kind go as ONE
-- remote statement (batch_sql): a backlog of single-row transactions is applied set-based.
-- op and statement are NULL for an entry that holds SQL (larger statements, TRUNCATE, copies,
-- repairs and restores), as every entry did before.
CREATE TABLE IF NOT EXISTS @schema@.entry_statement (
    statement text PRIMARY KEY, -- the generator's key: the texts' hash (SqlNames.StatementKey)
    delete_prefix text NOT NULL,
    delete_suffix text NOT NULL,
    upsert_prefix text NOT NULL, -- (the last row of a key wins: RemoteSql.UpsertLatest)
    upsert_suffix text NOT NULL
);
ALTER TABLE @schema@.sync_err_rec ADD COLUMN IF NOT EXISTS op "char", ADD COLUMN IF NOT EXISTS statement text;
ALTER TABLE @schema@.sync_pending ADD COLUMN IF NOT EXISTS op "char", ADD COLUMN IF NOT EXISTS statement text;
ALTER TABLE @schema@.sync_err_rec DROP CONSTRAINT IF EXISTS sync_err_rec_compact_check, ADD CONSTRAINT sync_err_rec_compact_check
    CHECK (op IS NULL AND statement IS NULL OR op IN ('u', 'd') AND statement IS NOT NULL);
ALTER TABLE @schema@.sync_pending DROP CONSTRAINT IF EXISTS sync_pending_compact_check, ADD CONSTRAINT sync_pending_compact_check
    CHECK (op IS NULL AND statement IS NULL OR op IN ('u', 'd') AND statement IS NOT NULL);
-- (Captures of one intermediate build called it; enqueue_change replaces it.)
DROP FUNCTION IF EXISTS @schema@.enqueue_row(text, text, text, text, "char", text, text, text, text, text, text, text);
