/**
 * Off-policy value of a target policy from logged recommendations: each record
 * carries the action served, the exact probability it was served with (the
 * logged propensity) and the reward observed (helpful feedback = 1).
 */
export interface LoggedDecision {
  action: number;
  propensity: number;
  reward: number;
  /** π_target(· | context of this record), one probability per action. */
  targetProbabilities: number[];
  /** Optional reward model q̂(context, ·) for the doubly robust estimate. */
  rewardModel?: number[];
}

export interface OffPolicyEstimate {
  n: number;
  /** Inverse propensity scoring: mean of w·r, w = π_target(a) / propensity. */
  ips: number;
  ipsStandardError: number;
  /** Self-normalised IPS: Σ w·r / Σ w (biased, lower variance). */
  snips: number;
  /** Doubly robust: Σ_a π(a) q̂(a) + w·(r − q̂(a)), with q̂ = the per-action mean logged reward where none is given. */
  doublyRobust: number;
  doublyRobustStandardError: number;
  /** (Σ w)² / Σ w²: how many logged records the estimate is effectively worth. */
  effectiveSampleSize: number;
}

/** Pure: IPS, SNIPS and doubly robust estimates of a target policy's mean reward from logged decisions. */
export function estimatePolicyValue(logs: LoggedDecision[]): OffPolicyEstimate {
  if (logs.length === 0) throw new Error('no logged decisions');
  const actions = logs[0].targetProbabilities.length;
  for (const l of logs) {
    if (!(l.propensity > 0 && l.propensity <= 1)) throw new Error(`propensity ${l.propensity} is not in (0, 1]`);
    if (l.targetProbabilities.length !== actions || l.action < 0 || l.action >= actions)
      throw new Error('every record needs one target probability per action and an action among them');
  }
  const fallbackModel = perActionMeanReward(logs, actions);
  const weights = logs.map((l) => l.targetProbabilities[l.action] / l.propensity);
  const ipsTerms = logs.map((l, i) => weights[i] * l.reward);
  const drTerms = logs.map((l, i) => {
    const q = l.rewardModel ?? fallbackModel;
    const direct = l.targetProbabilities.reduce((sum, p, a) => sum + p * q[a], 0);
    return direct + weights[i] * (l.reward - q[l.action]);
  });
  const sumW = weights.reduce((a, b) => a + b, 0);
  const sumW2 = weights.reduce((a, b) => a + b * b, 0);
  return {
    n: logs.length,
    ips: mean(ipsTerms),
    ipsStandardError: standardError(ipsTerms),
    snips: sumW > 0 ? ipsTerms.reduce((a, b) => a + b, 0) / sumW : 0,
    doublyRobust: mean(drTerms),
    doublyRobustStandardError: standardError(drTerms),
    effectiveSampleSize: sumW2 > 0 ? (sumW * sumW) / sumW2 : 0,
  };
}

function perActionMeanReward(logs: LoggedDecision[], actions: number): number[] {
  const sum = new Array<number>(actions).fill(0);
  const count = new Array<number>(actions).fill(0);
  for (const l of logs) {
    sum[l.action] += l.reward;
    count[l.action]++;
  }
  const overall = mean(logs.map((l) => l.reward));
  return sum.map((s, a) => (count[a] > 0 ? s / count[a] : overall));
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function standardError(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  const variance = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
  return Math.sqrt(variance / xs.length);
}
