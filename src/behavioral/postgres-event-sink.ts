import { Injectable } from '@nestjs/common';
import { PrismaService } from '../infra/prisma/prisma.service';
import type { EventSink } from './event-batcher';
import type { BehavioralEventRecord } from './event-validator';

/**
 * Writes a batch in ONE statement: `INSERT … SELECT FROM unnest(arrays)`. The UUIDv7
 * primary key makes a retried batch idempotent (ON CONFLICT DO NOTHING), and rows of
 * users deleted meanwhile are filtered out instead of failing the whole batch.
 */
@Injectable()
export class PostgresEventSink implements EventSink {
  constructor(private readonly prisma: PrismaService) {}

  async write(events: BehavioralEventRecord[]): Promise<number> {
    if (events.length === 0) return 0;
    const ids = events.map((e) => e.id);
    const users = events.map((e) => e.userId);
    const types = events.map((e) => e.eventType);
    const subtypes = events.map((e) => e.eventSubtype);
    const sessions = events.map((e) => e.sessionId);
    const payloads = events.map((e) => JSON.stringify(e.eventData));
    const times = events.map((e) => e.timestamp.toISOString());
    const result = await this.prisma.pool.query(
      `INSERT INTO behavioral_events (id, user_id, event_type, event_subtype, session_id, event_data, "timestamp")
       SELECT e.id, e.user_id, e.event_type, e.event_subtype, e.session_id, e.event_data, e.ts
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::timestamptz[])
            AS e(id, user_id, event_type, event_subtype, session_id, event_data, ts)
       WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id)
       ON CONFLICT (id) DO NOTHING`,
      [ids, users, types, subtypes, sessions, payloads, times],
    );
    return result.rowCount ?? 0;
  }
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
