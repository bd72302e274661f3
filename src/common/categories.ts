/** The 11 transaction categories, in the order the feature vectors use (contract). */
export const CATEGORIES = [
  'groceries',
  'dine_out',
  'entertainment',
  'bills',
  'transport',
  'shopping',
  'health',
  'fitness',
  'savings',
  'income',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];
