-- What this node knows of its destinations' identities (peer, 0008_forwarding.sql; each destination's
-- own is destination/015_node_identity.sql), which the forwarding capture and the apply check a
-- change's path against, so that no change goes back to a node it has been through.

-- Records destination p_dst's identity where it changed. The one writer of peer: the installer (with
-- the identity it read as it prepared the destination) and learn_peer.
-- Called as the installing role (the installer, and apply_pending and vacuum_applied as their owner).
CREATE OR REPLACE FUNCTION @schema@.record_peer(p_dst text, p_identity text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
BEGIN
    INSERT INTO @schema@.peer AS p (dst_server, identity) VALUES (p_dst, p_identity)
    ON CONFLICT (dst_server) DO UPDATE SET identity = EXCLUDED.identity WHERE p.identity IS DISTINCT FROM EXCLUDED.identity;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.record_peer(text, text) FROM PUBLIC;

-- Destination p_dst's identity as it is now, read over the replication's connection p_conn (opened
-- if it is not), and recorded (record_peer); NULL when it cannot be read (the destination is down,
-- or has no identity: a RoslynPgSync older than forwarding), the connection then dropped. Never
-- raises. Called by apply_pending, when a batch holds forwarded entries for a destination whose
-- identity is not known yet, and by vacuum_applied, in the hosted worker's upkeep of each destination.
CREATE OR REPLACE FUNCTION @schema@.learn_peer(p_conn text, p_dst text, p_timeout interval)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_identity text;
BEGIN
    PERFORM @schema@.remote_connect(p_conn, p_dst);
    SELECT t.identity INTO v_identity
      FROM json_to_recordset(@schema@.remote_query(p_conn, 'SELECT identity FROM ' || @schema_literal@ || '.node_identity', p_timeout)) AS t(identity text);
    IF v_identity IS NOT NULL THEN
        PERFORM @schema@.record_peer(p_dst, v_identity);
    END IF;
    RETURN v_identity;
EXCEPTION WHEN query_canceled THEN
    PERFORM @schema@.remote_drop(p_conn); -- (a cancel still cancels; the connection goes with it)
    RAISE;
WHEN OTHERS THEN
    PERFORM @schema@.remote_drop(p_conn);
    RETURN NULL;
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.learn_peer(text, text, interval) FROM PUBLIC;
