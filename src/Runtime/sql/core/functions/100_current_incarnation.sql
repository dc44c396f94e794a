-- Writers only read it (0 while it is missing: records made under 0 are settled as if made
-- before a crash); the installer and resolve_applied, in transactions of their own, make it.
CREATE OR REPLACE FUNCTION @schema@.current_incarnation(p_make boolean)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $pgsync$
DECLARE
    v_token bigint;
BEGIN
    SELECT i.token INTO v_token FROM @schema@.incarnation AS i;
    IF v_token IS NULL AND p_make THEN
        INSERT INTO @schema@.incarnation (token)
        VALUES (pg_catalog.floor(pg_catalog.random() * 9000000000000000000)::bigint)
        ON CONFLICT (singleton) DO NOTHING;
        SELECT i.token INTO v_token FROM @schema@.incarnation AS i;
    END IF;
    RETURN COALESCE(v_token, 0);
END
$pgsync$;
REVOKE ALL ON FUNCTION @schema@.current_incarnation(boolean) FROM PUBLIC;
