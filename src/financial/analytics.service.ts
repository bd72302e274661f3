import { Inject, Injectable } from '@nestjs/common';

import { Decimal, money } from '../common/money';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { PrismaService } from '../infra/prisma/prisma.service';
import { OWN_TRANSFER_CATEGORY } from '../ml/features/money-flows';

import { CATEGORIES, type SpendingAnalytics } from './financial.schemas';
import { LedgerService } from './ledger.service';

const HEALTH_WINDOW_DAYS = 7;

// The spending and income definitions of src/ml/features/money-flows.ts, as SQL predicates
// (isSpending, isIncome, spendingCategory): transfers to and from the user's own savings are neither.
const OWN = Prisma.sql`${OWN_TRANSFER_CATEGORY}::transaction_category`;
const IS_SPENDING = Prisma.sql`(transaction_type = 'debit' AND category <> ${OWN})`;
const IS_INCOME = Prisma.sql`(transaction_type = 'credit' AND category <> ${OWN})`;
const SPENDING_CATEGORY = Prisma.sql`(CASE WHEN category = 'income' THEN 'other' ELSE category::text END)`;

/** Every aggregate runs in SQL; only the (small) result rows reach Node. */
@Injectable()
export class AnalyticsService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaClient,
    private readonly ledger: LedgerService,
  ) {}

  /** Spending of the last `days` days per category, largest first, with each one's share of the total. */
  async spendingByCategory(userId: string, days: number): Promise<SpendingAnalytics[]> {
    const rows = await this.prisma.$queryRaw<{ category: string; total: Decimal; count: number; percentage: number }[]>`
      SELECT ${SPENDING_CATEGORY} AS category, SUM(amount) AS total, COUNT(*)::int AS count,
             ROUND(100 * SUM(amount) / NULLIF(SUM(SUM(amount)) OVER (), 0), 2)::float8 AS percentage
      FROM transactions
      WHERE user_id = ${userId}::uuid AND ${IS_SPENDING}
        AND transaction_date >= now() - make_interval(days => ${days}::int)
      GROUP BY 1
      ORDER BY total DESC, category`;
    return rows.map((r) => ({
      category: r.category as SpendingAnalytics['category'],
      total_amount: money(r.total),
      transaction_count: r.count,
      percentage: r.percentage ?? 0,
    }));
  }

  /** The 7-day summary of the reference system (F5); the balance is the wallet's. */
  async healthSummary(userId: string) {
    const wallet = await this.ledger.ensureWallet(this.prisma, userId);
    const [[totals], top] = await Promise.all([
      this.prisma.$queryRaw<{ spending: Decimal; income: Decimal; count: number }[]>`
        SELECT COALESCE(SUM(amount) FILTER (WHERE ${IS_SPENDING}), 0) AS spending,
               COALESCE(SUM(amount) FILTER (WHERE ${IS_INCOME}), 0) AS income,
               COUNT(*)::int AS count
        FROM transactions
        WHERE user_id = ${userId}::uuid AND transaction_date >= now() - make_interval(days => ${HEALTH_WINDOW_DAYS}::int)`,
      this.spendingByCategory(userId, HEALTH_WINDOW_DAYS),
    ]);
    const spending = new Decimal(totals.spending.toString());
    const income = new Decimal(totals.income.toString());
    return {
      current_balance: money(wallet.balance),
      weekly_spending: money(spending),
      weekly_income: money(income),
      transaction_count: totals.count,
      savings_rate: income.minus(spending).div(Decimal.max(income, 1)).toNumber(),
      daily_spending_avg: money(spending.div(HEALTH_WINDOW_DAYS)),
      top_spending_categories: top.slice(0, 5),
    };
  }

  /**
   * One point per UTC day for the last `days` days (today included): the wallet balance at
   * the end of that day = current balance − every signed amount dated after it, so the series
   * always ends at the real balance whatever order rows were posted in.
   */
  async balanceHistory(userId: string, days: number) {
    const wallet = await this.ledger.ensureWallet(this.prisma, userId);
    const rows = await this.prisma.$queryRaw<{ day: string; net: Decimal; count: number; balance: Decimal }[]>`
      WITH bounds AS (
        SELECT (now() AT TIME ZONE 'UTC')::date AS today
      ), calendar AS (
        SELECT d::date AS day
        FROM bounds, generate_series(bounds.today - (${days}::int - 1), bounds.today, interval '1 day') AS d
      ), daily AS (
        SELECT (transaction_date AT TIME ZONE 'UTC')::date AS day,
               SUM(CASE WHEN transaction_type = 'credit' THEN amount ELSE -amount END) AS net,
               COUNT(*)::int AS count
        FROM transactions, bounds
        WHERE user_id = ${userId}::uuid
          AND transaction_date >= ((bounds.today - (${days}::int - 1))::timestamp AT TIME ZONE 'UTC')
        GROUP BY 1
      ), future AS (
        SELECT COALESCE(SUM(CASE WHEN transaction_type = 'credit' THEN amount ELSE -amount END), 0) AS net
        FROM transactions, bounds
        WHERE user_id = ${userId}::uuid AND transaction_date >= ((bounds.today + 1)::timestamp AT TIME ZONE 'UTC')
      )
      SELECT to_char(c.day, 'YYYY-MM-DD') AS day,
             COALESCE(d.net, 0) AS net,
             COALESCE(d.count, 0) AS count,
             ${wallet.balance.toString()}::numeric - (SELECT net FROM future)
               - COALESCE(SUM(d.net) OVER (ORDER BY c.day DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS balance
      FROM calendar c LEFT JOIN daily d ON d.day = c.day
      ORDER BY c.day`;
    return {
      balance_history: rows.map((r) => {
        const net = new Decimal(r.net.toString());
        return {
          date: r.day,
          balance: Number(money(r.balance)),
          transaction_type: net.isNegative() ? ('debit' as const) : ('credit' as const),
          amount: Number(money(net.abs())),
          transaction_count: r.count,
        };
      }),
    };
  }

  /** Calendar month in UTC; average_transaction is the mean spending row, not credits and debits mixed. */
  async monthlySummary(userId: string, year: number, month: number) {
    const [r] = await this.prisma.$queryRaw<
      { income: Decimal; spending: Decimal; count: number; avg_debit: Decimal | null }[]
    >`
      SELECT COALESCE(SUM(amount) FILTER (WHERE ${IS_INCOME}), 0) AS income,
             COALESCE(SUM(amount) FILTER (WHERE ${IS_SPENDING}), 0) AS spending,
             COUNT(*)::int AS count,
             AVG(amount) FILTER (WHERE ${IS_SPENDING}) AS avg_debit
      FROM transactions
      WHERE user_id = ${userId}::uuid
        AND transaction_date >= make_timestamptz(${year}::int, ${month}::int, 1, 0, 0, 0, 'UTC')
        AND transaction_date < make_timestamptz(${year}::int, ${month}::int, 1, 0, 0, 0, 'UTC') + interval '1 month'`;
    const income = new Decimal(r.income.toString());
    const spending = new Decimal(r.spending.toString());
    return {
      month,
      year,
      total_income: income.toNumber(),
      total_spending: spending.toNumber(),
      net_change: income.minus(spending).toNumber(),
      transaction_count: r.count,
      average_transaction: r.avg_debit === null ? 0 : Number(money(r.avg_debit)),
    };
  }

  categories() {
    return {
      categories: CATEGORIES.map((value) => ({
        value,
        label: value
          .split('_')
          .map((w) => w[0].toUpperCase() + w.slice(1))
          .join(' '),
        description: `Transactions related to ${value.replace(/_/g, ' ')}`,
      })),
    };
  }
}
