import { CATEGORIES, type Category } from '../../common/categories';

import type { FeatureTransaction } from './extract-features';
import { isIncome, isSpending } from './money-flows';

const DAY_MS = 86_400_000;
/** How far back the forecaster and the goal features look (26 weeks, plus room for 3 calendar months + 28 days). */
export const HISTORY_DAYS = 182;

/**
 * A user's recent money flows as of `now`, day by day (index 0 = the 24 h ending at `now`),
 * with THE spending/income definition (money-flows.ts). Shared by the served forecast, the
 * goal model and their evaluation, so every number is computed once, one way.
 */
export interface MoneyHistory {
  now: Date;
  /** Spending per day, newest first, HISTORY_DAYS long. */
  spending: number[];
  /** Spending per day in the bills category (recurring payments), newest first. */
  bills: number[];
  income: number[];
  /** Days since the oldest row seen (capped at HISTORY_DAYS): how much history there is. */
  activeDays: number;
  /** Spending per category over the last 13 weeks (the split of a forecast). */
  categorySpend13w: Record<Category, number>;
  /** Balance at the end of each day (index 0 = now), from the rows' running balances. */
  balance: number[];
}

/**
 * Days without a single transaction after which a history counts as not brought up to date (no
 * statement imported since) rather than as a user who stopped spending: real accounts post a fee,
 * interest or a payment at least every month or so.
 */
export const STALE_HISTORY_DAYS = 45;

/**
 * The moment a coaching answer (state, forecasts, advice) describes: `now`, or, when no transaction
 * came in the last STALE_HISTORY_DAYS, the end of the day of the last one — so that missing
 * statements are not read as weeks without spending.
 */
export function coachingMoment(lastTransactionAt: Date | null, now: Date): Date {
  if (!lastTransactionAt || now.getTime() - lastTransactionAt.getTime() <= STALE_HISTORY_DAYS * DAY_MS) return now;
  const endOfLastDay = (Math.floor(lastTransactionAt.getTime() / DAY_MS) + 1) * DAY_MS;
  return new Date(Math.min(endOfLastDay, now.getTime()));
}

/**
 * `transactions` oldest first; rows after `now` are ignored. `balanceNow` when no row carries a
 * balance. `firstActivity`: the user's first row ever, when `transactions` is only a recent slice.
 */
export function moneyHistory(
  transactions: FeatureTransaction[],
  now: Date,
  balanceNow: number,
  firstActivity?: Date | null,
): MoneyHistory {
  const end = now.getTime();
  const spending = new Array<number>(HISTORY_DAYS).fill(0);
  const bills = new Array<number>(HISTORY_DAYS).fill(0);
  const income = new Array<number>(HISTORY_DAYS).fill(0);
  const categorySpend13w = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  // Balance after the last row of each day; days without rows carry the next older day's balance.
  const dayBalance = new Array<number | undefined>(HISTORY_DAYS).fill(undefined);
  let oldest = Infinity;
  let balanceBeforeWindow: number | undefined;
  for (const t of transactions) {
    const at = t.date.getTime();
    if (at > end) continue;
    oldest = Math.min(oldest, at);
    const age = Math.floor((end - at) / DAY_MS);
    const signed = t.type === 'debit' ? -t.amount : t.amount;
    if (age >= HISTORY_DAYS) {
      if (t.balanceAfter != null) balanceBeforeWindow = t.balanceAfter;
      continue;
    }
    if (t.balanceAfter != null) {
      dayBalance[age] = t.balanceAfter;
      if (balanceBeforeWindow === undefined && oldest === at) balanceBeforeWindow = t.balanceAfter - signed;
    }
    if (isSpending(t)) {
      spending[age] += t.amount;
      if (t.category === 'bills') bills[age] += t.amount;
      if (age < 91) categorySpend13w[t.category] += t.amount;
    } else if (isIncome(t)) income[age] += t.amount;
  }
  const balance = new Array<number>(HISTORY_DAYS).fill(0);
  let carried = balanceBeforeWindow ?? balanceNow;
  for (let age = HISTORY_DAYS - 1; age >= 0; age--) {
    if (dayBalance[age] !== undefined) carried = dayBalance[age]!;
    balance[age] = carried;
  }
  if (firstActivity && firstActivity.getTime() <= end) oldest = Math.min(oldest, firstActivity.getTime());
  const activeDays = oldest === Infinity ? 0 : Math.min(HISTORY_DAYS, Math.floor((end - oldest) / DAY_MS) + 1);
  return { now, spending, bills, income, activeDays, categorySpend13w, balance };
}

/** Sum of series[from .. to) (ages in days, newest = 0). */
export function windowSum(series: number[], from: number, to: number): number {
  let s = 0;
  for (let i = Math.max(0, from); i < Math.min(series.length, to); i++) s += series[i];
  return s;
}

/** Mean per day over the last `days` days that have history (0 when none). */
function dailyMean(series: number[], days: number, activeDays: number): number {
  const n = Math.min(days, activeDays);
  return n > 0 ? windowSum(series, 0, n) / n : 0;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Age (days before `now`) of the same calendar day `months` months earlier: where a monthly
 * bill paid on that day of the month fell (day clamped to the shorter month's end).
 */
export function monthsAgo(now: Date, months: number): number {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() - months;
  const target = new Date(Date.UTC(y, m, 1, now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(now.getUTCDate(), lastDay));
  return Math.round((now.getTime() - target.getTime()) / DAY_MS);
}

/**
 * Spending in the `horizon` days that followed the same calendar day `months` months ago
 * (the coming window's bills and paydays, a month earlier); undefined before the history starts.
 */
function monthAligned(series: number[], h: MoneyHistory, months: number, horizon: number): number | undefined {
  const age = monthsAgo(h.now, months);
  if (age > h.activeDays) return undefined;
  return windowSum(series, age - horizon, age);
}

export const FORECAST_HORIZONS = [7, 28] as const;
export type ForecastHorizon = (typeof FORECAST_HORIZONS)[number];

/** Inputs of the spending forecaster (per horizon, all in money over the horizon). */
export const FORECAST_FEATURE_NAMES = [
  'last_week',
  'mean_4w',
  'mean_8w',
  'mean_13w',
  'mean_26w',
  'median_8w',
  'same_window_4w_ago',
  'month_aligned_mean',
  'bills_month_aligned_mean',
  'non_bills_mean_13w',
  'non_bills_mean_4w',
  'bills_same_window_4w_ago',
  'mean_4w_young_account',
  'balance_above_13w_mean',
] as const;
export type ForecastFeatureName = (typeof FORECAST_FEATURE_NAMES)[number];

/** The reference forecasts of the protocol (shared/docs/ml-evaluation.md), computed from the same history. */
export const FORECAST_BASELINES = {
  7: ['last_week', 'mean_4w', 'mean_8w', 'median_8w', 'same_week_4w_ago', 'mean_4w_bills_4w_ago'],
  28: ['last_28_days', 'mean_3_periods', 'mean_8w', 'median_8w', 'last_week', 'mean_4w_bills_4w_ago'],
} as const;
export type ForecastBaselineName = (typeof FORECAST_BASELINES)[7][number] | (typeof FORECAST_BASELINES)[28][number];

/** Spending forecaster inputs for one horizon (days): recent means, the last month's same window, bills. */
export function forecastFeatures(h: MoneyHistory, horizon: number): Record<ForecastFeatureName, number> {
  const perDay = (days: number) => dailyMean(h.spending, days, h.activeDays) * horizon;
  const weeks8 = Array.from({ length: 8 }, (_, w) => windowSum(h.spending, 7 * w, 7 * w + 7));
  const mean13 = perDay(91);
  const aligned = [1, 2, 3].map((m) => monthAligned(h.spending, h, m, horizon)).filter((v) => v !== undefined);
  const billsAligned = [1, 2, 3].map((m) => monthAligned(h.bills, h, m, horizon)).filter((v) => v !== undefined);
  const nonBills13 =
    Math.min(91, h.activeDays) > 0
      ? ((windowSum(h.spending, 0, Math.min(91, h.activeDays)) - windowSum(h.bills, 0, Math.min(91, h.activeDays))) /
          Math.min(91, h.activeDays)) *
        horizon
      : 0;
  const mean = (xs: number[], fallback: number) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : fallback);
  const billsMean13 = (dailyMean(h.bills, 91, h.activeDays) || 0) * horizon;
  return {
    last_week: (windowSum(h.spending, 0, 7) / 7) * horizon,
    mean_4w: perDay(28),
    mean_8w: perDay(56),
    mean_13w: mean13,
    mean_26w: perDay(HISTORY_DAYS),
    median_8w: (median(weeks8) / 7) * horizon,
    same_window_4w_ago: windowSum(h.spending, 28 - horizon, 28) * (horizon > 28 ? horizon / 28 : 1),
    month_aligned_mean: mean(aligned, mean13),
    bills_month_aligned_mean: mean(billsAligned, billsMean13),
    non_bills_mean_13w: nonBills13,
    non_bills_mean_4w: ((windowSum(h.spending, 0, 28) - windowSum(h.bills, 0, 28)) / 28) * horizon,
    bills_same_window_4w_ago: windowSum(h.bills, 28 - Math.min(horizon, 28), 28),
    // New accounts still ramp up (their first weeks under-state their spending): the recent level,
    // weighted by how short the history is (0 once 26 weeks are known).
    mean_4w_young_account: perDay(28) * (1 - Math.min(h.activeDays, HISTORY_DAYS) / HISTORY_DAYS),
    balance_above_13w_mean: balanceAboveMean(h, 91),
  };
}

/**
 * How far today's balance stands above its mean over the last `days` days that have history (0 when
 * below): money that came in (a salary, a pension) and has not been spent yet, which much of it will
 * be over the coming weeks. Not scaled by the horizon: it is an amount, whatever the window.
 */
export function balanceAboveMean(h: MoneyHistory, days: number): number {
  const n = Math.max(1, Math.min(days, h.activeDays));
  return Math.max(0, h.balance[0] - windowSum(h.balance, 0, n) / n);
}

/** The protocol's baselines for a horizon of 7 or 28 days. */
export function forecastBaselines(h: MoneyHistory, horizon: ForecastHorizon): Record<string, number> {
  const week = (w: number) => windowSum(h.spending, 7 * w, 7 * w + 7);
  const weeks8 = Array.from({ length: 8 }, (_, w) => week(w));
  const mean4 = (weeks8[0] + weeks8[1] + weeks8[2] + weeks8[3]) / 4;
  const nonBills4 = (windowSum(h.spending, 0, 28) - windowSum(h.bills, 0, 28)) / 4;
  const scale = horizon / 7;
  if (horizon === 7)
    return {
      last_week: weeks8[0],
      mean_4w: mean4,
      mean_8w: weeks8.reduce((a, b) => a + b, 0) / 8,
      median_8w: median(weeks8),
      same_week_4w_ago: weeks8[3],
      // Day-to-day spending from the last 4 weeks, the bills of the week a month (4 weeks) ago.
      mean_4w_bills_4w_ago: nonBills4 + windowSum(h.bills, 21, 28),
    };
  const period = (p: number) => windowSum(h.spending, 28 * p, 28 * p + 28);
  return {
    last_28_days: period(0),
    mean_3_periods: (period(0) + period(1) + period(2)) / 3,
    mean_8w: (weeks8.reduce((a, b) => a + b, 0) / 8) * scale,
    median_8w: median(weeks8) * scale,
    last_week: weeks8[0] * scale,
    mean_4w_bills_4w_ago: nonBills4 * scale + windowSum(h.bills, 0, 28),
  };
}

/** Mean monthly income (30-day months) over the last 90 days: the protocol's goal unit. */
export function monthlyIncome90d(h: MoneyHistory): number {
  return (windowSum(h.income, 0, 90) / 90) * 30;
}

/** Splits a total over categories by the last 13 weeks' spending shares, to the cent, summing exactly to the total. */
export function splitByCategory(total: number, h: MoneyHistory): Record<Category, number> {
  const weights = CATEGORIES.map((c) => (c === 'savings' ? 0 : h.categorySpend13w[c]));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const cents = Math.round(total * 100);
  const shares = weights.map((w) => (weightSum > 0 ? (cents * w) / weightSum : 0));
  const floors = shares.map(Math.floor);
  let left = cents - floors.reduce((a, b) => a + b, 0);
  const order = shares.map((s, i) => ({ i, r: s - floors[i] })).sort((a, b) => b.r - a.r);
  for (const { i } of order) {
    if (left <= 0) break;
    if (weights[i] > 0) {
      floors[i]++;
      left--;
    }
  }
  // No spending history to split by: it is all "other".
  if (weightSum === 0) floors[CATEGORIES.indexOf('other')] = cents;
  return Object.fromEntries(CATEGORIES.map((c, i) => [c, floors[i] / 100])) as Record<Category, number>;
}
