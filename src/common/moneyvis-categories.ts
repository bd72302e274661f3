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
  // The owner's money moving to another of their accounts (one £84,000 TFR in the data, labelled
  // apart from "Services", the payments to other people): not spending, like savings.
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
