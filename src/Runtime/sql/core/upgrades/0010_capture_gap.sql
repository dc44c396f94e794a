-- Per source table: since when its capture may have missed changes. A capture trigger that its table's
-- owner disabled (ALTER TABLE ... DISABLE TRIGGER, a bulk load's habit), set to fire only in replica
-- sessions, or dropped, lets every change through uncaptured, without an error; the installer
-- leaves a trigger that exists alone. capture_check records it here when it finds it (the hosted
-- worker's start, the health check), turns the trigger back on when it may, and the row stays, shown
-- by the health check, until a verification of the table finds every destination equal (the changes
-- written meanwhile are then known to be there, or were repaired).
CREATE TABLE IF NOT EXISTS @schema@.capture_gap (
    nsp_name text NOT NULL,
    table_name text NOT NULL,
    found_at timestamp with time zone NOT NULL,
    detail text NOT NULL,
    PRIMARY KEY (nsp_name, table_name)
);
REVOKE ALL ON @schema@.capture_gap FROM PUBLIC;
