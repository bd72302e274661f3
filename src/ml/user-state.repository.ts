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

export interface BalanceAndVersionRow {
  balance: string | null;
  n: string;
  max_seq: string | null;
  updated: Date | null;
  first_at: Date | null;
}

/**
 * The coaching state's reads of the ledger (transactions, wallet), both on every coaching request:
 * named statements on the shared pool, prepared once per connection (planning cost more than running).
 */
@Injectable()
export class UserStateRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The wallet balance, what identifies the current state of the user's transactions, and the
   * transactions dated in [since, until] oldest first (none without a window): one statement, so a coaching request makes
   * one round trip for its state. The window travels as one JSON array (parsed natively) rather
   * than as rows whose every field the driver would parse on its own.
   */
  async stateWithWindow(
    userId: string,
    since: Date | null,
    until: Date | null,
  ): Promise<BalanceAndVersionRow & { window: StateTransactionTuple[] }> {
    const row = await firstRow<BalanceAndVersionRow & { window: StateTransactionTuple[] }>(this.prisma.pool, {
      name: 'user-state-window',
      text: `SELECT (SELECT balance::text FROM wallets WHERE user_id = $1::uuid) AS balance,
                    count(*) AS n, max(seq) AS max_seq, max(updated_at) AS updated, min(transaction_date) AS first_at,
                    coalesce(json_agg(json_build_array(amount, transaction_type, category, transaction_date, time_known,
                                                       merchant_name, location_city, balance_after)
                                      ORDER BY transaction_date, seq)
                               FILTER (WHERE transaction_date >= $2 AND transaction_date <= $3), '[]') AS window
             FROM transactions WHERE user_id = $1::uuid`,
      values: [userId, since, until],
    });
    return row!;
  }
}
