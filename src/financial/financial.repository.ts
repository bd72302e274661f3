import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

import { STARTING_BALANCE } from '../common/wallet';
import type { TransactionCategory, TransactionSource } from '../generated/prisma/client';
import { containsPattern, firstRow, inTransaction, rows, type Queryable } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';
import { SQL_IS_INCOME, SQL_IS_SPENDING, SQL_SPENDING_CATEGORY } from '../ml/features/money-flows';

/**
 * Every query of the financial domain (wallets, transactions, analytics), on the shared pg
 * pool with plain parameterised SQL; the hot reads are named statements, parsed and planned
 * once per connection. Prisma's schema stays the source of truth for these tables; why the
 * queries are not Prisma calls is in docs/architecture.md (data access).
 */

export interface WalletRow {
  id: string;
  /** NUMERIC(12,2) as pg returns it: a decimal string. */
  balance: string;
}

export interface WalletView extends WalletRow {
  currency: string;
  updatedAt: Date;
}

/** What a transaction says about the money that moved: shared by stored, new and imported rows. */
export interface TransactionFields {
  transactionType: 'debit' | 'credit';
  /** Positive two-decimal string; the type carries the sign. */
  amount: string;
  category: TransactionCategory;
  description: string;
  merchantName: string | null;
  locationCity: string | null;
  locationCountry: string | null;
  balanceAfter: string;
}

export interface TransactionRow extends TransactionFields {
  id: string;
  transactionDate: Date;
  source: TransactionSource;
}

export interface NewTransaction extends TransactionFields {
  userId: string;
  walletId: string;
  source: TransactionSource;
}

export type TransactionChanges = Partial<TransactionFields>;

export interface TransactionFilter {
  since?: Date;
  until?: Date;
  minAmount?: string;
  maxAmount?: string;
  categories?: TransactionCategory[];
  transactionType?: 'debit' | 'credit';
  search?: string;
}

const TRANSACTION_COLUMNS = `id, transaction_type AS "transactionType", amount, category, description,
  merchant_name AS "merchantName", location_city AS "locationCity", location_country AS "locationCountry",
  balance_after AS "balanceAfter", transaction_date AS "transactionDate", source`;

/** Columns a caller may change, and their SQL casts. */
const CHANGE_COLUMNS: Record<keyof TransactionChanges, string> = {
  transactionType: 'transaction_type = $::transaction_type',
  amount: 'amount = $::numeric',
  category: 'category = $::transaction_category',
  description: 'description = $',
  merchantName: 'merchant_name = $',
  locationCity: 'location_city = $',
  locationCountry: 'location_country = $',
  balanceAfter: 'balance_after = $::numeric',
};

@Injectable()
export class FinancialRepository {
  constructor(private readonly database: PrismaService) {}

  /** Runs `work` in one database transaction; pass its `tx` to the methods below. */
  transaction<T>(work: (tx: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.database.pool, work);
  }

  // ─── Wallets ───────────────────────────────────────────────────────────────

  findWallet(userId: string): Promise<WalletView | undefined> {
    return firstRow<WalletView>(this.database.pool, {
      name: 'wallet-by-user',
      text: `SELECT id, balance, currency, updated_at AS "updatedAt" FROM wallets WHERE user_id = $1::uuid`,
      values: [userId],
    });
  }

  /** Creates the user's wallet unless it exists (unique user_id makes it race-safe). */
  async openWallet(db: Queryable, userId: string, balance = STARTING_BALANCE): Promise<void> {
    await db.query({
      name: 'wallet-open',
      text: `INSERT INTO wallets (id, user_id, balance, currency, created_at, updated_at)
             VALUES (gen_random_uuid(), $1::uuid, $2::numeric, 'USD', now(), now())
             ON CONFLICT (user_id) DO NOTHING`,
      values: [userId, balance],
    });
  }

  /**
   * Adds a signed delta unless the result leaves [0, max]: the WHERE clause is the check,
   * evaluated on the locked, current row. Undefined when refused or when there is no wallet.
   */
  applyDelta(tx: PoolClient, userId: string, delta: string, max: string): Promise<WalletRow | undefined> {
    return firstRow<WalletRow>(tx, {
      name: 'wallet-apply-delta',
      text: `UPDATE wallets SET balance = balance + $2::numeric, updated_at = now()
             WHERE user_id = $1::uuid AND balance + $2::numeric >= 0 AND balance + $2::numeric <= $3::numeric
             RETURNING id, balance`,
      values: [userId, delta, max],
    });
  }

  /** Sets the balance after recorded history (LedgerService.closeHistory); the caller holds the wallet's lock. */
  async setBalance(tx: PoolClient, walletId: string, balance: string): Promise<void> {
    await tx.query({
      name: 'wallet-set-balance',
      text: `UPDATE wallets SET balance = $2::numeric, updated_at = now() WHERE id = $1::uuid`,
      values: [walletId, balance],
    });
  }

  // ─── Transactions ──────────────────────────────────────────────────────────

  insertTransaction(tx: PoolClient, t: NewTransaction): Promise<TransactionRow> {
    return firstRow<TransactionRow>(tx, {
      name: 'transaction-insert',
      text: `INSERT INTO transactions (id, user_id, wallet_id, transaction_type, amount, category, description,
               merchant_name, location_city, location_country, balance_after, source, transaction_date, created_at, updated_at)
             VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3::transaction_type, $4::numeric, $5::transaction_category, $6,
               $7, $8, $9, $10::numeric, $11::transaction_source, now(), now(), now())
             RETURNING ${TRANSACTION_COLUMNS}`,
      values: [
        t.userId,
        t.walletId,
        t.transactionType,
        t.amount,
        t.category,
        t.description,
        t.merchantName,
        t.locationCity,
        t.locationCountry,
        t.balanceAfter,
        t.source,
      ],
    }) as Promise<TransactionRow>;
  }

  /**
   * Ownership in the query: another user's id is simply not found. Inside a transaction (`tx`)
   * the row is locked, serialising concurrent edits and deletes of it.
   */
  findOwnedTransaction(userId: string, id: string, tx?: PoolClient): Promise<TransactionRow | undefined> {
    return firstRow<TransactionRow>(tx ?? this.database.pool, {
      name: tx ? 'transaction-owned-lock' : 'transaction-owned',
      text: `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE id = $1::uuid AND user_id = $2::uuid${tx ? ' FOR UPDATE' : ''}`,
      values: [id, userId],
    });
  }

  updateTransaction(tx: PoolClient, id: string, changes: TransactionChanges): Promise<TransactionRow> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      values.push(value);
      sets.push(CHANGE_COLUMNS[key as keyof TransactionChanges].replace('$', `$${values.length}`));
    }
    sets.push('updated_at = now()');
    return firstRow<TransactionRow>(tx, {
      text: `UPDATE transactions SET ${sets.join(', ')} WHERE id = $1::uuid RETURNING ${TRANSACTION_COLUMNS}`,
      values,
    }) as Promise<TransactionRow>;
  }

  async deleteTransaction(tx: PoolClient, id: string): Promise<void> {
    await tx.query({ name: 'transaction-delete', text: 'DELETE FROM transactions WHERE id = $1::uuid', values: [id] });
  }

  /**
   * One page, newest first, and the number of matching rows, in one round trip: the count
   * joins the page, so an empty page still answers with its total.
   */
  async listTransactions(
    userId: string,
    filter: TransactionFilter,
    limit: number,
    offset: number,
  ): Promise<{ rows: TransactionRow[]; total: number }> {
    const values: unknown[] = [userId, limit, offset];
    const where = ['user_id = $1::uuid'];
    const shape: string[] = [];
    const add = (tag: string, value: unknown, condition: (p: string) => string) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
      shape.push(tag);
    };
    if (filter.since) add('since', filter.since, (p) => `transaction_date >= ${p}::timestamptz`);
    if (filter.until) add('until', filter.until, (p) => `transaction_date <= ${p}::timestamptz`);
    if (filter.minAmount) add('min', filter.minAmount, (p) => `amount >= ${p}::numeric`);
    if (filter.maxAmount) add('max', filter.maxAmount, (p) => `amount <= ${p}::numeric`);
    if (filter.categories) add('cat', filter.categories, (p) => `category = ANY(${p}::transaction_category[])`);
    if (filter.transactionType) add('type', filter.transactionType, (p) => `transaction_type = ${p}::transaction_type`);
    if (filter.search) {
      add('q', containsPattern(filter.search), (p) => `(description ILIKE ${p} OR merchant_name ILIKE ${p})`);
    }
    const condition = where.join(' AND ');
    const found = await rows<TransactionRow & { total: number }>(this.database.pool, {
      // The same filters always produce the same text, so each combination is prepared once per connection.
      name: `transactions-list:${shape.join(',')}`,
      text: `SELECT c.total, p.*
             FROM (SELECT count(*)::int AS total FROM transactions WHERE ${condition}) c
             LEFT JOIN LATERAL (
               SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE ${condition}
               -- seq breaks ties between rows stamped in the same microsecond
               ORDER BY transaction_date DESC, seq DESC LIMIT $2 OFFSET $3
             ) p ON true`,
      values,
    });
    const total = found[0]?.total ?? 0;
    return { rows: found[0]?.id ? found.map(({ total: _total, ...row }) => row) : [], total };
  }

  // ─── Analytics (every aggregate in SQL; only the small result reaches Node) ─

  spendingByCategory(
    userId: string,
    days: number,
  ): Promise<{ category: TransactionCategory; total: string; count: number; percentage: number | null }[]> {
    return rows(this.database.pool, {
      name: 'analytics-spending-by-category',
      text: `SELECT ${SQL_SPENDING_CATEGORY} AS category, SUM(amount) AS total, COUNT(*)::int AS count,
                    ROUND(100 * SUM(amount) / NULLIF(SUM(SUM(amount)) OVER (), 0), 2)::float8 AS percentage
             FROM transactions
             WHERE user_id = $1::uuid AND ${SQL_IS_SPENDING}
               AND transaction_date >= now() - make_interval(days => $2::int)
             GROUP BY 1
             ORDER BY total DESC, category`,
      values: [userId, days],
    });
  }

  /** The wallet balance (null without a wallet) and the window's spending, income and spending per category, in one query. */
  async recentSummary(userId: string, days: number) {
    const row = await firstRow<{
      balance: string | null;
      spending: string;
      income: string;
      count: number;
      categories: { category: TransactionCategory; total: string; count: number; percentage: number | null }[];
    }>(this.database.pool, {
      name: 'analytics-recent-summary',
      text: `WITH recent AS (
               SELECT transaction_type, category, amount FROM transactions
               WHERE user_id = $1::uuid AND transaction_date >= now() - make_interval(days => $2::int)
             ), per_category AS (
               SELECT ${SQL_SPENDING_CATEGORY} AS category, SUM(amount) AS total, COUNT(*)::int AS count,
                      ROUND(100 * SUM(amount) / NULLIF(SUM(SUM(amount)) OVER (), 0), 2)::float8 AS percentage
               FROM recent WHERE ${SQL_IS_SPENDING} GROUP BY 1
             )
             SELECT (SELECT balance FROM wallets WHERE user_id = $1::uuid) AS balance,
                    COALESCE(SUM(amount) FILTER (WHERE ${SQL_IS_SPENDING}), 0) AS spending,
                    COALESCE(SUM(amount) FILTER (WHERE ${SQL_IS_INCOME}), 0) AS income,
                    COUNT(*)::int AS count,
                    (SELECT COALESCE(json_agg(json_build_object('category', category, 'total', total::text,
                              'count', count, 'percentage', percentage) ORDER BY total DESC, category), '[]')
                     FROM per_category) AS categories
             FROM recent`,
      values: [userId, days],
    });
    return row!;
  }

  /**
   * One point per UTC day for the last `days` days (today included): the balance at the end
   * of that day = current balance − every signed amount dated after it, so the series always
   * ends at the real balance whatever order rows were posted in. `fallbackBalance` stands in
   * for a user without a wallet.
   */
  balanceHistory(userId: string, days: number, fallbackBalance: string) {
    return rows<{ day: string; net: string; count: number; balance: string }>(this.database.pool, {
      name: 'analytics-balance-history',
      text: `WITH bounds AS (
               SELECT (now() AT TIME ZONE 'UTC')::date AS today
             ), calendar AS (
               SELECT d::date AS day
               FROM bounds, generate_series(bounds.today - ($2::int - 1), bounds.today, interval '1 day') AS d
             ), daily AS (
               SELECT (transaction_date AT TIME ZONE 'UTC')::date AS day,
                      SUM(CASE WHEN transaction_type = 'credit' THEN amount ELSE -amount END) AS net,
                      COUNT(*)::int AS count
               FROM transactions, bounds
               WHERE user_id = $1::uuid
                 AND transaction_date >= ((bounds.today - ($2::int - 1))::timestamp AT TIME ZONE 'UTC')
               GROUP BY 1
             ), future AS (
               SELECT COALESCE(SUM(CASE WHEN transaction_type = 'credit' THEN amount ELSE -amount END), 0) AS net
               FROM transactions, bounds
               WHERE user_id = $1::uuid AND transaction_date >= ((bounds.today + 1)::timestamp AT TIME ZONE 'UTC')
             )
             SELECT to_char(c.day, 'YYYY-MM-DD') AS day,
                    COALESCE(d.net, 0) AS net,
                    COALESCE(d.count, 0) AS count,
                    COALESCE((SELECT balance FROM wallets WHERE user_id = $1::uuid), $3::numeric) - (SELECT net FROM future)
                      - COALESCE(SUM(d.net) OVER (ORDER BY c.day DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS balance
             FROM calendar c LEFT JOIN daily d ON d.day = c.day
             ORDER BY c.day`,
      values: [userId, days, fallbackBalance],
    });
  }

  /** Calendar month in UTC; avg_debit is the mean spending row. */
  async monthlyTotals(userId: string, year: number, month: number) {
    const row = await firstRow<{ income: string; spending: string; count: number; avg_debit: string | null }>(
      this.database.pool,
      {
        name: 'analytics-monthly-totals',
        text: `SELECT COALESCE(SUM(amount) FILTER (WHERE ${SQL_IS_INCOME}), 0) AS income,
                      COALESCE(SUM(amount) FILTER (WHERE ${SQL_IS_SPENDING}), 0) AS spending,
                      COUNT(*)::int AS count,
                      AVG(amount) FILTER (WHERE ${SQL_IS_SPENDING}) AS avg_debit
               FROM transactions
               WHERE user_id = $1::uuid
                 AND transaction_date >= make_timestamptz($2::int, $3::int, 1, 0, 0, 0, 'UTC')
                 AND transaction_date < make_timestamptz($2::int, $3::int, 1, 0, 0, 0, 'UTC') + interval '1 month'`,
        values: [userId, year, month],
      },
    );
    return row!;
  }
}
