import { Injectable } from '@nestjs/common';

import type { Category } from '../common/categories';
import { firstRow, rows } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';

export interface StateTransactionRow {
  amount: string;
  transaction_type: 'debit' | 'credit';
  category: Category;
  transaction_date: Date;
  time_known: boolean;
  merchant_name: string | null;
  location_city: string | null;
  balance_after: string;
}

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

  /** The user's transactions dated in [since, until], oldest first. */
  transactions(userId: string, since: Date, until: Date): Promise<StateTransactionRow[]> {
    return rows<StateTransactionRow>(this.prisma.pool, {
      name: 'user-state-transactions',
      text: `SELECT amount::text, transaction_type::text AS transaction_type, category::text AS category, transaction_date,
                    time_known, merchant_name, location_city, balance_after::text
             FROM transactions
             WHERE user_id = $1::uuid AND transaction_date >= $2 AND transaction_date <= $3
             ORDER BY transaction_date, seq`,
      values: [userId, since, until],
    });
  }

  /** The wallet balance and what identifies the current state of the user's transactions, in one round trip. */
  async balanceAndVersion(userId: string): Promise<BalanceAndVersionRow> {
    const row = await firstRow<BalanceAndVersionRow>(this.prisma.pool, {
      name: 'user-state-version',
      text: `SELECT (SELECT balance::text FROM wallets WHERE user_id = $1::uuid) AS balance,
                    count(*) AS n, max(seq) AS max_seq, max(updated_at) AS updated, min(transaction_date) AS first_at
             FROM transactions WHERE user_id = $1::uuid`,
      values: [userId],
    });
    return row!;
  }
}
