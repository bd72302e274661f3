/**
 * Rolling origins, truths, goal episodes and the train/test split of the real data, per
 * shared/docs/ml-evaluation.md. Shared by the training export and `npm run eval:models`,
 * so both see the same origins and the same split.
 */
import { createHash } from 'node:crypto';

import type { FeatureTransaction } from '../../src/ml/features/extract-features';
import { isSpending } from '../../src/ml/features/money-flows';
import {
  coachingMoment,
  moneyHistory,
  monthlyIncome90d,
  type MoneyHistory,
} from '../../src/ml/features/spending-history';

import type { Dataset, RealAccount } from './real-data';

const DAY_MS = 86_400_000;
export const MIN_HISTORY_DAYS = 56; // 8 weeks
export const GOAL_MIN_HISTORY_DAYS = 90; // the goal unit is the previous 90 days' income
export const GOAL_MULTIPLES = [0.25, 0.5, 1, 2] as const;
export const GOAL_HORIZONS = [30, 60, 90] as const;

/**
 * Held out by time: no test origin starts before the cut and no training target ends after it.
 * Berka is also held out by account (40% of the even accounts, chosen by a fixed hash).
 */
export const TIME_CUT: Record<Dataset | 'synthetic', Date> = {
  moneyvis: new Date('2020-01-06T00:00:00Z'),
  berka: new Date('1993-11-01T00:00:00Z'),
  synthetic: new Date('2024-07-01T00:00:00Z'),
};

export type Role = 'train' | 'test' | 'unused';

/** Fixed, documented account split: Knuth's multiplicative hash of the id, 60% train / 40% test. */
export function isTestAccount(dataset: Dataset | 'synthetic', id: string): boolean {
  if (dataset === 'moneyvis') return true; // one account: held out by time only
  if (dataset === 'synthetic') return true; // simulated users are never trained on here
  const h = (Number(id) * 2654435761) % 4294967296;
  return h / 4294967296 >= 0.6;
}

export function roleOf(dataset: Dataset | 'synthetic', id: string, origin: Date, horizonDays: number): Role {
  const cut = TIME_CUT[dataset].getTime();
  const testAccount = isTestAccount(dataset, id);
  if (origin.getTime() >= cut && testAccount) return 'test';
  const trainAccount = dataset === 'moneyvis' || !testAccount;
  if (dataset !== 'synthetic' && trainAccount && origin.getTime() + horizonDays * DAY_MS <= cut) return 'train';
  return 'unused';
}

/**
 * The system's own consenting users (the retraining job's export): 40% held out by a fixed hash of
 * the user id, and by time at `cut` (systemTimeCut), as the public data sets are.
 */
export function systemRoleOf(id: string, origin: Date, horizonDays: number, cut: Date | null): Role {
  const test = createHash('sha256').update(id).digest().readUInt32BE(0) / 4294967296 >= 0.6;
  if (!cut) return 'unused';
  if (test) return origin.getTime() >= cut.getTime() ? 'test' : 'unused';
  return origin.getTime() + horizonDays * DAY_MS <= cut.getTime() ? 'train' : 'unused';
}

/** The Monday 70% of the way through the users' data (null without data): earlier trains, later tests. */
export function systemTimeCut(accounts: { transactions: FeatureTransaction[] }[]): Date | null {
  let first = Infinity;
  let last = -Infinity;
  for (const a of accounts)
    for (const t of a.transactions) {
      first = Math.min(first, t.date.getTime());
      last = Math.max(last, t.date.getTime());
    }
  if (!Number.isFinite(first)) return null;
  const at = new Date(first + 0.7 * (last - first));
  const monday = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  while (monday.getUTCDay() !== 1) monday.setUTCDate(monday.getUTCDate() + 1);
  return monday;
}

/** The last moment the data covers (end of its newest day). */
export function dataEnd(accounts: RealAccount[] | { transactions: FeatureTransaction[] }[]): Date {
  let newest = 0;
  for (const a of accounts) for (const t of a.transactions) newest = Math.max(newest, t.date.getTime());
  const d = new Date(newest);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
}

/** Weekly origins (Mondays 00:00 UTC) with ≥ minHistory days of history and the horizon inside the data. */
export function weeklyOrigins(transactions: FeatureTransaction[], end: Date, horizonDays: number, minHistory: number) {
  if (transactions.length === 0) return [];
  const first = transactions[0].date.getTime();
  const start = new Date(first + minHistory * DAY_MS);
  const monday = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  while (monday.getUTCDay() !== 1 || monday.getTime() < first + minHistory * DAY_MS)
    monday.setUTCDate(monday.getUTCDate() + 1);
  const out: Date[] = [];
  for (let t = monday.getTime(); t + horizonDays * DAY_MS <= end.getTime(); t += 7 * DAY_MS) out.push(new Date(t));
  return out;
}

/** Spending (THE definition) in (from, from + days]. */
export function spendingAfter(transactions: FeatureTransaction[], from: Date, days: number): number {
  const a = from.getTime();
  const b = a + days * DAY_MS;
  let s = 0;
  for (const t of transactions) {
    const at = t.date.getTime();
    if (at > a && at <= b && isSpending(t)) s += t.amount;
  }
  return s;
}

/** The bank's running balance at `at` (after the last row at or before it). */
export function balanceAt(transactions: FeatureTransaction[], at: Date): number {
  let balance: number | undefined;
  for (const t of transactions) {
    if (t.date.getTime() > at.getTime()) break;
    if (t.balanceAfter != null) balance = t.balanceAfter;
  }
  if (balance !== undefined) return balance;
  const first = transactions[0];
  return first?.balanceAfter != null ? first.balanceAfter - (first.type === 'debit' ? -first.amount : first.amount) : 0;
}

/** The history the server would see at `origin` (rows up to it; balance from the rows). */
export function historyAt(transactions: FeatureTransaction[], origin: Date): MoneyHistory {
  return moneyHistory(transactions, origin, balanceAt(transactions, origin));
}

/**
 * The history the API's coaching reads at `origin` (UserStateService.load): the one at
 * `origin`, or the one at the end of the last day with a transaction when none came for
 * STALE_HISTORY_DAYS before it.
 */
export function servedHistoryAt(transactions: FeatureTransaction[], origin: Date): MoneyHistory {
  let last: Date | null = null;
  for (const t of transactions) {
    if (t.date.getTime() > origin.getTime()) break;
    last = t.date;
  }
  return historyAt(transactions, coachingMoment(last, origin));
}

export interface GoalEpisode {
  origin: Date;
  horizon: number;
  multiple: number;
  goal: number;
  achieved: boolean;
}

/** The protocol's goal episodes at one origin (none when the account had no income in the 90 days). */
export function goalEpisodes(transactions: FeatureTransaction[], h: MoneyHistory, end: Date): GoalEpisode[] {
  const income = monthlyIncome90d(h);
  if (income <= 0) return [];
  const start = balanceAt(transactions, h.now);
  const out: GoalEpisode[] = [];
  for (const horizon of GOAL_HORIZONS) {
    const at = new Date(h.now.getTime() + horizon * DAY_MS);
    if (at.getTime() > end.getTime()) continue;
    const rise = balanceAt(transactions, at) - start;
    for (const multiple of GOAL_MULTIPLES) {
      const goal = Math.round(multiple * income * 100) / 100;
      out.push({ origin: h.now, horizon, multiple, goal, achieved: rise >= goal });
    }
  }
  return out;
}
