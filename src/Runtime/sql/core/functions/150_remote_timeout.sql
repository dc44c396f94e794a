-- The session's pgsync.remote_timeout: NULL when unset, or when it is not a number of
-- milliseconds, seconds or minutes (so that a stray value never fails a commit). Plain SQL
-- without an exception block or SET clause, every name qualified: it runs at every Sync commit.
CREATE OR REPLACE FUNCTION @schema@.remote_timeout()
RETURNS interval
LANGUAGE sql
STABLE
AS $pgsync$
    SELECT CASE WHEN s.v OPERATOR(pg_catalog.~) '^\s*[0-9]+(\.[0-9]+)?\s*(ms|milliseconds?|s|sec|seconds?|min|minutes?)\s*$' THEN s.v::pg_catalog.interval END
      FROM (SELECT pg_catalog.current_setting('pgsync.remote_timeout', true) AS v) AS s
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.remote_timeout() FROM PUBLIC;
