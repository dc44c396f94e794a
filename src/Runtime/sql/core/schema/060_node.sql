-- What this node is to its destinations: an origin name that stays the same across restarts and
-- differs from every other node's (the node name, for people, and a random part). Destinations
-- record what they applied under it. commit_timeout: how long a committing session waits for a
-- destination when it has not set pgsync.remote_timeout itself (PgSyncOptions.CommitTimeout;
-- NULL: without bound). One row, written by set_node at every install.
CREATE TABLE IF NOT EXISTS @schema@.node (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    origin text NOT NULL,
    commit_timeout interval
);
