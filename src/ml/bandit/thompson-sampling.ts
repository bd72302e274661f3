/** Beta(alpha, beta) posterior of one arm's success (helpful-feedback) probability. */
export interface ArmPosterior {
  arm: string;
  alpha: number;
  beta: number;
}

import { normal, type Random } from '../random';

export type { Random };
export { seededRandom } from '../random';

/**
 * Thompson sampling over recommendation types: draw one success probability
 * per arm from its Beta posterior and pick the best draw; `prior` weights
 * (e.g. the policy's action probabilities) tilt the choice toward what the
 * state suggests. Pure and seedable for tests.
 */
export function thompsonChoose(
  arms: ArmPosterior[],
  random: Random = Math.random,
  prior?: Record<string, number>,
): { arm: string; draws: Record<string, number> } {
  if (arms.length === 0) throw new Error('no arms to choose from');
  const draws: Record<string, number> = {};
  let best = arms[0].arm;
  let bestScore = -Infinity;
  for (const { arm, alpha, beta } of arms) {
    const draw = sampleBeta(alpha, beta, random);
    draws[arm] = draw;
    const score = draw * (prior?.[arm] ?? 1);
    if (score > bestScore) {
      bestScore = score;
      best = arm;
    }
  }
  return { arm: best, draws };
}

/** Monte-Carlo estimate of the probability that `arm` is chosen: the propensity logged for off-policy evaluation. */
export function choiceProbability(
  arms: ArmPosterior[],
  arm: string,
  samples = 256,
  random: Random = Math.random,
  prior?: Record<string, number>,
): number {
  let hits = 0;
  for (let i = 0; i < samples; i++) if (thompsonChoose(arms, random, prior).arm === arm) hits++;
  return hits / samples;
}

export function sampleBeta(alpha: number, beta: number, random: Random): number {
  const x = sampleGamma(alpha, random);
  const y = sampleGamma(beta, random);
  return x / (x + y);
}

/** Marsaglia–Tsang gamma sampler (shape ≥ 1; boosted for shape < 1). */
export function sampleGamma(shape: number, random: Random): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * Math.pow(random() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
