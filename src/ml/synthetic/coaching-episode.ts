import type { FinancialSummary } from '../coaching-domain';
import { extractFeatures, type FeatureTransaction } from '../features/extract-features';
import { FEATURE_NAMES } from '../features/feature-names';
import { summarize } from '../features/summary';

/**
 * One simulated coaching week, shared by the training-data export and the policy
 * rollouts (scripts/ml): the same state, the same reward, so a policy is valued
 * in the simulator exactly as its training data was made.
 */
export const WARMUP_WEEKS = 9; // 8 weeks of history + the 30-day feature window before coaching starts
export const LOGGING_EPSILON = 0.3; // logging policy: the rule with 30% uniform exploration
export const REWARD_DISCOUNT = 0.9; // γ of the policy's training and of its valuation
export const SIMULATION_START = new Date(Date.UTC(2024, 0, 1));
const DAY_MS = 86_400_000;

/** Spending (debits except savings transfers) and money moved to savings in one week's transactions. */
export function weekFlows(txs: FeatureTransaction[]): { spending: number; saved: number } {
  let spending = 0;
  let saved = 0;
  for (const t of txs) {
    if (t.type !== 'debit') continue;
    if (t.category === 'savings') saved += t.amount;
    else spending += t.amount;
  }
  return { spending, saved };
}

/** The 35-feature state and the 7-day summary at the end of a week, from the last 63 days of history. */
export function coachingState(
  history: FeatureTransaction[],
  balance: number,
  end: Date,
): { recent: FeatureTransaction[]; vector: number[]; features: Record<string, number>; summary: FinancialSummary } {
  const recent = history.filter((t) => t.date.getTime() > end.getTime() - 63 * DAY_MS);
  const vector = extractFeatures({ transactions: recent, balance, now: end });
  const features = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, vector[i]]));
  return { recent, vector, features, summary: summarize(recent, balance, features, end) };
}

/**
 * Reward of an action = financial health of the week that followed it: spending well
 * below income, money moved to savings, never overdrawn (docs/ml/cql-policy.md).
 */
export function coachingReward(weeklyIncome: number, spending: number, saved: number, balance: number): number {
  return (
    Math.max(-1, Math.min(1, (weeklyIncome - spending) / weeklyIncome)) +
    0.5 * Math.min(1, saved / weeklyIncome) -
    (balance < 0 ? 0.5 : 0)
  );
}

/** The logging policy's action: the rule, or with probability ε a uniform draw; and that action's propensity. */
export function loggingAction(ruleAction: number, random: () => number): { action: number; propensity: number } {
  const explore = random() < LOGGING_EPSILON;
  const action = explore ? Math.floor(random() * 5) : ruleAction;
  return { action, propensity: (action === ruleAction ? 1 - LOGGING_EPSILON : 0) + LOGGING_EPSILON / 5 };
}

/** Mean over the coaching weeks of the discounted return from that week on (truncated at the episode's end). */
export function meanDiscountedReturn(rewards: number[], gamma = REWARD_DISCOUNT): number {
  if (rewards.length === 0) return 0;
  let g = 0;
  let total = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    g = rewards[t] + gamma * g;
    total += g;
  }
  return total / rewards.length;
}
