-- The closure over whole source transactions (160_apply_pending.sql) finds the last entry of each
-- source transaction a batch holds part of with one probe of (xact_id, id). The planner estimates how
-- many entries share an xact_id from the queue's statistics: analysed while one large transaction
-- filled the queue, they say that nearly every entry shares one, and the planner then walks the
-- primary key backwards from the newest entry for each transaction instead, to the batch's entries at
-- the other end (a bench drain took 52 s instead of 5, one batch 24 s; a queue of 100,000 entries under
-- such statistics, 11 s per batch where the probe takes milliseconds). The number of distinct
-- transactions is set as a share of the entries instead (half of them: what matters is that it grows
-- with the queue, so that no transaction is taken to hold most of it), and the statistics are made
-- again with it.
ALTER TABLE @schema@.sync_err_rec ALTER COLUMN xact_id SET (n_distinct = -0.5);
ANALYZE @schema@.sync_err_rec;
