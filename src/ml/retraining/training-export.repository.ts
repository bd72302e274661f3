import { Injectable } from '@nestjs/common';

import { rows } from '../../infra/database/sql';
import { PrismaService } from '../../infra/prisma/prisma.service';

export interface ExportedTransaction {
  amount: number;
  type: 'debit' | 'credit';
  category: string;
  date: string;
  timeKnown: boolean;
  merchant: string | null;
  description: string;
  city: string | null;
  balanceAfter: number;
}

export interface ExportedRecommendation {
  id: string;
  created_at: string;
  kind: string;
  action_id: number;
  action_type: string;
  /** Probability with which the served decision chose this action (null on rows older than exact propensities). */
  propensity: number | null;
  action_probabilities: unknown;
  decision_source: string;
  policy_version: string | null;
  segment_id: number | null;
  strategy: string | null;
  feature_snapshot: unknown;
  feedback_status: string;
  feedback_type: string | null;
  reward: number | null;
}

/**
 * What the retraining job may learn from: only users who gave training consent
 * (user_profiles.training_consent) and are active; read one user at a time so the export's
 * memory stays bounded by the largest single history.
 */
@Injectable()
export class TrainingExportRepository {
  constructor(private readonly database: PrismaService) {}

  async consentingUsers(): Promise<string[]> {
    const found = await rows<{ id: string }>(this.database.pool, {
      text: `SELECT u.id FROM users u JOIN user_profiles p ON p.user_id = u.id
             WHERE p.training_consent AND u.is_active ORDER BY u.id`,
    });
    return found.map((r) => r.id);
  }

  /** The user's transactions oldest first, in the shape the server's feature code reads. */
  async transactions(userId: string): Promise<ExportedTransaction[]> {
    const found = await rows<
      Omit<ExportedTransaction, 'amount' | 'balanceAfter' | 'date'> & {
        amount: string;
        balanceAfter: string;
        date: Date;
      }
    >(this.database.pool, {
      name: 'retraining-export-transactions',
      text: `SELECT amount, transaction_type AS type, category, transaction_date AS date, time_known AS "timeKnown",
                    merchant_name AS merchant, description, location_city AS city, balance_after AS "balanceAfter"
             FROM transactions WHERE user_id = $1::uuid ORDER BY transaction_date, seq`,
      values: [userId],
    });
    return found.map((t) => ({
      ...t,
      amount: Number(t.amount),
      balanceAfter: Number(t.balanceAfter),
      date: t.date.toISOString(),
    }));
  }

  /** The user's recommendations with the propensity they were served with and their outcome (feedback, reward). */
  async recommendations(userId: string): Promise<ExportedRecommendation[]> {
    const found = await rows<Omit<ExportedRecommendation, 'created_at'> & { created_at: Date }>(this.database.pool, {
      name: 'retraining-export-recommendations',
      text: `SELECT r.id, r.created_at, r.kind, r.action_id, r.action_type, r.propensity, r.action_probabilities,
                    r.decision_source, r.policy_version, r.segment_id, r.strategy, r.feature_snapshot,
                    r.feedback_status, f.feedback_type, r.reward
             FROM recommendation_history r
             LEFT JOIN recommendation_feedback f ON f.recommendation_id = r.id AND f.user_id = r.user_id
             WHERE r.user_id = $1::uuid ORDER BY r.created_at, r.id`,
      values: [userId],
    });
    return found.map((r) => ({ ...r, created_at: r.created_at.toISOString() }));
  }
}
