-- Behavioural events are the only table written on (almost) every request, so its write
-- cost is tracking's cost (docs/benchmarks.md, docs/behavioral-events.md).

-- The foreign key checked every inserted row with its own locking query on users. The
-- batch insert now locks each distinct user of the batch once (FOR KEY SHARE) and keeps
-- only rows of users that still exist; account deletion removes events explicitly, after
-- the user row, so the two cannot interleave into orphans.
ALTER TABLE "behavioral_events" DROP CONSTRAINT "behavioral_events_user_id_fkey";

-- Every per-user query reads a time range of one user: (user_id, timestamp) serves them
-- all, with event_type as a filter; the three-column index was a second copy of it.
DROP INDEX "behavioral_events_user_id_event_type_timestamp_idx";

-- Ascending, not DESC: a user's new events then land at the end of that user's key range,
-- where PostgreSQL splits full pages leaving the left one full. With DESC every new event
-- went to the front of the range, splitting pages in half. Newest-first reads scan backwards.
DROP INDEX "behavioral_events_user_id_timestamp_idx";
CREATE INDEX "behavioral_events_user_id_timestamp_idx" ON "behavioral_events" ("user_id", "timestamp");

-- Rows arrive in time order, so a BRIN index (a few pages for millions of rows, almost
-- free to maintain) serves retention and "active in the last 7 days" scans.
DROP INDEX "behavioral_events_timestamp_idx";
CREATE INDEX "behavioral_events_timestamp_idx" ON "behavioral_events" USING BRIN ("timestamp");
