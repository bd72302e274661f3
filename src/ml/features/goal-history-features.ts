import { monthlyIncome90d, windowSum, type MoneyHistory } from './spending-history';

/** Inputs of the goal-probability model, in model order (training export and serving share this). */
export const GOAL_MODEL_FEATURE_NAMES = [
  'log_goal_to_income',
  'horizon_months',
  'balance_pace_8w',
  'balance_pace_13w',
  'net_saving_pace_8w',
  'balance_drift_z',
  'log_balance_to_goal',
] as const;
export type GoalModelFeatureName = (typeof GOAL_MODEL_FEATURE_NAMES)[number];

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Number.isFinite(x) ? x : 0));

/**
 * What the past says about saving `goalAmount` within `horizonDays`, as ratios (so GBP and
 * CZK accounts look alike): the goal against monthly income, how far the balance's pace over
 * the last 8 and 13 weeks (and the income − spending pace of 8 weeks) would get in the horizon,
 * and a drift z-score (expected rise − goal) ÷ (day-to-day spread × √horizon).
 */
export function goalModelFeatures(
  h: MoneyHistory,
  goalAmount: number,
  horizonDays: number,
): Record<GoalModelFeatureName, number> {
  const goal = Math.max(goalAmount, 0.01);
  const horizon = Math.max(horizonDays, 1);
  const income = monthlyIncome90d(h);
  const days = Math.min(90, Math.max(h.activeDays - 1, 1));
  const rise = (age: number) => h.balance[0] - h.balance[Math.min(age, h.balance.length - 1)];
  const changes = Array.from({ length: days }, (_, i) => h.balance[i] - h.balance[i + 1]);
  const drift = changes.reduce((a, b) => a + b, 0) / days;
  const spread = Math.sqrt(changes.reduce((a, c) => a + (c - drift) ** 2, 0) / days);
  const net8 = windowSum(h.income, 0, 56) - windowSum(h.spending, 0, 56);
  return {
    log_goal_to_income: clamp(Math.log(goal / Math.max(income, 1)), -8, 8),
    horizon_months: horizon / 30,
    balance_pace_8w: clamp(((rise(Math.min(56, days)) / Math.min(56, days)) * horizon) / goal, -5, 5),
    balance_pace_13w: clamp(((rise(days) / days) * horizon) / goal, -5, 5),
    net_saving_pace_8w: clamp(((net8 / 56) * horizon) / goal, -5, 5),
    balance_drift_z: clamp((drift * horizon - goal) / (spread * Math.sqrt(horizon) + goal * 0.01), -10, 10),
    log_balance_to_goal: clamp(Math.sign(h.balance[0]) * Math.log1p(Math.abs(h.balance[0]) / goal), -8, 8),
  };
}

/** The protocol's pace rule as a score: past 8 weeks' net saving × horizon ÷ goal (≥ 1 means "on pace"). */
export function paceRuleScore(h: MoneyHistory, goalAmount: number, horizonDays: number): number {
  const net8 = windowSum(h.income, 0, 56) - windowSum(h.spending, 0, 56);
  return ((net8 / 56) * horizonDays) / Math.max(goalAmount, 0.01);
}
