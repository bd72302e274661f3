import type { Category } from './categories';

// MoneyVis labels (trimmed, lower-cased) → our categories. Labels not listed map to `other`
// (Cash, Services, Home Improvement, Hotels, Others, blanks, one-offs, …).
const LABELS: Record<string, Category> = {
  groceries: 'groceries',
  'food shopping': 'groceries',
  'dine out': 'dine_out',
  entertainment: 'entertainment',
  bills: 'bills',
  mortgage: 'bills',
  rent: 'bills',
  travel: 'transport',
  transport: 'transport',
  amazon: 'shopping',
  'other shopping': 'shopping',
  clothes: 'shopping',
  health: 'health',
  insurance: 'health',
  fitness: 'fitness',
  savings: 'savings',
  investment: 'savings',
  // The owner's money moving to another of their accounts: not spending, like savings. The one such
  // row (docs/features.md, "MoneyVis's account transfer") passes a solicitor's payment of nearly the
  // same amount, received three days earlier, on to a counterparty that pays into this account for years.
  'account transfer': 'savings',
  'supplementary income': 'income',
  paycheck: 'income',
  interest: 'income',
};

/**
 * Maps a MoneyVis (or similar bank-export) category label to one of our 11
 * categories. Shared by the statement importer and the synthetic-user
 * calibration, so imported data and training data agree.
 */
export function mapMoneyVisCategory(label: string | null | undefined): Category {
  const key = (label ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
  return LABELS[key] ?? 'other';
}
