-- This node's incarnation: a random token in an unlogged table, which crash recovery empties
-- (a backend crash restarts every session without restarting the postmaster, so the
-- postmaster's start time would not do). Records made under another token were made before
-- a crash, when an xid may come back. Made again by the first caller after a crash.
CREATE UNLOGGED TABLE IF NOT EXISTS @schema@.incarnation (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    token bigint NOT NULL
);
