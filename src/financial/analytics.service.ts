import { Injectable } from '@nestjs/common';

import { Decimal, money } from '../common/money';
import { STARTING_BALANCE } from '../common/wallet';

import { FinancialRepository } from './financial.repository';
import { CATEGORIES, type SpendingAnalytics } from './financial.schemas';

const HEALTH_WINDOW_DAYS = 7;

/** Every aggregate runs in SQL (FinancialRepository); only the (small) result rows reach Node. */
@Injectable()
export class AnalyticsService {
  constructor(private readonly repository: FinancialRepository) {}

  /** Spending (money-flows.ts) of the last `days` days per category, largest first, with each one's share of the total. */
  async spendingByCategory(userId: string, days: number): Promise<SpendingAnalytics[]> {
    return (await this.repository.spendingByCategory(userId, days)).map(toSpendingAnalytics);
  }

  /**
   * The 7-day summary of the reference system (F5); the balance is the wallet's (the starting
   * balance for a user who has none yet). One query.
   */
  async healthSummary(userId: string) {
    const summary = await this.repository.recentSummary(userId, HEALTH_WINDOW_DAYS);
    const spending = new Decimal(summary.spending);
    const income = new Decimal(summary.income);
    return {
      current_balance: money(summary.balance ?? STARTING_BALANCE),
      weekly_spending: money(spending),
      weekly_income: money(income),
      transaction_count: summary.count,
      savings_rate: income.minus(spending).div(Decimal.max(income, 1)).toNumber(),
      daily_spending_avg: money(spending.div(HEALTH_WINDOW_DAYS)),
      top_spending_categories: summary.categories.slice(0, 5).map(toSpendingAnalytics),
    };
  }

  /** One point per UTC day for the last `days` days (today included), ending at the wallet's balance. */
  async balanceHistory(userId: string, days: number) {
    const rows = await this.repository.balanceHistory(userId, days, STARTING_BALANCE);
    return {
      balance_history: rows.map((r) => {
        const net = new Decimal(r.net);
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
    const r = await this.repository.monthlyTotals(userId, year, month);
    const income = new Decimal(r.income);
    const spending = new Decimal(r.spending);
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

function toSpendingAnalytics(r: {
  category: SpendingAnalytics['category'];
  total: string;
  count: number;
  percentage: number | null;
}): SpendingAnalytics {
  return {
    category: r.category,
    total_amount: money(r.total),
    transaction_count: r.count,
    percentage: r.percentage ?? 0,
  };
}
