import { Injectable } from '@nestjs/common';

import type { DataUser } from '../common/auth-user';
import { round2 } from '../common/rounding';
import { STARTING_BALANCE } from '../common/wallet';

import type { FinancialSummary } from './coaching-domain';
import { extractFeatures, type FeatureTransaction } from './features/extract-features';
import { FEATURE_NAMES } from './features/feature-names';
import { SEGMENT_WINDOW_DAYS, segmentFeatures } from './features/segment-features';
import { coachingMoment, moneyHistory, HISTORY_DAYS, type MoneyHistory } from './features/spending-history';
import { summarize, weeklyIncome } from './features/summary';
import { UserStateRepository } from './user-state.repository';

/** Everything the coaching models read about one user, computed once per request. */
export interface UserState {
  userId: string;
  /** The moment the state describes: `requestedAt`, or the end of the last day with a transaction when the history is stale. */
  now: Date;
  /** The moment asked about (the present, or a past moment replayed). */
  requestedAt: Date;
  /**
   * True when no transaction came in the STALE_HISTORY_DAYS before `requestedAt` (a statement not
   * imported since): the state then describes the history's last days, not weeks without data.
   */
  historyStale: boolean;
  balance: number;
  features: Record<string, number>;
  vector: number[];
  /** The segmentation features of the 13 weeks ending at `now`. */
  segmentFeatures: Record<string, number>;
  summary: FinancialSummary;
  /** Day-by-day spending, income and balance of the last 26 weeks (forecasts and goal model). */
  history: MoneyHistory;
  /** Mean weekly income over the last 4 weeks (steadier than the last 7 days alone). */
  weeklyIncomeAvg: number;
  /** Changes whenever the user's transactions or wallet change: the reuse and prediction-cache key. */
  dataVersion: string;
  /** The date of the user's last transaction up to `now` (null: none). */
  lastTransactionAt: Date | null;
}

const DAY_MS = 86_400_000;
// The forecaster and goal model read 26 weeks; a week more keeps the oldest day complete.
const WINDOW_DAYS = Math.max(35, HISTORY_DAYS + 7, SEGMENT_WINDOW_DAYS + 1);
const windowStart = (now: Date) => new Date(now.getTime() - WINDOW_DAYS * DAY_MS);
const HISTORICAL_AFTER_MS = 3_600_000;
/** The data version of a user who does not exist (deleted mid-request): matches nothing stored. */
const NO_USER = 'no-user';

@Injectable()
export class UserStateService {
  constructor(private readonly repository: UserStateRepository) {}

  /**
   * The state at `requestedAt` (default: the present); a past moment replays the ledger as it was
   * then. A history silent for STALE_HISTORY_DAYS is read from the end of its last day instead
   * (coachingMoment): a second read, only then.
   */
  async load(userId: string, requestedAt = new Date()): Promise<UserState> {
    let state = await this.repository.stateWithWindow(userId, windowStart(requestedAt), requestedAt);
    const now = coachingMoment(state.last_at, requestedAt);
    const historyStale = now.getTime() < requestedAt.getTime();
    if (historyStale) state = await this.repository.stateWithWindow(userId, windowStart(now), now);
    const walletBalance = state.balance === null ? null : Number(state.balance);
    const version = state.data_version ?? NO_USER;
    const firstAt = state.first_at;
    const transactions: FeatureTransaction[] = state.window.map((r) => ({
      amount: r[0],
      type: r[1],
      category: r[2],
      date: new Date(r[3]),
      timeKnown: r[4],
      merchant: r[5],
      city: r[6],
      balanceAfter: r[7],
    }));
    // A past `now` (a replay, an evaluation at a cut-off) sees the ledger's balance after its last
    // row up to `now`, not today's wallet.
    const last = state.window.at(-1);
    const historical = requestedAt.getTime() < Date.now() - HISTORICAL_AFTER_MS;
    const balance = historical && last ? last[7] : (walletBalance ?? Number(STARTING_BALANCE));
    const history = moneyHistory(transactions, now, balance, firstAt);
    const vector = Array.from(extractFeatures({ transactions, balance, now }));
    const features = Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, vector[i]]));
    return {
      userId,
      now,
      requestedAt,
      historyStale,
      balance,
      features,
      vector,
      segmentFeatures: segmentFeatures(transactions, balance, now),
      summary: summarize(transactions, balance, features, now),
      history,
      weeklyIncomeAvg: round2(weeklyIncome(transactions, now, 4)),
      // A past moment has a version of its own, so nothing cached or stored for another moment
      // (prediction cache, stored segment) is taken for it.
      dataVersion: historical ? `${version}@${requestedAt.toISOString()}` : version,
      lastTransactionAt: state.last_at,
    };
  }

  /**
   * What identifies the current state of the user's transactions and balance (the reuse and cache
   * key): the version the request's auth check read, else read now.
   */
  async dataVersion(user: DataUser): Promise<string> {
    return user.dataVersion ?? (await this.repository.dataVersion(user.id)) ?? NO_USER;
  }
}
