import { Injectable } from '@nestjs/common';

import { deleteOlderThan, rows } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';
import { BanditService } from '../ml/bandit/bandit.service';

export interface NewRecommendation {
  userId: string;
  kind: 'basic' | 'enhanced';
  text: string;
  actionId: number;
  actionType: string;
  confidence: number;
  decisionSource: string;
  policyVersion: string | null;
  /** Exact probability with which actionId was drawn. */
  propensity: number;
  actionProbabilities: number[];
  /** Bandit context and arm; null when no bandit took part in the choice. */
  segmentId: number | null;
  strategy: string | null;
  stateSnapshot: unknown;
  featureSnapshot: number[];
}

export interface RecommendationHistoryRow {
  id: string;
  recommendationText: string;
  actionType: string;
  confidenceScore: number;
  createdAt: Date;
  feedbackStatus: string;
}

/** SQL of recommendation rows and their feedback. */
@Injectable()
export class RecommendationsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly bandit: BanditService,
  ) {}

  /** One INSERT on the shared pool: this runs on every recommendation request. */
  async insert(r: NewRecommendation): Promise<{ id: string; createdAt: Date }> {
    const { rows } = await this.prisma.pool.query<{ id: string; created_at: Date }>({
      name: 'recommendation-history-insert', // prepared once per connection
      text: `INSERT INTO recommendation_history
               (id, user_id, kind, recommendation_text, action_id, action_type, confidence_score, decision_source, policy_version,
                propensity, action_probabilities, segment_id, strategy, financial_state_snapshot, feature_snapshot)
             VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13::jsonb, $14::jsonb)
             RETURNING id, created_at`,
      values: [
        r.userId,
        r.kind,
        r.text,
        r.actionId,
        r.actionType,
        r.confidence,
        r.decisionSource,
        r.policyVersion,
        r.propensity,
        JSON.stringify(r.actionProbabilities),
        r.segmentId,
        r.strategy,
        JSON.stringify(r.stateSnapshot),
        JSON.stringify(r.featureSnapshot),
      ],
    });
    return { id: rows[0].id, createdAt: rows[0].created_at };
  }

  /** One page of the user's recommendations, newest first, and how many there are in all. */
  async history(
    userId: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: RecommendationHistoryRow[]; total: number }> {
    const [page, [count]] = await Promise.all([
      rows<RecommendationHistoryRow>(this.prisma.pool, {
        name: 'recommendation-history-page',
        text: `SELECT id, recommendation_text AS "recommendationText", action_type AS "actionType",
                      confidence_score AS "confidenceScore", created_at AS "createdAt", feedback_status AS "feedbackStatus"
                 FROM recommendation_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3`,
        values: [userId, limit, offset],
      }),
      rows<{ total: number }>(this.prisma.pool, {
        name: 'recommendation-history-count',
        text: 'SELECT count(*)::int AS total FROM recommendation_history WHERE user_id = $1',
        values: [userId],
      }),
    ]);
    return { rows: page, total: count.total };
  }

  /**
   * Stores a user's feedback on their own recommendation and applies it to the bandit arm
   * and context the recommendation was chosen in, in one transaction that holds the
   * recommendation's row lock: concurrent feedback on one recommendation is applied one
   * after the other, and the row records the outcome it contributes, so it counts once.
   * Returns null when the recommendation is not the user's (or does not exist).
   */
  async recordFeedback(
    userId: string,
    recommendationId: string,
    feedbackType: string,
    feedbackText: string | null,
  ): Promise<{ feedbackId: string; actionType: string } | null> {
    const helpful = feedbackType !== 'not_helpful';
    const client = await this.prisma.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{
        action_type: string;
        segment_id: number | null;
        strategy: string | null;
        bandit_outcome: boolean | null;
        bandit_counted: boolean;
      }>(
        `SELECT action_type, segment_id, strategy, bandit_outcome, bandit_counted
           FROM recommendation_history WHERE id = $1 AND user_id = $2 FOR UPDATE`,
        [recommendationId, userId],
      );
      if (rows.length === 0) {
        await client.query('ROLLBACK');
        return null;
      }
      const rec = rows[0];
      const feedback = await client.query<{ id: string }>(
        `INSERT INTO recommendation_feedback (id, recommendation_id, user_id, feedback_type, feedback_text, created_at, updated_at)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, now(), now())
         ON CONFLICT (recommendation_id, user_id) DO UPDATE
           SET feedback_type = EXCLUDED.feedback_type, feedback_text = EXCLUDED.feedback_text, updated_at = now()
         RETURNING id`,
        [recommendationId, userId, feedbackType, feedbackText],
      );
      let outcome = rec.bandit_outcome;
      let counted = rec.bandit_counted;
      // Only recommendations a bandit chose teach it, and only in the context they were chosen in.
      if (rec.strategy !== null && rec.segment_id !== null) {
        counted = await this.bandit.applyFeedback(client, {
          userId,
          segmentId: rec.segment_id,
          arm: rec.strategy,
          helpful,
          previous: rec.bandit_outcome,
          counted: rec.bandit_counted,
        });
        outcome = helpful;
      }
      await client.query(
        `UPDATE recommendation_history
            SET feedback_status = $2, reward = $3, bandit_outcome = $4, bandit_counted = $5
          WHERE id = $1`,
        [recommendationId, feedbackType, helpful ? 1 : 0, outcome, counted],
      );
      await client.query('COMMIT');
      return { feedbackId: feedback.rows[0].id, actionType: rec.action_type };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Retention: deletes recommendations (their snapshots and feedback with them) older than `days`. */
  purgeOlderThan(days: number): Promise<number> {
    return deleteOlderThan(this.prisma.pool, 'recommendation_history', 'created_at', days);
  }
}
