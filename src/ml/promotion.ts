import { seededRandom } from './random';

export interface PromotionDecision {
  promote: boolean;
  /** Mean of champion loss − challenger loss over the evaluation units (> 0: the challenger is better). */
  mean_improvement: number;
  /** 95% bootstrap interval of that mean. */
  interval: [number, number];
  units: number;
  champion_mean_loss: number;
  challenger_mean_loss: number;
  reason: string;
}

/**
 * Champion/challenger rule: the challenger is promoted only when it is better beyond noise — the 95%
 * bootstrap interval of the paired loss improvement (resampling whole evaluation units, e.g. held-out
 * accounts, so one person's many weeks count once) lies above zero. Losses are paired: index i is the
 * same unit for both models.
 */
export function decidePromotion(
  championLosses: readonly number[],
  challengerLosses: readonly number[],
  { resamples = 2000, seed = 7, minUnits = 10 } = {},
): PromotionDecision {
  if (championLosses.length !== challengerLosses.length) throw new Error('losses must be paired unit by unit');
  const n = championLosses.length;
  const diffs = championLosses.map((c, i) => c - challengerLosses[i]);
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
  const base = {
    mean_improvement: mean(diffs),
    units: n,
    champion_mean_loss: mean(championLosses),
    challenger_mean_loss: mean(challengerLosses),
  };
  if (n < minUnits)
    return { ...base, promote: false, interval: [Number.NaN, Number.NaN], reason: `only ${n} evaluation units` };
  const random = seededRandom(seed);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += diffs[Math.floor(random() * n)];
    means.push(total / n);
  }
  means.sort((a, b) => a - b);
  const interval: [number, number] = [means[Math.floor(0.025 * resamples)], means[Math.ceil(0.975 * resamples) - 1]];
  const promote = interval[0] > 0;
  const reason = promote
    ? 'challenger better beyond noise'
    : interval[1] < 0
      ? 'challenger worse'
      : 'difference within noise';
  return { ...base, promote, interval, reason };
}
