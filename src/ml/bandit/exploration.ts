import type { Random } from '../random';

/** Beta(alpha, beta) posterior of one arm's success (helpful-feedback) probability. */
export interface ArmPosterior {
  arm: string;
  alpha: number;
  beta: number;
}

/**
 * How the served decision explores. Every action keeps at least `epsilon / K`
 * probability (the floor), so logged feedback can later value any other policy;
 * the bandit's share lets what users found helpful in a context tilt the choice.
 */
export interface ExplorationSettings {
  /** Share spread uniformly over all actions: the floor is epsilon / K. */
  epsilon: number;
  /** Share given to the bandit's softmax over posterior means (0 on routes without a bandit). */
  banditWeight: number;
  /** Temperature of the bandit's softmax over posterior means (success probabilities). */
  banditTemperature: number;
}

export const BASIC_EXPLORATION: ExplorationSettings = { epsilon: 0.1, banditWeight: 0, banditTemperature: 0.1 };
export const ENHANCED_EXPLORATION: ExplorationSettings = { epsilon: 0.1, banditWeight: 0.2, banditTemperature: 0.1 };

/**
 * The exact probability of each action under the served decision:
 * p(a) = ε/K + (1 − ε)·[(1 − λ)·[a = policy action] + λ·softmax(mean_a / τ)],
 * mean_a = α_a / (α_a + β_a) of the arm's Beta posterior. Closed form, so the
 * logged propensity is the probability the action was drawn with, not an estimate.
 */
export function decisionDistribution(
  policyAction: number,
  actionCount: number,
  settings: ExplorationSettings,
  posteriors?: ArmPosterior[],
): number[] {
  const { epsilon, banditWeight, banditTemperature } = settings;
  if (!(epsilon > 0 && epsilon <= 1)) throw new Error('epsilon must be in (0, 1]');
  if (!(banditWeight >= 0 && banditWeight <= 1)) throw new Error('banditWeight must be in [0, 1]');
  if (!Number.isInteger(policyAction) || policyAction < 0 || policyAction >= actionCount)
    throw new Error(`policy action ${policyAction} is not one of ${actionCount} actions`);
  const bandit =
    banditWeight > 0 && posteriors
      ? softmax(
          posteriors.map((p) => p.alpha / (p.alpha + p.beta)),
          banditTemperature,
        )
      : new Array<number>(actionCount).fill(1 / actionCount);
  if (bandit.length !== actionCount) throw new Error('one posterior per action is needed');
  const lambda = posteriors ? banditWeight : 0;
  return bandit.map(
    (b, a) => epsilon / actionCount + (1 - epsilon) * ((1 - lambda) * (a === policyAction ? 1 : 0) + lambda * b),
  );
}

/** Draws an index from `probabilities` (one uniform draw; the result's probability is exactly probabilities[i]). */
export function drawAction(probabilities: number[], random: Random): number {
  let u = random();
  for (let i = 0; i < probabilities.length; i++) {
    u -= probabilities[i];
    if (u < 0) return i;
  }
  // Rounding left u ≥ 0 after the last subtraction: the last action with positive probability.
  for (let i = probabilities.length - 1; i >= 0; i--) if (probabilities[i] > 0) return i;
  throw new Error('no action has positive probability');
}

function softmax(values: number[], temperature: number): number[] {
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp((v - max) / temperature));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}
