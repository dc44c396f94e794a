-- How every remote transaction that writes replicated rows starts (apply_pending's batches and
-- resolve_applied's restores): the destination's own settings must not change what is read. The
-- search path is pinned (no object of another schema is found first) and the commit is durable;
-- the rows travel as text, so the settings that change how text reads back are pinned as the
-- capture pins them when writing it: lc_monetary (a destination reading money as de_DE refused
-- '$1,234.50'), DateStyle, IntervalStyle and xmloption (content, the default, which accepts documents
-- too: a destination set to document refused a fragment the source holds). Row security off: a statement that a policy on a
-- target would filter (a DELETE of a row the policy hides deleted nothing, and the entry counted as
-- applied) fails instead, and its entry waits with the reason. Then no target may belong to a role that would get the
-- writing role's rights through its triggers (check_target_owners, on the destination).
CREATE OR REPLACE FUNCTION @schema@.remote_begin()
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $pgsync$
    SELECT 'BEGIN; SET LOCAL search_path = pg_catalog, pg_temp; SET LOCAL synchronous_commit = on; '
           'SET LOCAL DateStyle = ''ISO, MDY''; SET LOCAL IntervalStyle = postgres; SET LOCAL lc_monetary = ''C''; SET LOCAL xmloption = content; SET LOCAL row_security = off; '
           'SELECT ' OPERATOR(pg_catalog.||) @schema_literal@ OPERATOR(pg_catalog.||) '.check_target_owners()'
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.remote_begin() FROM PUBLIC;
