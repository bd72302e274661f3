import type { FeatureTransaction } from './extract-features';
import { isIncome, isSpending } from './money-flows';

const DAY_MS = 86_400_000;
/** 13 weeks: a quarter smooths the monthly pay cycle and one-off purchases out of a user's segment. */
export const SEGMENT_WINDOW_WEEKS = 13;
export const SEGMENT_WINDOW_DAYS = SEGMENT_WINDOW_WEEKS * 7;
const DAYS_PER_MONTH = 30.44;

/**
 * The five segmentation features, fixed in advance (docs/ml/segmentation.md), never searched on data.
 * All are ratios, so they mean the same in any currency and for any income level.
 */
export const SEGMENT_FEATURE_NAMES = [
  /** (income − spending) / income over the window, in [−1, 1]. */
  'seg_savings_rate',
  /** Balance divided by the window's mean monthly spending, in [−3, 12]: months the balance would last. */
  'seg_buffer_months',
  /** Share of spending on dining out, entertainment and shopping, in [0, 1]. */
  'seg_discretionary_share',
  /** Share of spending on bills (rent, utilities, insurance, loans), in [0, 1]. */
  'seg_bills_share',
  /** Coefficient of variation of the 13 weekly spending totals, in [0, 3]. */
  'seg_spending_variability',
] as const;
export type SegmentFeatureName = (typeof SEGMENT_FEATURE_NAMES)[number];

const DISCRETIONARY = new Set(['dine_out', 'entertainment', 'shopping']);

/** The segmentation features of the 13 weeks ending at `now`, by name. Pure; always finite. */
export function segmentFeatures(
  transactions: readonly FeatureTransaction[],
  balance: number,
  now: Date,
): Record<SegmentFeatureName, number> {
  const end = now.getTime();
  const start = end - SEGMENT_WINDOW_DAYS * DAY_MS;
  const weekly = new Array<number>(SEGMENT_WINDOW_WEEKS).fill(0);
  let spending = 0;
  let income = 0;
  let discretionary = 0;
  let bills = 0;
  for (const t of transactions) {
    const at = t.date.getTime();
    if (at <= start || at > end) continue;
    if (isIncome(t)) income += t.amount;
    if (!isSpending(t)) continue;
    spending += t.amount;
    if (DISCRETIONARY.has(t.category)) discretionary += t.amount;
    if (t.category === 'bills') bills += t.amount;
    weekly[Math.min(SEGMENT_WINDOW_WEEKS - 1, Math.floor((end - at) / (7 * DAY_MS)))] += t.amount;
  }
  const monthlySpending = (spending * DAYS_PER_MONTH) / SEGMENT_WINDOW_DAYS;
  const meanWeek = spending / SEGMENT_WINDOW_WEEKS;
  const sdWeek = Math.sqrt(weekly.reduce((a, w) => a + (w - meanWeek) ** 2, 0) / SEGMENT_WINDOW_WEEKS);
  return {
    seg_savings_rate: clamp((income - spending) / Math.max(income, 1), -1, 1),
    seg_buffer_months: clamp(balance / Math.max(monthlySpending, 1), -3, 12),
    seg_discretionary_share: spending > 0 ? discretionary / spending : 0,
    seg_bills_share: spending > 0 ? bills / spending : 0,
    seg_spending_variability: meanWeek > 0 ? clamp(sdWeek / meanWeek, 0, 3) : 0,
  };
}

/** The same features as a vector in SEGMENT_FEATURE_NAMES order (training export). */
export function segmentFeatureVector(
  transactions: readonly FeatureTransaction[],
  balance: number,
  now: Date,
): number[] {
  const named = segmentFeatures(transactions, balance, now);
  return SEGMENT_FEATURE_NAMES.map((n) => named[n]);
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : 0;
}
