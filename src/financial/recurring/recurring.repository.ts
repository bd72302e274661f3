import { Injectable } from '@nestjs/common';

import { rows } from '../../infra/database/sql';
import { PrismaService } from '../../infra/prisma/prisma.service';

import type { HistoryEntry } from './recurring-payments';

/** The history the recurring-payment detector reads: one user's transactions, oldest first. */
@Injectable()
export class RecurringRepository {
  constructor(private readonly database: PrismaService) {}

  async history(userId: string): Promise<HistoryEntry[]> {
    const found = await rows<{ date: string; amount: string; merchant: string; category: string }>(this.database.pool, {
      name: 'recurring-history',
      text: `SELECT to_char(transaction_date AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date,
                    CASE WHEN transaction_type = 'debit' THEN -amount ELSE amount END AS amount,
                    COALESCE(NULLIF(merchant_name, ''), description) AS merchant,
                    category::text AS category
             FROM transactions WHERE user_id = $1::uuid
             ORDER BY transaction_date, seq`,
      values: [userId],
    });
    return found.map((r) => ({ date: r.date, amount: Number(r.amount), merchant: r.merchant, category: r.category }));
  }
}
