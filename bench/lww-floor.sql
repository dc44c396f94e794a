-- Issue 17 point 5: the floor of LastWriterWins' apply in this design, measured in isolation.
-- Any apply that carries a stamp in each row's JSON and keeps a row-versions table parses the
-- stamped row and upserts twice (the target and its row version); this measures those two costs
-- alone, against the ApplyRemote statement, on one database (no dblink, no queue, no detection).
-- Run: psql -f bench/lww-floor.sql, then, interleaved, for each mode (0 ApplyRemote-like, 2 stamped
-- parse + target upsert, 1 that + row-version upsert):
--   TRUNCATE t, rv; CHECKPOINT; SELECT extract(epoch FROM run(<mode>)) * 1000;
-- Results: bench/results/issue17-conflicts.md, "The floor of this design".
DROP TABLE IF EXISTS t, rv, batches, batches_s;
CREATE TABLE t (store int NOT NULL, sku text NOT NULL, quantity int NOT NULL, details jsonb, version bigint NOT NULL, PRIMARY KEY (store, sku));
CREATE TABLE rv (store int NOT NULL, sku text NOT NULL, pgsync_version bigint NOT NULL, pgsync_at timestamptz NOT NULL, pgsync_origin text NOT NULL, pgsync_deleted boolean NOT NULL, pgsync_prev_at timestamptz, pgsync_prev_origin text, PRIMARY KEY (store, sku));
CREATE TABLE batches AS SELECT b, (SELECT json_agg(json_build_object('store', i % 100, 'sku', md5(i::text), 'quantity', i, 'details', json_build_object('a', i)::text, 'version', 1))::text FROM generate_series(b*1000, b*1000+999) i) AS j FROM generate_series(0,99) b;
CREATE TABLE batches_s AS SELECT b, (SELECT json_agg(json_build_object('store', i % 100, 'sku', md5(i::text), 'quantity', i, 'details', json_build_object('a', i)::text, 'version', 1, 'pgsync_version', 1, 'pgsync_at', clock_timestamp(), 'pgsync_origin', 'node_a', 'pgsync_prev_at', null, 'pgsync_prev_origin', null, 'pgsync_op', 'I'))::text FROM generate_series(b*1000, b*1000+999) i) AS j FROM generate_series(0,99) b;
CHECKPOINT;
CREATE OR REPLACE FUNCTION run(mode int) RETURNS interval LANGUAGE plpgsql AS $$
DECLARE r record; t0 timestamptz := clock_timestamp();
BEGIN
  FOR r IN SELECT * FROM (SELECT b, j FROM batches WHERE mode = 0 UNION ALL SELECT b, j FROM batches_s WHERE mode <> 0) x ORDER BY b LOOP
    IF mode = 0 THEN
      INSERT INTO t AS x (store, sku, quantity, details, version) SELECT s.store, s.sku, s.quantity, (s.details #>> '{}')::jsonb, s.version FROM json_to_recordset(r.j::json) AS s(store int, sku text, quantity int, details json, version bigint) ON CONFLICT (store, sku) DO UPDATE SET quantity = EXCLUDED.quantity, details = EXCLUDED.details, version = EXCLUDED.version;
    ELSIF mode = 1 THEN
      -- minimal LWW: same insert + row version upsert
      WITH d AS (SELECT * FROM json_to_recordset(r.j::json) AS s(store int, sku text, quantity int, details json, version bigint, pgsync_version bigint, pgsync_at timestamptz, pgsync_origin text, pgsync_prev_at timestamptz, pgsync_prev_origin text, pgsync_op text)),
           ti AS (INSERT INTO t AS x (store, sku, quantity, details, version) SELECT d.store, d.sku, d.quantity, (d.details #>> '{}')::jsonb, d.version FROM d ON CONFLICT (store, sku) DO UPDATE SET quantity = EXCLUDED.quantity, details = EXCLUDED.details, version = EXCLUDED.version RETURNING 1)
      INSERT INTO rv AS m SELECT d.store, d.sku, d.pgsync_version, d.pgsync_at, d.pgsync_origin, false, d.pgsync_prev_at, d.pgsync_prev_origin FROM d WHERE (SELECT count(*) FROM ti) >= 0
      ON CONFLICT (store, sku) DO UPDATE SET pgsync_version = EXCLUDED.pgsync_version, pgsync_at = EXCLUDED.pgsync_at, pgsync_origin = EXCLUDED.pgsync_origin WHERE (m.pgsync_version, m.pgsync_at, m.pgsync_origin COLLATE "C") < (EXCLUDED.pgsync_version, EXCLUDED.pgsync_at, EXCLUDED.pgsync_origin COLLATE "C");
    ELSE
      -- wide parse only + insert t (no rv)
      INSERT INTO t AS x (store, sku, quantity, details, version) SELECT s.store, s.sku, s.quantity, (s.details #>> '{}')::jsonb, s.version FROM json_to_recordset(r.j::json) AS s(store int, sku text, quantity int, details json, version bigint, pgsync_version bigint, pgsync_at timestamptz, pgsync_origin text, pgsync_prev_at timestamptz, pgsync_prev_origin text, pgsync_op text) ON CONFLICT (store, sku) DO UPDATE SET quantity = EXCLUDED.quantity, details = EXCLUDED.details, version = EXCLUDED.version;
    END IF;
  END LOOP;
  RETURN clock_timestamp() - t0;
END $$;
