import { Injectable } from '@nestjs/common';

import { PrismaService } from '../../infra/prisma/prisma.service';
import { ACTIONS } from '../coaching-domain';

import { choiceProbability, thompsonChoose, type ArmPosterior, type Random } from './thompson-sampling';

export interface BanditChoice {
  arm: string;
  /** Estimated probability that Thompson sampling picks this arm (logged for off-policy evaluation). */
  propensity: number;
  posteriors: ArmPosterior[];
}

/** Recommendation types are the arms: the 5 coaching actions. */
export const BANDIT_ARMS: string[] = ACTIONS.map((a) => a.type);

/**
 * Per-segment Thompson sampling over recommendation types, learning from
 * /coaching/feedback (helpful = success). State lives in `bandit_arms` and is
 * updated with atomic increments, so it survives restarts and concurrent feedback.
 */
@Injectable()
export class BanditService {
  constructor(private readonly prisma: PrismaService) {}

  async posteriors(segmentId: number): Promise<ArmPosterior[]> {
    const rows = await this.prisma.banditArm.findMany({ where: { segmentId } });
    const byArm = new Map(rows.map((r) => [r.arm, r]));
    return BANDIT_ARMS.map((arm) => ({ arm, alpha: byArm.get(arm)?.alpha ?? 1, beta: byArm.get(arm)?.beta ?? 1 }));
  }

  async choose(segmentId: number, prior?: Record<string, number>, random: Random = Math.random): Promise<BanditChoice> {
    const posteriors = await this.posteriors(segmentId);
    const { arm } = thompsonChoose(posteriors, random, prior);
    return { arm, propensity: choiceProbability(posteriors, arm, 256, random, prior), posteriors };
  }

  /**
   * Applies one feedback outcome. When a user changes earlier feedback on the same
   * recommendation, the previous outcome is taken back first so nothing counts twice.
   */
  async recordOutcome(segmentId: number, arm: string, helpful: boolean, previous?: boolean): Promise<void> {
    let dAlpha = helpful ? 1 : 0;
    let dBeta = helpful ? 0 : 1;
    let dPulls = 1;
    if (previous !== undefined) {
      dAlpha -= previous ? 1 : 0;
      dBeta -= previous ? 0 : 1;
      dPulls = 0;
    }
    if (dAlpha === 0 && dBeta === 0 && dPulls === 0) return;
    await this.prisma.$executeRaw`
      INSERT INTO bandit_arms (segment_id, arm, alpha, beta, pulls, successes, updated_at)
      VALUES (${segmentId}, ${arm}, ${1 + dAlpha}, ${1 + dBeta}, ${dPulls}, ${Math.max(dAlpha, 0)}, now())
      ON CONFLICT (segment_id, arm) DO UPDATE SET
        alpha = GREATEST(1, bandit_arms.alpha + ${dAlpha}),
        beta = GREATEST(1, bandit_arms.beta + ${dBeta}),
        pulls = bandit_arms.pulls + ${dPulls},
        successes = GREATEST(0, bandit_arms.successes + ${dAlpha}),
        updated_at = now()`;
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
    const rows = await this.prisma.banditArm.findMany({ orderBy: [{ segmentId: 'asc' }, { arm: 'asc' }] });
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
