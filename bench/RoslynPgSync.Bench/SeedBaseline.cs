namespace RoslynPgSync.Bench;

/// <summary>
/// The seed article's replication, reproduced as a baseline (not product code): a per-row trigger
/// that builds SQL with dblink_build_sql_insert/delete from the PK vector '1 2' and sends it at once
/// with dblink_exec over a reused named connection; UPDATE is delete(old key) + insert(new key).
/// </summary>
internal static class SeedBaseline
{
    public const string Trigger = """
        CREATE FUNCTION bench.seed_sync() RETURNS trigger LANGUAGE plpgsql SET search_path = dblink, pg_catalog AS $$
        DECLARE
            v_sql text;
        BEGIN
            IF NOT ('seed' = ANY (COALESCE(dblink_get_connections(), '{}'::text[]))) THEN
                PERFORM dblink_connect('seed', 'seed_dst');
            END IF;
            IF TG_OP = 'TRUNCATE' THEN
                PERFORM dblink_exec('seed', 'truncate table only bench.t_seed', false);
                RETURN NULL;
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                v_sql := dblink_build_sql_delete('bench.t_seed', '1 2'::int2vector, 2, ARRAY[OLD.pk1::text, OLD.pk2]);
                PERFORM dblink_exec('seed', v_sql, false);
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                v_sql := dblink_build_sql_insert('bench.t_seed', '1 2'::int2vector, 2, ARRAY[NEW.pk1::text, NEW.pk2], ARRAY[NEW.pk1::text, NEW.pk2]);
                PERFORM dblink_exec('seed', v_sql, false);
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER seed_row AFTER INSERT OR UPDATE OR DELETE ON bench.t_seed FOR EACH ROW EXECUTE FUNCTION bench.seed_sync();
        CREATE TRIGGER seed_truncate AFTER TRUNCATE ON bench.t_seed FOR EACH STATEMENT EXECUTE FUNCTION bench.seed_sync();
        """;
}
