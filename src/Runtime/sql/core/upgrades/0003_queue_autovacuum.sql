-- The queue's tables churn: every entry is inserted and soon deleted (sync_err_rec, and sync_pending
-- at every Sync commit), and dst_state is updated at every batch. Autovacuum's defaults wait for a
-- fifth of a table to be dead and then pause between pages, so under a sustained load the tables and
-- their indexes grow far past the backlog they hold, and every scan of the queue's head walks the dead
-- entries. Vacuumed after a fixed number of dead rows instead, without the cost-based pause, they stay
-- at the size of the backlog.
ALTER TABLE @schema@.sync_err_rec SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0);
ALTER TABLE @schema@.sync_pending SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0);
ALTER TABLE @schema@.dst_state SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
