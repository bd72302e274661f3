import type { Category } from '../../common/categories';

/** The fields the spending and income definitions read. */
export interface FlowRow {
  type: 'debit' | 'credit';
  category: Category;
}

/**
 * THE definitions of spending and income (shared/docs/ml-evaluation.md), used by features,
 * summaries, advice texts, analytics, forecasts and their evaluation alike.
 * Spending: debits, except transfers to the user's own savings or investments.
 * Income: credits, except money coming back from the user's own savings.
 */
export function isSpending(t: FlowRow): boolean {
  return t.type === 'debit' && t.category !== 'savings';
}

export function isIncome(t: FlowRow): boolean {
  return t.type === 'credit' && t.category !== 'savings';
}
