import { CATEGORIES, type Category } from '../../common/categories';

import { FEATURE_NAMES } from './feature-names';
import { isIncome, isSavingsTransfer, isSpending, spendingCategory } from './money-flows';

/** One transaction as the feature code sees it (amount always positive; the type carries the sign). */
export interface FeatureTransaction {
  amount: number;
  type: 'debit' | 'credit';
  category: Category;
  date: Date;
  /** False when the source gave the date only (bank statements); absent = the time is real. */
  timeKnown?: boolean;
  merchant?: string | null;
  description?: string | null;
  city?: string | null;
  balanceAfter?: number | null;
}

export interface FeatureInput {
  transactions: FeatureTransaction[];
  /** Current wallet balance. */
  balance: number;
  /** End of the window (exclusive of later rows). */
  now: Date;
}

const DAY_MS = 86_400_000;
export const WINDOW_DAYS = 30;
/**
 * Morning and evening shares of spending when no spending row of the window has a known time
 * (an imported statement): the mean share over the synthetic training population, so such a
 * window looks ordinary to the models rather than "never spends in the morning"
 * (docs/features.md gives the measurement).
 */
export const UNKNOWN_TIME_MORNING_SHARE = 0.61;
export const UNKNOWN_TIME_EVENING_SHARE = 0.22;
/** Treat categories: purchases in quick succession there count as impulse buying. */
const DISCRETIONARY: ReadonlySet<Category> = new Set(['dine_out', 'entertainment', 'shopping']);

/**
 * THE definition of the 35-feature coaching state (docs/features.md), used by the
 * server and by the training-data export alike, so models never see features
 * computed differently from serving. Pure; never returns NaN or ±Infinity.
 *
 * Window: the 30 days ending at `now` (W30), with 4 trailing 7-day weeks for
 * weekly features and the 30 days before W30 for the seasonal factor.
 * Spending and income follow money-flows.ts; times of day are UTC and read only from rows whose
 * time is known (`timeKnown !== false`).
 */
export function extractFeatures({ transactions, balance, now }: FeatureInput): number[] {
  const end = now.getTime();
  const start = end - WINDOW_DAYS * DAY_MS;
  const inWindow = transactions.filter((t) => t.date.getTime() > start && t.date.getTime() <= end);
  const previousWindow = transactions.filter(
    (t) => t.date.getTime() > start - WINDOW_DAYS * DAY_MS && t.date.getTime() <= start,
  );

  const spendRows = inWindow.filter(isSpending);
  const spending = sum(spendRows.map((t) => t.amount));
  const income = sum(inWindow.filter(isIncome).map((t) => t.amount));

  // Spending per category; the `savings` slot holds transfers to savings (not spending) and the
  // `income` slot is 0 by definition (spendingCategory), in training and serving alike.
  const perCategory = CATEGORIES.map((c) =>
    c === 'savings'
      ? sum(inWindow.filter(isSavingsTransfer).map((t) => t.amount))
      : sum(spendRows.filter((t) => spendingCategory(t) === c).map((t) => t.amount)),
  );

  // Day-of-week and time-of-day shares of spending.
  const weekday = sum(spendRows.filter((t) => isWeekday(t.date)).map((t) => t.amount));
  const timed = spendRows.filter(hasTimeOfDay);
  const timedTotal = sum(timed.map((t) => t.amount));
  const morning = sum(timed.filter((t) => t.date.getUTCHours() >= 5 && t.date.getUTCHours() < 12).map((t) => t.amount));
  const evening = sum(timed.filter((t) => t.date.getUTCHours() >= 18).map((t) => t.amount));
  // With no timed spending the shares are unknown, not 0: the training population's mean stands in.
  const timeShares =
    timedTotal > 0
      ? { morning: morning / timedTotal, evening: evening / timedTotal }
      : { morning: UNKNOWN_TIME_MORNING_SHARE, evening: UNKNOWN_TIME_EVENING_SHARE };

  // Daily spending totals over all 30 days (zero days included).
  const daily = new Array(WINDOW_DAYS).fill(0);
  for (const t of spendRows)
    daily[Math.min(WINDOW_DAYS - 1, Math.floor((end - t.date.getTime()) / DAY_MS))] += t.amount;

  // Four trailing weeks (index 0 = the most recent 7 days).
  const weeks = [0, 1, 2, 3].map((w) => {
    const wEnd = end - w * 7 * DAY_MS;
    const wStart = wEnd - 7 * DAY_MS;
    const rows = inWindow.filter((t) => t.date.getTime() > wStart && t.date.getTime() <= wEnd);
    return {
      spending: sum(rows.filter(isSpending).map((t) => t.amount)),
      income: sum(rows.filter(isIncome).map((t) => t.amount)),
      saved: sum(rows.filter(isSavingsTransfer).map((t) => t.amount)),
    };
  });
  const weeklyIncome = income / (WINDOW_DAYS / 7);

  const amounts = spendRows.map((t) => t.amount);
  const median = quantile(amounts, 0.5);

  const savingsRate = clamp((income - spending) / Math.max(income, 1), -5, 1);
  const balances = inWindow
    .map((t) => t.balanceAfter)
    .filter((b): b is number => typeof b === 'number' && Number.isFinite(b));
  const debt = balances.length > 0 ? balances.filter((b) => b < 0).length / balances.length : balance < 0 ? 1 : 0;
  const previousSpending = sum(previousWindow.filter(isSpending).map((t) => t.amount));

  const values: Record<(typeof FEATURE_NAMES)[number], number> = {
    current_balance: balance,
    total_spending: spending,
    total_income: income,
    transaction_count: inWindow.length,
    groceries: perCategory[0],
    dine_out: perCategory[1],
    entertainment: perCategory[2],
    bills: perCategory[3],
    transport: perCategory[4],
    shopping: perCategory[5],
    health: perCategory[6],
    fitness: perCategory[7],
    savings: perCategory[8],
    income: perCategory[9],
    other: perCategory[10],
    savings_rate: savingsRate,
    spending_velocity: spending / WINDOW_DAYS,
    weekday_spending_ratio: share(weekday, spending),
    weekend_spending_ratio: spending > 0 ? 1 - share(weekday, spending) : 0,
    morning_spending_ratio: spending > 0 ? timeShares.morning : 0,
    evening_spending_ratio: spending > 0 ? timeShares.evening : 0,
    spending_volatility: std(daily),
    large_transaction_ratio: amounts.length > 0 ? amounts.filter((a) => a > 2 * median).length / amounts.length : 0,
    impulse_buying_score: impulseScore(spendRows),
    category_diversity: normalisedEntropy(perCategory.map((v, i) => (CATEGORIES[i] === 'savings' ? 0 : v))),
    spending_consistency: consistency(weeks.map((w) => w.spending)),
    budget_adherence_score:
      weeks.filter((w) => w.spending <= 0.8 * weeklyIncome || (weeklyIncome === 0 && w.spending === 0)).length /
      weeks.length,
    savings_consistency: weeks.filter((w) => w.saved > 0 || w.income - w.spending > 0).length / weeks.length,
    emergency_fund_ratio: clamp(balance / Math.max(spending, 1), -24, 24),
    debt_indicator: debt,
    merchant_loyalty_score: merchantLoyalty(spendRows),
    location_diversity: locationDiversity(inWindow),
    seasonal_spending_factor: previousWindow.length === 0 ? 1 : clamp(spending / Math.max(previousSpending, 1), 0, 5),
    balance_volatility:
      balances.length < 2 ? 0 : clamp(std(balances) / Math.max(mean(balances.map(Math.abs)), 1), 0, 5),
    financial_stress_indicator: mean([
      balance < 0.5 * spending ? 1 : 0,
      savingsRate < 0 ? 1 : 0,
      debt > 0 ? 1 : 0,
      balance < 100 ? 1 : 0,
    ]),
  };
  return FEATURE_NAMES.map((name) => finite(values[name]));
}

/**
 * Share of spending rows that are discretionary and within 24 h after another discretionary purchase.
 * Where either time is unknown, a pair on the same calendar day counts 1 and on adjacent days ½
 * (the chance that two times drawn uniformly over those days lie within 24 h), else 0.
 */
function impulseScore(rows: FeatureTransaction[]): number {
  if (rows.length === 0) return 0;
  const discretionary = rows
    .filter((t) => DISCRETIONARY.has(t.category))
    .sort((a, b) => a.date.getTime() - b.date.getTime());
  let rapid = 0;
  for (let i = 1; i < discretionary.length; i++) {
    const [a, b] = [discretionary[i - 1], discretionary[i]];
    if (hasTimeOfDay(a) && hasTimeOfDay(b)) {
      if (b.date.getTime() - a.date.getTime() <= DAY_MS) rapid++;
    } else {
      const days = utcDay(b.date) - utcDay(a.date);
      rapid += days === 0 ? 1 : days === 1 ? 0.5 : 0;
    }
  }
  return rapid / rows.length;
}

function utcDay(d: Date): number {
  return Math.floor(d.getTime() / DAY_MS);
}

/** Share of spending rows at the user's three most frequent merchants (description when no merchant). */
function merchantLoyalty(rows: FeatureTransaction[]): number {
  if (rows.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const t of rows) {
    const key = (t.merchant || t.description || '').trim().toLowerCase();
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const top = [...counts.values()].sort((a, b) => b - a).slice(0, 3);
  return sum(top) / rows.length;
}

/** 1 − share of transactions in the most common city (0 = always the same place). */
function locationDiversity(rows: FeatureTransaction[]): number {
  const cities = rows.map((t) => (t.city ?? '').trim().toLowerCase()).filter((c) => c && c !== 'unknown');
  if (cities.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of cities) counts.set(c, (counts.get(c) ?? 0) + 1);
  return 1 - Math.max(...counts.values()) / cities.length;
}

/** 1 − coefficient of variation of weekly spending, in [0, 1]; 1 for no spending at all. */
function consistency(weekly: number[]): number {
  const m = mean(weekly);
  if (m <= 0) return 1;
  return clamp(1 - std(weekly) / m, 0, 1);
}

/** Shannon entropy of the spending mix divided by log(11), in [0, 1]. */
function normalisedEntropy(values: number[]): number {
  const total = sum(values);
  if (total <= 0) return 0;
  let h = 0;
  for (const v of values) if (v > 0) h -= (v / total) * Math.log(v / total);
  return h / Math.log(CATEGORIES.length);
}

function isWeekday(d: Date): boolean {
  const day = d.getUTCDay();
  return day >= 1 && day <= 5;
}

function hasTimeOfDay(t: FeatureTransaction): boolean {
  return t.timeKnown !== false;
}

function share(part: number, total: number): number {
  return total > 0 ? part / total : 0;
}

function sum(values: number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

function mean(values: number[]): number {
  return values.length > 0 ? sum(values) / values.length : 0;
}

/** Population standard deviation. */
function std(values: number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(sum(values.map((v) => (v - m) ** 2)) / values.length);
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}
