-- behavioral_events is written on every tracked request, so what each row costs PostgreSQL to
-- insert is tracking's cost (docs/behavioral-events.md, docs/benchmarks.md).

-- event_data as json instead of jsonb: json is stored as the validated text it arrives as, while
-- jsonb converts every inserted payload to its binary form, most of a row's insert cost here. The
-- payloads are read rarely (analytics over one user's window), and those reads parse what they select.
ALTER TABLE "behavioral_events" ALTER COLUMN "event_data" TYPE json USING "event_data"::json;

-- One B-tree instead of two: the primary key on id and the (user_id, timestamp) index were both
-- maintained for every event. The key (user_id, timestamp, id) serves per-user time ranges with its
-- prefix, and a retried batch's ON CONFLICT finds the same (user, time, id) it wrote before. No
-- query looks an event up by id alone.
ALTER TABLE "behavioral_events" DROP CONSTRAINT "behavioral_events_pkey";
DROP INDEX "behavioral_events_user_id_timestamp_idx";
ALTER TABLE "behavioral_events" ADD CONSTRAINT "behavioral_events_pkey" PRIMARY KEY ("user_id", "timestamp", "id");

-- Both statements rewrite or re-index the table under a lock, for as long as the events kept
-- (EVENTS_RETENTION_DAYS) take; meanwhile the batcher keeps new events in its queue and retries.
