/**
 * The real accounts the models are judged on (shared/docs/ml-evaluation.md), as the feature code
 * sees them: MoneyVis (one UK account, 2015–2022) and Berka (Czech accounts, 1993–94; the folder
 * holds only even account ids, odd ones are held back). Amounts stay in their own currency:
 * consumers must use ratios or say so.
 */
import { readFileSync } from 'node:fs';

import type { Category } from '../../src/common/categories';
import type { FeatureTransaction } from '../../src/ml/features/extract-features';
import { readMoneyVis } from '../../src/ml/synthetic/calibration';

export interface RealAccount {
  id: string;
  source: 'moneyvis' | 'berka';
  /** Oldest first, each with the bank's balance after it. */
  transactions: FeatureTransaction[];
}

const DAY_MS = 86_400_000;

export function moneyVisAccount(csvPath: string): RealAccount {
  // The file is newest first; reversing keeps each day's rows in booking order.
  const rows = readMoneyVis(csvPath).reverse();
  const transactions: FeatureTransaction[] = [];
  let balance: number | null = null;
  for (const r of rows) {
    if (r.balance !== null) balance = r.balance;
    const amount = r.debit > 0 ? r.debit : r.credit;
    if (amount <= 0) continue;
    transactions.push({
      amount,
      type: r.debit > 0 ? 'debit' : 'credit',
      category: r.category,
      date: r.date,
      merchant: r.description,
      description: r.description,
      city: r.city,
      balanceAfter: balance,
    });
  }
  transactions.sort((a, b) => a.date.getTime() - b.date.getTime());
  return { id: 'moneyvis', source: 'moneyvis', transactions };
}

/**
 * Berka's coarse operations mapped onto our categories: household payments, insurance, loan
 * repayments and statement fees are bills; card payments are shopping; cash withdrawals and
 * remittances without a purpose are other; every credit is income.
 */
export function berkaCategory(type: string, operation: string, symbol: string): Category {
  if (type === 'PRIJEM') return 'income';
  if (['SIPO', 'POJISTNE', 'UVER', 'SLUZBY'].includes(symbol)) return 'bills';
  if (operation === 'VYBER KARTOU') return 'shopping';
  return 'other';
}

export function berkaAccounts(ascPath: string): RealAccount[] {
  const lines = readFileSync(ascPath, 'utf8').split(/\r?\n/).slice(1);
  const byAccount = new Map<string, FeatureTransaction[]>();
  for (const line of lines) {
    if (!line.trim()) continue;
    const cells = line.split(';').map((c) => c.replace(/^"|"$/g, '').trim());
    const [, account, date, type, operation, amount, balance, symbol] = cells;
    const m = /^(\d{2})(\d{2})(\d{2})$/.exec(date);
    const value = Number(amount);
    if (!m || !(value > 0)) continue;
    const row: FeatureTransaction = {
      amount: value,
      type: type === 'PRIJEM' ? 'credit' : 'debit',
      category: berkaCategory(type, operation, symbol),
      date: new Date(Date.UTC(1900 + Number(m[1]), Number(m[2]) - 1, Number(m[3]))),
      balanceAfter: Number(balance),
    };
    const list = byAccount.get(account) ?? [];
    list.push(row);
    byAccount.set(account, list);
  }
  return [...byAccount.entries()]
    .map(([id, transactions]) => ({ id: `berka-${id}`, source: 'berka' as const, transactions }))
    .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

/** The bank's balance after the last row at or before `now` (0 before the first row). */
export function balanceAt(account: RealAccount, now: Date): number {
  let balance = 0;
  for (const t of account.transactions) {
    if (t.date.getTime() > now.getTime()) break;
    balance = t.balanceAfter ?? balance;
  }
  return balance;
}

/** Weekly cut-offs (end of day, UTC) from the first one with `historyDays` of history to the last row. */
export function weeklyCutoffs(account: RealAccount, historyDays: number): Date[] {
  const first = account.transactions[0]?.date.getTime();
  const last = account.transactions.at(-1)?.date.getTime();
  if (first === undefined || last === undefined) return [];
  const cutoffs: Date[] = [];
  for (let t = first + historyDays * DAY_MS + DAY_MS - 1; t <= last + DAY_MS - 1; t += 7 * DAY_MS)
    cutoffs.push(new Date(t));
  return cutoffs;
}
