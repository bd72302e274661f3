import { CATEGORIES } from '../../common/categories';
import type { FinancialSummary } from '../coaching-domain';

import type { FeatureTransaction } from './extract-features';
import { isIncome, isSpending, spendingCategory } from './money-flows';

const DAY_MS = 86_400_000;
const round2 = (x: number) => Math.round(x * 100) / 100;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * The 7-day financial state the client shows and the rule fallbacks read (reference FinancialState).
 * Spending and income as defined in money-flows.ts: transfers to savings are neither, so
 * `category_spending` sums to `weekly_spending`.
 */
export function summarize(
  transactions: FeatureTransaction[],
  balance: number,
  features: Record<string, number>,
  now: Date,
): FinancialSummary {
  const since = now.getTime() - 7 * DAY_MS;
  let spending = 0;
  let income = 0;
  let count = 0;
  const byCategory: Record<string, number> = {};
  for (const t of transactions) {
    const at = t.date.getTime();
    if (at <= since || at > now.getTime()) continue;
    count++;
    if (isSpending(t)) {
      spending += t.amount;
      const category = spendingCategory(t);
      byCategory[category] = (byCategory[category] ?? 0) + t.amount;
    } else if (isIncome(t)) {
      income += t.amount;
    }
  }
  const categorySpending: Record<string, number> = {};
  for (const c of CATEGORIES) if (byCategory[c]) categorySpending[c] = round2(byCategory[c]);
  return {
    current_balance: round2(balance),
    weekly_spending: round2(spending),
    weekly_income: round2(income),
    transaction_count: count,
    savings_rate: round4((income - spending) / Math.max(income, 1)),
    daily_spending_avg: round2(spending / 7),
    category_spending: categorySpending,
    spending_volatility: round2(features.spending_volatility ?? 0),
    impulse_buying_score: round4(features.impulse_buying_score ?? 0),
    category_diversity: round4(features.category_diversity ?? 0),
    financial_stress_indicator: round4(features.financial_stress_indicator ?? 0),
  };
}

/** Mean weekly income over the last `weeks` weeks (salaries are often fortnightly or monthly). */
export function weeklyIncome(transactions: FeatureTransaction[], now: Date, weeks = 4): number {
  const since = now.getTime() - weeks * 7 * DAY_MS;
  let total = 0;
  for (const t of transactions)
    if (isIncome(t) && t.date.getTime() > since && t.date.getTime() <= now.getTime()) total += t.amount;
  return total / weeks;
}
