-- Cascade (ReplicateAttribute.Forward): a change this node applied from another node and queues again
-- for a forwarding destination carries path, the identities of the nodes it has been through
-- (comma-separated, its origin first; NULL: this node's own write). The apply tells the destination
-- the path with this node's identity added (path_sql), so that no node ever gets a change back.
ALTER TABLE @schema@.sync_err_rec ADD COLUMN IF NOT EXISTS path text;
-- Each destination's identity (destination/015_node_identity.sql), learned at install: the capture
-- forwards a change to a destination only when its identity is not on the change's path.
CREATE TABLE IF NOT EXISTS @schema@.peer (
    dst_server text PRIMARY KEY,
    identity text NOT NULL
);
REVOKE ALL ON @schema@.peer FROM PUBLIC;
