import { Injectable } from '@nestjs/common';
import { PrismaService } from '../infra/prisma/prisma.service';
import { BASELINE_DAYS, buildAggregate, detectChanges, RECENT_DAYS, type BehaviorAggregate, type GroupRow, type WindowRow } from './behavior-analytics';
import { ENGAGEMENT_WEIGHTS, MAX_ENGAGEMENT_WEIGHT } from './event-types';

const WEIGHT_TYPES = Object.keys(ENGAGEMENT_WEIGHTS);
const WEIGHT_VALUES = Object.values(ENGAGEMENT_WEIGHTS);
export const PURGE_CHUNK = 5_000;

/**
 * Behavioural analytics. Every figure is an SQL aggregate over the indexed
 * columns (user_id, event_type, timestamp); no event rows are loaded into Node.
 */
@Injectable()
export class BehavioralEventService {
  constructor(private readonly prisma: PrismaService) {}

  /** The reference aggregate (§3.7) over the last `days` days. */
  async aggregate(userId: string, days: number): Promise<BehaviorAggregate> {
    const rows = await this.prisma.$queryRaw<GroupRow[]>`
      SELECT event_type, COALESCE(event_data->>'interaction_type', 'unknown') AS interaction_type, count(*)::int AS n
      FROM behavioral_events
      WHERE user_id = ${userId}::uuid AND "timestamp" >= now() - make_interval(days => ${days}::int)
      GROUP BY 1, 2
      ORDER BY 1, 2`;
    return buildAggregate(userId, days, rows, new Date());
  }

  /** Last 7 days against the weekly average of days 8-37 (see detectChanges). */
  async behaviorChanges(userId: string) {
    const rows = await this.prisma.$queryRaw<WindowRow[]>`
      SELECT event_type,
             count(*) FILTER (WHERE "timestamp" >= now() - make_interval(days => ${RECENT_DAYS}::int))::int AS recent,
             count(*) FILTER (WHERE "timestamp" < now() - make_interval(days => ${RECENT_DAYS}::int))::int AS baseline
      FROM behavioral_events
      WHERE user_id = ${userId}::uuid AND "timestamp" >= now() - make_interval(days => ${RECENT_DAYS + BASELINE_DAYS}::int)
      GROUP BY event_type`;
    return detectChanges(rows);
  }

  /** The user's stored segment (written by the coaching module), or null. */
  async segmentInfo(userId: string) {
    const segment = await this.prisma.userSegment.findUnique({
      where: { userId },
      select: { segmentId: true, segmentName: true, confidence: true, updatedAt: true },
    });
    return segment
      ? { segment_id: segment.segmentId, segment_name: segment.segmentName, confidence: segment.confidence, updated_at: segment.updatedAt.toISOString() }
      : null;
  }

  /**
   * The user against the others of their segment over `days`: averages of event
   * counts and engagement, and the user's percentile (share of peers strictly below).
   * Users of the segment without events count as 0 events / 0 engagement.
   */
  async peerComparison(userId: string, days = 30) {
    const [row] = await this.prisma.$queryRaw<
      {
        segment_id: number | null;
        peer_count: number;
        user_events: number | null;
        user_engagement: number | null;
        peer_avg_events: number | null;
        peer_avg_engagement: number | null;
        events_below: number;
        engagement_below: number;
      }[]
    >`
      WITH me AS (SELECT segment_id FROM user_segments WHERE user_id = ${userId}::uuid),
      weights AS (SELECT * FROM unnest(${WEIGHT_TYPES}::text[], ${WEIGHT_VALUES}::float8[]) AS w(event_type, weight)),
      members AS (SELECT s.user_id FROM user_segments s JOIN me ON s.segment_id = me.segment_id),
      per_user AS (
        SELECT m.user_id,
               count(e.id)::float8 AS events,
               CASE WHEN count(e.id) = 0 THEN 0
                    ELSE LEAST(1, sum(COALESCE(w.weight, 1)) / (count(e.id) * ${MAX_ENGAGEMENT_WEIGHT}::float8)) END AS engagement
        FROM members m
        LEFT JOIN behavioral_events e ON e.user_id = m.user_id AND e."timestamp" >= now() - make_interval(days => ${days}::int)
        LEFT JOIN weights w ON w.event_type = e.event_type
        GROUP BY m.user_id
      ),
      mine AS (SELECT events, engagement FROM per_user WHERE user_id = ${userId}::uuid)
      SELECT (SELECT segment_id FROM me) AS segment_id,
             count(p.user_id)::int AS peer_count,
             (SELECT events FROM mine) AS user_events,
             (SELECT engagement FROM mine) AS user_engagement,
             avg(p.events) AS peer_avg_events,
             avg(p.engagement) AS peer_avg_engagement,
             count(*) FILTER (WHERE p.events < (SELECT events FROM mine))::int AS events_below,
             count(*) FILTER (WHERE p.engagement < (SELECT engagement FROM mine))::int AS engagement_below
      FROM per_user p
      WHERE p.user_id <> ${userId}::uuid`;
    const round = (v: number | null) => (v === null ? null : Math.round(Number(v) * 1000) / 1000);
    const peers = row?.peer_count ?? 0;
    return {
      segment_id: row?.segment_id ?? null,
      period_days: days,
      peer_count: peers,
      user: { total_events: Number(row?.user_events ?? 0), engagement_score: round(row?.user_engagement ?? 0) ?? 0 },
      peer_averages: peers > 0 ? { total_events: round(row.peer_avg_events), engagement_score: round(row.peer_avg_engagement) } : null,
      percentiles: peers > 0 ? { total_events: round(row.events_below / peers), engagement_score: round(row.engagement_below / peers) } : null,
    };
  }

  /** B1: the 30-day aggregate, the behaviour changes and the stored segment. */
  async insights(userId: string) {
    const [behaviorData, changes, segmentInfo] = await Promise.all([this.aggregate(userId, 30), this.behaviorChanges(userId), this.segmentInfo(userId)]);
    return {
      user_id: userId,
      behavior_data: behaviorData,
      behavior_changes: changes.changes,
      segment_info: segmentInfo,
      summary_generated_at: new Date().toISOString(),
    };
  }

  /** F14's ownership check: the transaction must be the user's. */
  async ownsTransaction(userId: string, transactionId: string): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<unknown[]>`
      SELECT 1 FROM transactions WHERE id = ${transactionId}::uuid AND user_id = ${userId}::uuid`;
    return rows.length > 0;
  }

  /**
   * Retention: deletes events older than `days` in chunks of `chunk` rows (one short
   * transaction each, on the timestamp index), so a large purge never holds long locks.
   */
  async purgeOlderThan(days: number, chunk = PURGE_CHUNK): Promise<number> {
    if (!Number.isInteger(days) || days < 1) throw new Error('purgeOlderThan: days must be a positive integer');
    let total = 0;
    for (;;) {
      const deleted = await this.prisma.$executeRaw`
        DELETE FROM behavioral_events
        WHERE id IN (SELECT id FROM behavioral_events
                     WHERE "timestamp" < now() - make_interval(days => ${days}::int)
                     LIMIT ${chunk}::int)`;
      total += deleted;
      if (deleted < chunk) return total;
    }
  }
}
