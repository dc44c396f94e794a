-- The ALTER ... OPTIONS clauses that turn p_have (key=value, as pg_foreign_server.srvoptions
-- holds them) into p_want: SET what differs, ADD what is missing, DROP what p_managed names
-- and p_want no longer asks for; options nobody manages (a DBA's) stay. NULL: nothing to do.
CREATE OR REPLACE FUNCTION @schema@.option_changes(p_have text[], p_want text[], p_managed text[])
RETURNS text
LANGUAGE sql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $pgsync$
    WITH have AS (
        SELECT pg_catalog.split_part(o, '=', 1) AS k, pg_catalog.substr(o, pg_catalog.strpos(o, '=') + 1) AS v
          FROM pg_catalog.unnest(p_have) AS o),
    want AS (
        SELECT pg_catalog.split_part(o, '=', 1) AS k, pg_catalog.substr(o, pg_catalog.strpos(o, '=') + 1) AS v, n
          FROM pg_catalog.unnest(p_want) WITH ORDINALITY AS w(o, n))
    SELECT pg_catalog.string_agg(c, ', ' ORDER BY n) FROM (
        SELECT w.n, CASE WHEN h.k IS NULL THEN 'ADD ' ELSE 'SET ' END
                    || pg_catalog.quote_ident(w.k) || ' ' || pg_catalog.quote_literal(w.v) AS c
          FROM want AS w LEFT JOIN have AS h ON h.k = w.k
         WHERE h.v IS DISTINCT FROM w.v
        UNION ALL
        SELECT 2147483647, 'DROP ' || pg_catalog.quote_ident(h.k)
          FROM have AS h
         WHERE h.k = ANY (p_managed) AND NOT EXISTS (SELECT 1 FROM want AS w WHERE w.k = h.k)) AS changes
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.option_changes(text[], text[], text[]) FROM PUBLIC;
