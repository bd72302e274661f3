import { Injectable } from '@nestjs/common';

import type { Category } from '../common/categories';
import { round2 } from '../common/rounding';
import { STARTING_BALANCE } from '../common/wallet';
import { PrismaService } from '../infra/prisma/prisma.service';

import type { FinancialSummary } from './coaching-domain';
import { extractFeatures, type FeatureTransaction } from './features/extract-features';
import { FEATURE_NAMES } from './features/feature-names';
import { SEGMENT_WINDOW_DAYS, segmentFeatures } from './features/segment-features';
import { moneyHistory, HISTORY_DAYS, type MoneyHistory } from './features/spending-history';
import { summarize, weeklyIncome } from './features/summary';

/** Everything the coaching models read about one user, computed once per request. */
export interface UserState {
  userId: string;
  now: Date;
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
  /** Changes whenever the user's transactions change: the prediction-cache key. */
  dataVersion: string;
}

/** One transaction of the window as the state query returns it: a JSON array, in this column order. */
type TransactionTuple = [
  amount: number,
  type: 'debit' | 'credit',
  category: Category,
  date: string,
  timeKnown: boolean,
  merchant: string | null,
  city: string | null,
  balanceAfter: number,
];

interface StateRow {
  balance: string | null;
  n: string;
  max_seq: string | null;
  updated: Date | null;
  first_at: Date | null;
  window: TransactionTuple[];
}

const DAY_MS = 86_400_000;
const HISTORICAL_AFTER_MS = 3_600_000;

@Injectable()
export class UserStateService {
  constructor(private readonly prisma: PrismaService) {}

  /** The state at `now` (default: the present); a past `now` replays the ledger as it was then. */
  async load(userId: string, now = new Date()): Promise<UserState> {
    // The forecaster and goal model read 26 weeks; a week more keeps the oldest day complete.
    const windowDays = Math.max(35, HISTORY_DAYS + 7, SEGMENT_WINDOW_DAYS + 1);
    const since = new Date(now.getTime() - windowDays * DAY_MS);
    const { meta, rows } = await this.stateRows(userId, since, now);
    const { balance: walletBalance, version, firstAt } = meta;
    const transactions: FeatureTransaction[] = rows.map((r) => ({
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
    const last = rows.at(-1);
    const historical = now.getTime() < Date.now() - HISTORICAL_AFTER_MS;
    const balance = historical && last ? last[7] : (walletBalance ?? Number(STARTING_BALANCE));
    const history = moneyHistory(transactions, now, balance, firstAt);
    const vector = Array.from(extractFeatures({ transactions, balance, now }));
    const features = Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, vector[i]]));
    return {
      userId,
      now,
      balance,
      features,
      vector,
      segmentFeatures: segmentFeatures(transactions, balance, now),
      summary: summarize(transactions, balance, features, now),
      history,
      weeklyIncomeAvg: round2(weeklyIncome(transactions, now, 4)),
      // A past moment has a version of its own, so nothing cached or stored for another moment
      // (prediction cache, stored segment) is taken for it.
      dataVersion: historical ? `${version}@${now.toISOString()}` : version,
    };
  }

  /** Count, newest sequence number and last update of the user's transactions. */
  async dataVersion(userId: string): Promise<string> {
    return (await this.stateRows(userId, null, null)).meta.version;
  }

  /**
   * The wallet balance (null before the wallet exists), the data version and the transactions of
   * the window [since, now], oldest first (none without a window): one statement, one round trip
   * on every coaching request.
   * The window's rows travel as one JSON array (parsed natively) rather than as rows whose every
   * field the driver would parse on its own.
   */
  private async stateRows(
    userId: string,
    since: Date | null,
    now: Date | null,
  ): Promise<{ meta: { balance: number | null; version: string; firstAt: Date | null }; rows: TransactionTuple[] }> {
    const { rows } = await this.prisma.pool.query<StateRow>({
      name: 'user-state', // prepared once per connection (planning cost more than running)
      text: `SELECT (SELECT balance::text FROM wallets WHERE user_id = $1::uuid) AS balance,
                    count(*) AS n, max(seq) AS max_seq, max(updated_at) AS updated, min(transaction_date) AS first_at,
                    coalesce(json_agg(json_build_array(amount, transaction_type, category, transaction_date, time_known,
                                                       merchant_name, location_city, balance_after)
                                      ORDER BY transaction_date, seq)
                               FILTER (WHERE transaction_date >= $2 AND transaction_date <= $3), '[]') AS window
             FROM transactions WHERE user_id = $1::uuid`,
      values: [userId, since, now],
    });
    const row = rows[0];
    return {
      meta: {
        balance: row.balance === null ? null : Number(row.balance),
        version: `${row.n}:${row.max_seq ?? 0}:${row.updated?.getTime() ?? 0}`,
        firstAt: row.first_at,
      },
      rows: row.window,
    };
  }
}
