import { CATEGORIES } from '../../common/categories';

import type { FeatureTransaction } from './extract-features';

const WEEK_MS = 7 * 86_400_000;

/**
 * The LSTM's input and target definition: debit totals per category (11, in
 * CATEGORIES order) for each of the `weeks` 7-day buckets ending at `now`,
 * oldest first. Credits are not spending and are left out.
 */
export function weeklyCategorySpend(transactions: FeatureTransaction[], now: Date, weeks: number): number[][] {
  const end = now.getTime();
  const rows = Array.from({ length: weeks }, () => new Array<number>(CATEGORIES.length).fill(0));
  for (const t of transactions) {
    if (t.type !== 'debit') continue;
    const age = end - t.date.getTime();
    if (age < 0) continue;
    const bucket = Math.floor(age / WEEK_MS);
    if (bucket >= weeks) continue;
    rows[weeks - 1 - bucket][CATEGORIES.indexOf(t.category)] += t.amount;
  }
  return rows.map((r) => r.map((v) => Math.round(v * 100) / 100));
}
