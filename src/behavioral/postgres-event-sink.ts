import { Injectable } from '@nestjs/common';
import { PrismaService } from '../infra/prisma/prisma.service';
import type { EventSink } from './event-batcher';
import type { BehavioralEventRecord } from './event-validator';

/**
 * Writes a batch in ONE statement: `INSERT … SELECT FROM jsonb_to_recordset(batch)`. The UUIDv7
 * primary key makes a retried batch idempotent (ON CONFLICT DO NOTHING). behavioral_events has
 * no foreign key (its per-row check was most of the insert's cost): the statement locks each
 * distinct user of the batch once (FOR KEY SHARE) and keeps only rows whose user still exists,
 * so a concurrent account deletion either waits for this batch (and then deletes its rows) or
 * has already removed the user (and the rows are skipped).
 */
@Injectable()
export class PostgresEventSink implements EventSink<EncodedEvent> {
  constructor(private readonly prisma: PrismaService) {}

  async write(rows: EncodedEvent[]): Promise<number> {
    if (rows.length === 0) return 0;
    const result = await this.prisma.pool.query({ name: 'behavioral-events-insert', text: INSERT_EVENT_BATCH_SQL, values: [eventBatchJson(rows)] });
    return result.rowCount ?? 0;
  }
}

/**
 * One statement per batch; its only parameter is eventBatchJson(rows). Parsed once as jsonb:
 * each event's payload is then already jsonb (json_to_recordset parsed it twice; ~10% more
 * database CPU per event).
 */
export const INSERT_EVENT_BATCH_SQL = `
  WITH batch AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
      AS e(id uuid, user_id uuid, event_type text, event_subtype text, session_id text, event_data jsonb, ts double precision)
  ), live_users AS (
    SELECT u.id FROM users u WHERE u.id IN (SELECT user_id FROM batch) FOR KEY SHARE
  )
  INSERT INTO behavioral_events (id, user_id, event_type, event_subtype, session_id, event_data, "timestamp")
  SELECT b.id, b.user_id, b.event_type, b.event_subtype, b.session_id, b.event_data, to_timestamp(b.ts / 1000)
  FROM batch b JOIN live_users l ON l.id = b.user_id
  ON CONFLICT (id) DO NOTHING`;

/** One event as a row of INSERT_EVENT_BATCH_SQL's batch: a JSON object, encoded once; ts in epoch milliseconds (half the cost of encoding a Date). */
export type EncodedEvent = string & { readonly __encodedEvent: unique symbol };

/**
 * Events wait in the queue already encoded (up to the flush interval, and longer while the
 * database is away). One flat string per event instead of a tree of objects: under load the
 * queued trees survived young-generation collections and were copied and promoted, which
 * more than doubled the API's garbage-collection time with tracking on (docs/benchmarks.md).
 */
export function encodeEvent(e: BehavioralEventRecord): EncodedEvent {
  return JSON.stringify({ id: e.id, user_id: e.userId, event_type: e.eventType, event_subtype: e.eventSubtype, session_id: e.sessionId, event_data: e.eventData, ts: e.timestamp.getTime() }) as EncodedEvent;
}

/**
 * The batch travels as ONE JSON document: JSON.stringify and PostgreSQL's JSON parser are
 * native, whereas seven pg array parameters are escaped character by character in JavaScript
 * (that cost 0.2 ms of API CPU per tracked request; docs/benchmarks.md).
 */
export function eventBatchJson(rows: EncodedEvent[]): string {
  return `[${rows.join(',')}]`;
}

/** Connection problems, restarts, serialization failures and deadlocks are worth retrying; bad data is not. */
export function isTransientDatabaseError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } } };
  const code = [e?.meta?.code, e?.meta?.driverAdapterError?.cause?.originalCode, e?.code].find((c): c is string => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c));
  if (code) {
    if (/^(22|23|42)/.test(code)) return false;
    if (/^(08|53|57|40)/.test(code)) return true;
  }
  const prismaCode = typeof e?.code === 'string' ? e.code : '';
  if (/^P10\d\d$/.test(prismaCode)) return true; // connection-level Prisma errors
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (/(violates|invalid input|out of range|malformed)/i.test(message)) return false;
  // Unknown failures are retried: the queue cap bounds what that can cost.
  return true;
}
