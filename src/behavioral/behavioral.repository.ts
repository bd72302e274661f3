import { Injectable } from '@nestjs/common';

import { logBinSql } from '../common/peer-privacy';
import { deleteOlderThan, firstRow, rows } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';

/**
 * The read side of behavioural events (aggregates, recent events, retention), on the shared pg
 * pool with plain parameterised SQL (docs/architecture.md, data access). The write side is the
 * COPY batch in PostgresEventSink.
 */

export interface EventRow {
  id: string;
  eventType: string;
  eventSubtype: string | null;
  sessionId: string | null;
  timestamp: Date;
  eventData: unknown;
}

export interface SegmentRow {
  segmentId: number;
  segmentName: string;
  confidence: number;
  updatedAt: Date;
}

@Injectable()
export class BehavioralRepository {
  constructor(private readonly database: PrismaService) {}

  /** Events per type and interaction over the last `days` days. */
  countsByInteraction(userId: string, days: number) {
    return rows<{ event_type: string; interaction: string; n: number }>(this.database.pool, {
      name: 'behavior-counts-by-interaction',
      text: `SELECT event_type, coalesce(event_data->>'interaction_type', 'unknown') AS interaction, count(*)::int AS n
             FROM behavioral_events
             WHERE user_id = $1::uuid AND "timestamp" >= now() - make_interval(days => $2::int)
             GROUP BY 1, 2`,
      values: [userId, days],
    });
  }

  /** Events per type in the last 7 days and in the 30 days before them. */
  recentAndBaselineCounts(userId: string) {
    return rows<{ event_type: string; recent: number; baseline: number }>(this.database.pool, {
      name: 'behavior-recent-and-baseline',
      text: `SELECT event_type,
                    count(*) FILTER (WHERE "timestamp" >= now() - interval '7 days')::int AS recent,
                    count(*) FILTER (WHERE "timestamp" < now() - interval '7 days')::int AS baseline
             FROM behavioral_events
             WHERE user_id = $1::uuid AND "timestamp" >= now() - interval '37 days'
             GROUP BY event_type`,
      values: [userId],
    });
  }

  /** One page of events since `since`, newest first, and how many there are, in one round trip. */
  async recentEvents(userId: string, since: Date, limit: number, offset: number, eventType?: string) {
    const typed = eventType !== undefined;
    const condition = `user_id = $1::uuid AND "timestamp" >= $2${typed ? ' AND event_type = $5' : ''}`;
    const found = await rows<EventRow & { total: number }>(this.database.pool, {
      name: typed ? 'behavior-recent-events-typed' : 'behavior-recent-events',
      text: `SELECT c.total, e.*
             FROM (SELECT count(*)::int AS total FROM behavioral_events WHERE ${condition}) c
             LEFT JOIN LATERAL (
               SELECT id, event_type AS "eventType", event_subtype AS "eventSubtype", session_id AS "sessionId",
                      "timestamp", event_data AS "eventData"
               FROM behavioral_events WHERE ${condition}
               ORDER BY "timestamp" DESC LIMIT $3 OFFSET $4
             ) e ON true`,
      values: typed ? [userId, since, limit, offset, eventType] : [userId, since, limit, offset],
    });
    return {
      total: found[0]?.total ?? 0,
      events: found[0]?.id ? found.map(({ total: _total, ...event }) => event) : [],
    };
  }

  /**
   * The user's 30-day event count against those of the peers in the same segment, in one statement
   * (one grouped scan of the peers' events); the percentile compares bins of the counts
   * (src/common/peer-privacy.ts).
   */
  async peerActivity(userId: string) {
    return firstRow<{ peers: number; avg_events: number | null; mine: number; pct: number | null }>(
      this.database.pool,
      {
        name: 'behavior-peer-activity',
        text: `WITH seg AS (SELECT segment_id FROM user_segments WHERE user_id = $1::uuid),
               peer_ids AS (
                 SELECT us.user_id FROM user_segments us JOIN seg ON us.segment_id = seg.segment_id
                 WHERE us.user_id <> $1::uuid
               ),
               peer_events AS (
                 SELECT e.user_id, count(*) AS n FROM behavioral_events e JOIN peer_ids USING (user_id)
                 WHERE e."timestamp" >= now() - interval '30 days' GROUP BY e.user_id
               ),
               peer_counts AS (
                 SELECT p.user_id, COALESCE(pe.n, 0) AS n FROM peer_ids p LEFT JOIN peer_events pe USING (user_id)
               ),
               me AS (SELECT count(*) AS n FROM behavioral_events WHERE user_id = $1::uuid AND "timestamp" >= now() - interval '30 days')
               SELECT count(p.user_id)::int AS peers, avg(p.n)::float8 AS avg_events, max(me.n)::int AS mine,
                      avg((${logBinSql('p.n')} < ${logBinSql('me.n')})::int)::float8 AS pct
               FROM me LEFT JOIN peer_counts p ON true`,
        values: [userId],
      },
    );
  }

  /** The user's current segment, as the segmentation job stored it. */
  segmentOf(userId: string): Promise<SegmentRow | undefined> {
    return firstRow<SegmentRow>(this.database.pool, {
      name: 'behavior-segment-of',
      text: `SELECT segment_id AS "segmentId", segment_name AS "segmentName", confidence, updated_at AS "updatedAt"
             FROM user_segments WHERE user_id = $1::uuid`,
      values: [userId],
    });
  }

  /** Whether the transaction exists and is the user's (events about it are recorded only then). */
  async ownsTransaction(userId: string, transactionId: string): Promise<boolean> {
    const row = await firstRow(this.database.pool, {
      text: 'SELECT 1 FROM transactions WHERE id = $1::uuid AND user_id = $2::uuid',
      values: [transactionId, userId],
    });
    return row !== undefined;
  }

  /** The user's transaction-creation events of the last 30 days per category. */
  transactionEventsByCategory(userId: string): Promise<Array<{ category: string; n: number }>> {
    return rows<{ category: string; n: number }>(this.database.pool, {
      text: `SELECT event_data->>'category' AS category, count(*)::int AS n
             FROM behavioral_events
             WHERE user_id = $1::uuid AND event_type = 'transaction_creation' AND "timestamp" >= now() - interval '30 days'
               AND event_data->>'category' IS NOT NULL
             GROUP BY 1`,
      values: [userId],
    });
  }

  /** Users with activity in the last week (candidates for change detection). */
  async activeUsers(limit: number): Promise<string[]> {
    const found = await rows<{ user_id: string }>(this.database.pool, {
      text: `SELECT DISTINCT user_id FROM behavioral_events WHERE "timestamp" >= now() - interval '7 days' LIMIT $1`,
      values: [limit],
    });
    return found.map((r) => r.user_id);
  }

  /** Retention: deletes events older than `days`. */
  purgeOlderThan(days: number): Promise<number> {
    return deleteOlderThan(this.database.pool, 'behavioral_events', '"timestamp"', days);
  }
}
