import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

import { PrismaService } from '../../infra/prisma/prisma.service';

/** SQL of the bandit's tables: arms per (context, arm) and each user's capped weight on them. */
@Injectable()
export class BanditRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Every (context, arm) row, for the operators' view. */
  async allArms(): Promise<
    Array<{ segmentId: number; arm: string; alpha: number; beta: number; pulls: number; successes: number }>
  > {
    const { rows } = await this.prisma.pool.query<{
      segmentId: number;
      arm: string;
      alpha: number;
      beta: number;
      pulls: number;
      successes: number;
    }>(
      'SELECT segment_id AS "segmentId", arm, alpha, beta, pulls, successes FROM bandit_arms ORDER BY segment_id, arm',
    );
    return rows;
  }

  async arms(segmentId: number): Promise<Array<{ arm: string; alpha: number; beta: number }>> {
    const { rows } = await this.prisma.pool.query<{ arm: string; alpha: number; beta: number }>(
      'SELECT arm, alpha, beta FROM bandit_arms WHERE segment_id = $1',
      [segmentId],
    );
    return rows;
  }

  /** One more outcome of this user on this arm, unless the user already has `cap`: atomic, so concurrent feedback cannot pass the cap. */
  async takeUserWeight(
    client: PoolClient,
    userId: string,
    segmentId: number,
    arm: string,
    cap: number,
  ): Promise<boolean> {
    const { rowCount } = await client.query(
      `INSERT INTO bandit_user_weights (user_id, segment_id, arm, outcomes) VALUES ($1, $2, $3, 1)
       ON CONFLICT (user_id, segment_id, arm) DO UPDATE SET outcomes = bandit_user_weights.outcomes + 1
       WHERE bandit_user_weights.outcomes < $4`,
      [userId, segmentId, arm, cap],
    );
    return rowCount === 1;
  }

  async addOutcome(client: PoolClient, segmentId: number, arm: string, helpful: boolean): Promise<void> {
    const success = helpful ? 1 : 0;
    await client.query(
      `INSERT INTO bandit_arms (segment_id, arm, alpha, beta, pulls, successes, updated_at)
       VALUES ($1, $2, 1 + $3::int, 2 - $3::int, 1, $3::int, now())
       ON CONFLICT (segment_id, arm) DO UPDATE SET
         alpha = bandit_arms.alpha + $3::int,
         beta = bandit_arms.beta + 1 - $3::int,
         pulls = bandit_arms.pulls + 1,
         successes = bandit_arms.successes + $3::int,
         updated_at = now()`,
      [segmentId, arm, success],
    );
  }

  /** Turns one counted outcome into the opposite one (same pull). */
  async moveOutcome(client: PoolClient, segmentId: number, arm: string, helpful: boolean): Promise<void> {
    const d = helpful ? 1 : -1;
    await client.query(
      `UPDATE bandit_arms SET
         alpha = GREATEST(1, alpha + $3::int),
         beta = GREATEST(1, beta - $3::int),
         successes = GREATEST(0, successes + $3::int),
         updated_at = now()
       WHERE segment_id = $1 AND arm = $2`,
      [segmentId, arm, d],
    );
  }
}
