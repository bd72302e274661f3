import { Injectable } from '@nestjs/common';

import { logBinSql } from '../common/peer-privacy';
import { firstRow, rows } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';

/** A user's stored segment: the hysteresis memory and the features peers are compared on. */
export interface StoredSegment {
  segmentId: number;
  segmentName: string;
  segmentDescription: string | null;
  confidence: number;
  features: unknown;
  source: string;
  modelVersion: string | null;
  pendingSegmentId: number | null;
  pendingSince: Date | null;
  assignedAt: Date;
  updatedAt: Date;
}

export type SegmentAssignment = Omit<StoredSegment, 'updatedAt' | 'features'> & {
  features: Record<string, unknown>;
  /** Distances to each centroid (model), or the rule that fired (fallback). */
  distances: number[] | Record<string, unknown>;
};

export interface PeerAggregateRow {
  n: number;
  avgBalance: number | null;
  avgSavings: number | null;
  avgVolatility: number | null;
  balancePct: number | null;
  savingsPct: number | null;
  volatilityPct: number | null;
  myBalance: number | null;
  mySavings: number | null;
  myVolatility: number | null;
}

const SEGMENT_COLUMNS = `segment_id AS "segmentId", segment_name AS "segmentName", segment_description AS "segmentDescription",
  confidence, features, source, model_version AS "modelVersion", pending_segment_id AS "pendingSegmentId",
  pending_since AS "pendingSince", assigned_at AS "assignedAt", updated_at AS "updatedAt"`;

/** Every query of user segments (user_segments), on the shared pg pool as named statements. */
@Injectable()
export class SegmentsRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(userId: string): Promise<StoredSegment | undefined> {
    return firstRow<StoredSegment>(this.prisma.pool, {
      name: 'segment-by-user',
      text: `SELECT ${SEGMENT_COLUMNS} FROM user_segments WHERE user_id = $1`,
      values: [userId],
    });
  }

  /**
   * Counts one recomputation the user causes against their hourly allowance (a new window starts an
   * hour after the last began): the seconds until the window ends when it is used up, else 0. One
   * statement on the user's row, so every replica counts the same. No stored segment: 0 (the first
   * computation stores the row with its window begun and one used).
   */
  async takeRecomputation(userId: string, perHour: number, at: Date): Promise<number> {
    const windowOver = `(recompute_window_start IS NULL OR recompute_window_start <= $2::timestamptz - interval '1 hour')`;
    const row = await firstRow<{ used: number; window_start: Date }>(this.prisma.pool, {
      name: 'segment-take-recomputation',
      text: `UPDATE user_segments SET
               recomputes_in_window = CASE WHEN ${windowOver} THEN 1 ELSE recomputes_in_window + 1 END,
               recompute_window_start = CASE WHEN ${windowOver} THEN $2::timestamptz ELSE recompute_window_start END
             WHERE user_id = $1
             RETURNING recomputes_in_window AS used, recompute_window_start AS window_start`,
      values: [userId, at],
    });
    if (!row || row.used <= perHour) return 0;
    return Math.max(1, Math.ceil((row.window_start.getTime() + 3_600_000 - at.getTime()) / 1000));
  }

  async save(userId: string, s: SegmentAssignment): Promise<StoredSegment> {
    const row = await firstRow<StoredSegment>(this.prisma.pool, {
      name: 'segment-upsert',
      text: `INSERT INTO user_segments
               (id, user_id, segment_id, segment_name, segment_description, confidence, distances, features, source,
                model_version, pending_segment_id, pending_since, assigned_at, created_at, updated_at,
                recompute_window_start, recomputes_in_window)
             VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, now(), now(), now(), 1)
             ON CONFLICT (user_id) DO UPDATE SET
               segment_id = EXCLUDED.segment_id, segment_name = EXCLUDED.segment_name,
               segment_description = EXCLUDED.segment_description, confidence = EXCLUDED.confidence,
               distances = EXCLUDED.distances, features = EXCLUDED.features, source = EXCLUDED.source,
               model_version = EXCLUDED.model_version, pending_segment_id = EXCLUDED.pending_segment_id,
               pending_since = EXCLUDED.pending_since, assigned_at = EXCLUDED.assigned_at, updated_at = now()
             RETURNING ${SEGMENT_COLUMNS}`,
      values: [
        userId,
        s.segmentId,
        s.segmentName,
        s.segmentDescription,
        s.confidence,
        JSON.stringify(s.distances),
        JSON.stringify(s.features),
        s.source,
        s.modelVersion,
        s.pendingSegmentId,
        s.pendingSince,
        s.assignedAt,
      ],
    });
    return row!;
  }

  /** Active users with recent transactions whose segment is missing or older than 20 hours, oldest first. */
  async dueForRefresh(limit: number): Promise<string[]> {
    const found = await rows<{ id: string }>(this.prisma.pool, {
      text: `SELECT u.id FROM users u
             LEFT JOIN user_segments s ON s.user_id = u.id
             WHERE u.is_active
               AND EXISTS (SELECT 1 FROM transactions t WHERE t.user_id = u.id AND t.transaction_date >= now() - interval '35 days')
               AND (s.updated_at IS NULL OR s.updated_at < now() - interval '20 hours')
             ORDER BY s.updated_at NULLS FIRST
             LIMIT $1`,
      values: [limit],
    });
    return found.map((r) => r.id);
  }

  /** Averages and the user's percentiles among the other users of one segment, in one aggregate. */
  /**
   * Peer percentiles compare bins of the values, not the values (src/common/peer-privacy.ts);
   * the savings rate is binned linearly (0.05).
   */
  peerAggregates(userId: string, segmentId: number): Promise<PeerAggregateRow | undefined> {
    return firstRow<PeerAggregateRow>(this.prisma.pool, {
      name: 'segment-peer-aggregates',
      text: `WITH me AS (
               SELECT (features->>'current_balance')::float8 AS balance, (features->>'savings_rate')::float8 AS savings,
                      (features->>'spending_volatility')::float8 AS volatility
               FROM user_segments WHERE user_id = $1::uuid
             ), peers AS (
               SELECT (features->>'current_balance')::float8 AS balance, (features->>'savings_rate')::float8 AS savings,
                      (features->>'spending_volatility')::float8 AS volatility
               FROM user_segments WHERE segment_id = $2 AND user_id <> $1::uuid
             )
             SELECT count(*)::int AS n, avg(p.balance) AS "avgBalance", avg(p.savings) AS "avgSavings",
                    avg(p.volatility) AS "avgVolatility",
                    avg((${logBinSql('p.balance')} < ${logBinSql('me.balance')})::int)::float8 AS "balancePct",
                    avg((floor(p.savings * 20) < floor(me.savings * 20))::int)::float8 AS "savingsPct",
                    avg((${logBinSql('p.volatility')} < ${logBinSql('me.volatility')})::int)::float8 AS "volatilityPct",
                    max(me.balance) AS "myBalance", max(me.savings) AS "mySavings", max(me.volatility) AS "myVolatility"
             FROM peers p CROSS JOIN me`,
      values: [userId, segmentId],
    });
  }
}
