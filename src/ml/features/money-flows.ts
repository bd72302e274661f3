import type { Category } from '../../common/categories';

/** The fields the spending and income definitions read. */
export interface FlowRow {
  type: 'debit' | 'credit';
  category: Category;
}

/** Money moved to (debit) or back from (credit) the user's own savings or investments. */
export const OWN_TRANSFER_CATEGORY = 'savings' satisfies Category;

/**
 * THE definitions of spending and income (shared/docs/ml-evaluation.md), used by features,
 * summaries, advice texts, analytics, forecasts and their evaluation alike.
 * Spending: debits, except transfers to the user's own savings or investments.
 * Income: credits, except money coming back from the user's own savings.
 * Aggregates that run in the database use the SQL forms below; an e2e test checks that both
 * give the same totals.
 */
export function isSpending(t: FlowRow): boolean {
  return t.type === 'debit' && t.category !== OWN_TRANSFER_CATEGORY;
}

export function isIncome(t: FlowRow): boolean {
  return t.type === 'credit' && t.category !== OWN_TRANSFER_CATEGORY;
}

/** A debit to the user's own savings or investments (neither spending nor income). */
export function isSavingsTransfer(t: FlowRow): boolean {
  return t.type === 'debit' && t.category === OWN_TRANSFER_CATEGORY;
}

/**
 * The category a spending row is counted under. A debit labelled `income` is a purchase
 * (bank exports label card payments that way: MoneyVis has Amazon orders under
 * "Supplementary Income"), so it counts as `other`: spending per category never has an
 * `income` share, in training data and real data alike.
 */
export function spendingCategory(t: FlowRow): Category {
  return t.category === 'income' ? 'other' : t.category;
}

/** The same definitions as SQL over the `transactions` columns (constants only, no user input). */
export const SQL_IS_SPENDING = `(transaction_type = 'debit' AND category <> '${OWN_TRANSFER_CATEGORY}')`;
export const SQL_IS_INCOME = `(transaction_type = 'credit' AND category <> '${OWN_TRANSFER_CATEGORY}')`;
export const SQL_SPENDING_CATEGORY = `(CASE WHEN category = 'income' THEN 'other'::transaction_category ELSE category END)`;
