-- Per installed source table: the function that rebuilds a target's rows for given keys from the
-- source (see resolve_applied).
CREATE TABLE IF NOT EXISTS @schema@.replicated_table (
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    restore_function text NOT NULL, -- (in this schema)
    PRIMARY KEY (nsp_name, table_name)
);
