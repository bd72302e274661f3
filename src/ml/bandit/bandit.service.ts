import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

import { ACTIONS } from '../coaching-domain';

import { BanditRepository } from './bandit.repository';
import type { ArmPosterior } from './exploration';

/** Recommendation types are the arms: the 5 coaching actions, in action order. */
export const BANDIT_ARMS: string[] = ACTIONS.map((a) => a.type);

/**
 * Feedback outcomes one user may put into one shared arm of one context. Beyond it the
 * user's feedback is stored but not counted, so one very active user cannot decide
 * what a whole segment is shown.
 */
export const USER_OUTCOMES_PER_ARM = 5;

/**
 * Per-context (segment) Beta posteriors of helpful feedback over recommendation types,
 * learning from /coaching/feedback. State lives in `bandit_arms`; every update runs
 * inside the feedback's transaction (see RecommendationsRepository.recordFeedback).
 */
@Injectable()
export class BanditService {
  constructor(private readonly repository: BanditRepository) {}

  async posteriors(segmentId: number): Promise<ArmPosterior[]> {
    const rows = await this.repository.arms(segmentId);
    const byArm = new Map(rows.map((r) => [r.arm, r]));
    return BANDIT_ARMS.map((arm) => ({ arm, alpha: byArm.get(arm)?.alpha ?? 1, beta: byArm.get(arm)?.beta ?? 1 }));
  }

  /**
   * Applies a recommendation's feedback to its own arm and context, inside the caller's
   * transaction which holds that recommendation's row lock. `previous` is the outcome
   * this recommendation already contributed (null: none yet) and `counted` whether it
   * was counted. Returns whether the outcome counts now.
   */
  async applyFeedback(
    client: PoolClient,
    input: {
      userId: string;
      segmentId: number;
      arm: string;
      helpful: boolean;
      previous: boolean | null;
      counted: boolean;
    },
  ): Promise<boolean> {
    const { userId, segmentId, arm, helpful, previous, counted } = input;
    if (previous === null) {
      const allowed = await this.repository.takeUserWeight(client, userId, segmentId, arm, USER_OUTCOMES_PER_ARM);
      if (allowed) await this.repository.addOutcome(client, segmentId, arm, helpful);
      return allowed;
    }
    // A changed mind moves the one counted outcome instead of adding a second.
    if (counted && previous !== helpful) await this.repository.moveOutcome(client, segmentId, arm, helpful);
    return counted;
  }

  async summary(): Promise<
    Array<{
      segment_id: number;
      arm: string;
      alpha: number;
      beta: number;
      pulls: number;
      successes: number;
      mean: number;
    }>
  > {
    const rows = await this.repository.allArms();
    return rows.map((r) => ({
      segment_id: r.segmentId,
      arm: r.arm,
      alpha: r.alpha,
      beta: r.beta,
      pulls: r.pulls,
      successes: r.successes,
      mean: r.alpha / (r.alpha + r.beta),
    }));
  }
}
