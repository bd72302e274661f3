import { berkaStatements, importedTransactions } from '../../../scripts/ml/real-data';
import { goalEpisodes, historyAt, spendingAfter, weeklyOrigins } from '../../../scripts/ml/real-episodes';
import type { FeatureTransaction } from '../../../src/ml/features/extract-features';
import { goalModelFeatures, paceRuleScore } from '../../../src/ml/features/goal-history-features';
import {
  balanceAboveMean,
  forecastBaselines,
  forecastFeatures,
  moneyHistory,
  monthsAgo,
  splitByCategory,
} from '../../../src/ml/features/spending-history';

const DAY = 86_400_000;

/** A monthly salary on the 1st, rent on the 3rd, groceries every Saturday, £100 a month to savings. */
function account(months: number): FeatureTransaction[] {
  const rows: FeatureTransaction[] = [];
  let balance = 1000;
  const push = (date: Date, amount: number, type: 'debit' | 'credit', category: FeatureTransaction['category']) => {
    balance += type === 'debit' ? -amount : amount;
    rows.push({ date, amount, type, category, balanceAfter: balance });
  };
  for (let d = Date.UTC(2021, 0, 1, 12); d < Date.UTC(2021, months, 1, 12); d += DAY) {
    const date = new Date(d);
    if (date.getUTCDate() === 1) push(date, 3000, 'credit', 'income');
    if (date.getUTCDate() === 3) push(date, 1200, 'debit', 'bills');
    if (date.getUTCDate() === 5) push(date, 100, 'debit', 'savings');
    if (date.getUTCDay() === 6) push(date, 70, 'debit', 'groceries');
  }
  return rows;
}

describe('spending history (shared by the served forecast and its evaluation)', () => {
  const rows = account(8);
  const now = new Date(Date.UTC(2021, 6, 1)); // 1 July, midnight: rent falls on the 3rd
  const h = historyAt(rows, now);

  it('counts spending by money-flows.ts: transfers to savings are not spending', () => {
    expect(spendingAfter(rows, now, 7)).toBe(1200 + 70);
    expect(h.spending.reduce((a, b) => a + b, 0)).toBe(
      rows
        .filter((r) => r.type === 'debit' && r.category !== 'savings' && r.date < now)
        .reduce((a, r) => a + r.amount, 0),
    );
    expect(h.balance[0]).toBe(rows.filter((r) => r.date < now).at(-1)!.balanceAfter);
  });

  it('finds the coming week’s rent a calendar month earlier', () => {
    expect(monthsAgo(now, 1)).toBe(30); // 1 June → 1 July
    const f = forecastFeatures(h, 7);
    expect(f.month_aligned_mean).toBe(1200 + 70);
    expect(f.bills_month_aligned_mean).toBe(1200);
  });

  it('computes the protocol baselines from the same history', () => {
    const b7 = forecastBaselines(h, 7);
    expect(b7.last_week).toBe(70);
    expect(b7.same_week_4w_ago).toBe(1200 + 70); // 3–9 June: that month's rent
    const b28 = forecastBaselines(h, 28);
    expect(b28.last_28_days).toBe(1200 + 4 * 70);
  });

  it('measures the balance above its mean over the known days: money in and not yet spent', () => {
    const withBalance = (today: number, before: number, activeDays: number) => ({
      ...h,
      activeDays,
      balance: h.balance.map((_, age) => (age === 0 ? today : before)),
    });
    expect(balanceAboveMean(withBalance(1000, 400, 182), 91)).toBeCloseTo(1000 - (1000 + 90 * 400) / 91, 9);
    expect(balanceAboveMean(withBalance(100, 400, 182), 91)).toBe(0); // below its mean: nothing unspent
    expect(balanceAboveMean(withBalance(1000, 400, 10), 91)).toBeCloseTo(1000 - (1000 + 9 * 400) / 10, 9);
    // The day after payday the account stands above its 13-week mean; the forecaster reads it unscaled.
    const payday = historyAt(rows, new Date(Date.UTC(2021, 6, 2)));
    expect(balanceAboveMean(payday, 91)).toBeGreaterThan(1000);
    expect(forecastFeatures(payday, 7).balance_above_13w_mean).toBe(balanceAboveMean(payday, 91));
    expect(forecastFeatures(payday, 28).balance_above_13w_mean).toBe(balanceAboveMean(payday, 91));
  });

  it('splits a total over categories to the cent, summing exactly to it', () => {
    const parts = splitByCategory(123.45, h);
    expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBeCloseTo(123.45, 10);
    expect(parts.savings).toBe(0);
    expect(parts.bills).toBeGreaterThan(parts.groceries);
    expect(splitByCategory(10, moneyHistory([], now, 0)).other).toBe(10);
  });

  it('labels goal episodes from the real balance and derives ratio features', () => {
    const end = new Date(Date.UTC(2021, 8, 1));
    const episodes = goalEpisodes(rows, h, end);
    // Income 3,000 a month; the balance rises ~3000 − 1200 − 100 − ~300 = ~1,400 a month.
    const small = episodes.find((e) => e.horizon === 30 && e.multiple === 0.25)!;
    const large = episodes.find((e) => e.horizon === 30 && e.multiple === 2)!;
    expect(small.achieved).toBe(true);
    expect(large.achieved).toBe(false);
    const easy = goalModelFeatures(h, small.goal, 30);
    const hard = goalModelFeatures(h, large.goal, 30);
    expect(easy.balance_pace_13w).toBeGreaterThan(hard.balance_pace_13w);
    expect(easy.log_goal_to_income).toBeLessThan(hard.log_goal_to_income);
    expect(paceRuleScore(h, small.goal, 30)).toBeGreaterThan(1);
  });

  it('starts origins after 8 weeks of history, on Mondays', () => {
    const origins = weeklyOrigins(rows, new Date(Date.UTC(2021, 8, 1)), 7, 56);
    expect(origins[0].getUTCDay()).toBe(1);
    expect(origins[0].getTime() - rows[0].date.getTime()).toBeGreaterThanOrEqual(56 * DAY - 12 * 3_600_000);
  });
});

describe('real-data loader', () => {
  it('reads each berka account through the importer, with its k_symbols mapped and its balances', async () => {
    const text = [
      '"trans_id";"account_id";"date";"type";"operation";"amount";"balance";"k_symbol";"bank";"account"',
      '1;2;930101;"PRIJEM";"VKLAD";700.00;700.00;"";;',
      '2;4;930102;"PRIJEM";"VKLAD";900.00;900.00;"";;',
      '3;2;930105;"VYDAJ";"PREVOD NA UCET";200.50;499.50;"SIPO";"AB";123',
      '4;2;930106;"VYDAJ";"VYBER";100.00;399.50;"";;',
    ].join('\n');
    const statements = berkaStatements(text);
    expect([...statements.keys()]).toEqual(['2', '4']);
    const rows = await importedTransactions(statements.get('2')!);
    expect(rows.map((r) => [r.date.toISOString(), r.type, r.amount, r.category, r.balanceAfter])).toEqual([
      ['1993-01-01T12:00:00.000Z', 'credit', 700, 'income', 700],
      ['1993-01-05T12:00:00.000Z', 'debit', 200.5, 'bills', 499.5],
      ['1993-01-06T12:00:00.000Z', 'debit', 100, 'other', 399.5],
    ]);
  });
});
