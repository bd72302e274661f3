import { Injectable } from '@nestjs/common';

import type { Category } from '../common/categories';
import { firstRow } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';

/** One transaction of the state's window, as the state statement returns it: a JSON array in this column order. */
export type StateTransactionTuple = [
  amount: number,
  type: 'debit' | 'credit',
  category: Category,
  date: string,
  timeKnown: boolean,
  merchant: string | null,
  city: string | null,
  balanceAfter: number,
];

/**
 * The coaching state's one row: balance (null before the wallet exists), data version, the first
 * transaction's date, the last one's up to the window's end, and the window.
 */
export interface StateRow {
  balance: string | null;
  data_version: string | null;
  first_at: Date | null;
  last_at: Date | null;
  window: StateTransactionTuple[];
}

/**
 * The coaching state's reads of the ledger (transactions, wallet) and of the user's data version:
 * the state statement runs on every coaching request that decides afresh, the version alone only
 * where no request's auth check read it (replays, jobs). Named statements on the shared pool,
 * prepared once per connection (planning cost more than running).
 */
@Injectable()
export class UserStateRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The wallet balance, the user's data version, the first transaction's date, the last one's up to
   * `until` and the transactions dated in [since, until] oldest first: one statement, so a coaching
   * request makes one round trip for its state. The window travels as one JSON array (parsed
   * natively) rather than as rows whose every field the driver would parse on its own.
   */
  async stateWithWindow(userId: string, since: Date, until: Date): Promise<StateRow> {
    const row = await firstRow<StateRow>(this.prisma.pool, {
      name: 'user-state-window',
      // Each part reads only what it needs through the (user_id, transaction_date) index: the window
      // its dates, the first and last dates one index entry each, so the cost follows the window, not the history.
      text: `SELECT w.balance::text AS balance,
                    (SELECT data_version::text FROM users WHERE id = $1::uuid) AS data_version,
                    (SELECT min(transaction_date) FROM transactions WHERE user_id = $1::uuid) AS first_at,
                    (SELECT max(transaction_date) FROM transactions
                      WHERE user_id = $1::uuid AND transaction_date <= $3) AS last_at,
                    (SELECT coalesce(json_agg(json_build_array(amount, transaction_type, category, transaction_date,
                                                               time_known, merchant_name, location_city, balance_after)
                                              ORDER BY transaction_date, seq), '[]')
                       FROM transactions
                      WHERE user_id = $1::uuid AND transaction_date >= $2 AND transaction_date <= $3) AS window
             FROM (SELECT) AS one LEFT JOIN wallets w ON w.user_id = $1::uuid`,
      values: [userId, since, until],
    });
    return row!;
  }

  /** The user's data version alone, for callers without a request's auth check (replays, jobs); null: no such user. */
  async dataVersion(userId: string): Promise<string | null> {
    const row = await firstRow<{ data_version: string }>(this.prisma.pool, {
      name: 'user-data-version',
      text: 'SELECT data_version::text AS data_version FROM users WHERE id = $1::uuid',
      values: [userId],
    });
    return row?.data_version ?? null;
  }
}
