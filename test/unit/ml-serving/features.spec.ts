import {
  extractFeatures,
  UNKNOWN_TIME_EVENING_SHARE,
  UNKNOWN_TIME_MORNING_SHARE,
  type FeatureTransaction,
} from '../../../src/ml/features/extract-features';
import { FEATURE_NAMES } from '../../../src/ml/features/feature-names';
import { goalFeatures, GOAL_FEATURE_NAMES } from '../../../src/ml/features/goal-features';
import { summarize, weeklyIncome } from '../../../src/ml/features/summary';
import { weeklyCategorySpend } from '../../../src/ml/features/weekly';

const NOW = new Date('2026-11-24T12:00:00Z'); // a Tuesday
const day = (n: number, hour = 10) => new Date(Date.UTC(2026, 10, 24 - n, hour, 30));
const named = (v: number[]) => Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, v[i]]));
const tx = (t: Partial<FeatureTransaction> & Pick<FeatureTransaction, 'amount' | 'category'>): FeatureTransaction => ({
  type: 'debit',
  date: day(1),
  ...t,
});

describe('extractFeatures', () => {
  it('gives 35 finite values in the contract order, zeros but the balance for a new user', () => {
    const v = extractFeatures({ transactions: [], balance: 1000, now: NOW });
    expect(v).toHaveLength(35);
    expect(FEATURE_NAMES[0]).toBe('current_balance');
    expect(FEATURE_NAMES[34]).toBe('financial_stress_indicator');
    const f = named(v);
    expect(f.current_balance).toBe(1000);
    expect(f.total_spending).toBe(0);
    expect(f.seasonal_spending_factor).toBe(1);
    expect(f.spending_consistency).toBe(1);
    expect(v.every(Number.isFinite)).toBe(true);
  });

  it('computes a hand-checked month', () => {
    const transactions = [
      tx({ amount: 2000, type: 'credit', category: 'income', date: day(20) }),
      tx({ amount: 100, category: 'groceries', date: day(2, 9), merchant: 'LIDL', city: 'Nottingham' }),
      tx({ amount: 50, category: 'dine_out', date: day(2, 20), merchant: 'Pizza', city: 'Nottingham' }),
      tx({ amount: 30, category: 'dine_out', date: day(2, 21), merchant: 'Pizza', city: 'London' }), // within 24 h of the last discretionary
      tx({ amount: 500, category: 'savings', date: day(3), merchant: 'Savings' }),
      tx({ amount: 900, category: 'bills', date: day(40) }), // before the window
    ];
    const f = named(extractFeatures({ transactions, balance: 1420, now: NOW }));
    expect(f.total_spending).toBe(180); // savings transfers are not spending
    expect(f.total_income).toBe(2000);
    expect(f.transaction_count).toBe(5);
    expect(f.groceries).toBe(100);
    expect(f.dine_out).toBe(80);
    expect(f.savings).toBe(500);
    expect(f.bills).toBe(0);
    expect(f.savings_rate).toBeCloseTo((2000 - 180) / 2000, 10);
    expect(f.spending_velocity).toBeCloseTo(6, 10);
    expect(f.evening_spending_ratio).toBeCloseTo(80 / 180, 10);
    expect(f.morning_spending_ratio).toBeCloseTo(100 / 180, 10);
    expect(f.impulse_buying_score).toBeCloseTo(1 / 3, 10);
    expect(f.merchant_loyalty_score).toBe(1);
    expect(f.location_diversity).toBeCloseTo(1 - 2 / 3, 10); // 2 of 3 located rows in Nottingham
    expect(f.emergency_fund_ratio).toBeCloseTo(1420 / 180, 10);
    expect(f.seasonal_spending_factor).toBeCloseTo(180 / 900, 10);
    expect(f.debt_indicator).toBe(0);
  });

  it('reads no hour from rows whose time is unknown (imported statements)', () => {
    const imported = (amount: number, iso: string, category: FeatureTransaction['category'] = 'dine_out') =>
      tx({ amount, category, date: new Date(iso), timeKnown: false });
    // A week imported from a statement: every row stamped noon UTC, time unknown.
    const f = named(
      extractFeatures({
        transactions: [
          imported(10, '2026-11-20T12:00:00Z'),
          imported(20, '2026-11-20T12:00:00Z'), // same day: within 24 h for sure
          imported(30, '2026-11-21T12:00:00Z'), // next day: within 24 h with chance ½
          imported(40, '2026-11-23T12:00:00Z'),
        ],
        balance: 0,
        now: NOW,
      }),
    );
    expect(f.morning_spending_ratio).toBe(UNKNOWN_TIME_MORNING_SHARE);
    expect(f.evening_spending_ratio).toBe(UNKNOWN_TIME_EVENING_SHARE);
    expect(f.morning_spending_ratio).toBeGreaterThan(0);
    expect(f.impulse_buying_score).toBeCloseTo(1.5 / 4, 10);
    expect(f.weekday_spending_ratio).toBeCloseTo(70 / 100, 10); // the calendar day is known (20th Fri, 21st Sat, 23rd Mon)

    // Mixed: the shares come from the timed rows only; a midnight time that is known is a real hour.
    const mixed = named(
      extractFeatures({
        transactions: [
          imported(100, '2026-11-20T12:00:00Z', 'groceries'),
          tx({ amount: 10, category: 'groceries', date: new Date('2026-11-21T00:00:00Z') }),
        ],
        balance: 0,
        now: NOW,
      }),
    );
    expect(mixed.morning_spending_ratio).toBe(0);
    expect(mixed.evening_spending_ratio).toBe(0);
  });

  it('marks stress and debt', () => {
    const f = named(
      extractFeatures({
        transactions: [tx({ amount: 300, category: 'shopping', balanceAfter: -50 })],
        balance: -50,
        now: NOW,
      }),
    );
    expect(f.debt_indicator).toBe(1);
    expect(f.financial_stress_indicator).toBe(1);
  });
});

describe('weekly, summary and goal features', () => {
  it('buckets debits per category into weeks ending now, oldest first', () => {
    const rows = weeklyCategorySpend(
      [
        tx({ amount: 10, category: 'groceries', date: day(1) }),
        tx({ amount: 5, category: 'transport', date: day(8) }),
        tx({ amount: 99, type: 'credit', category: 'income', date: day(1) }),
      ],
      NOW,
      3,
    );
    expect(rows).toHaveLength(3);
    expect(rows[2][0]).toBe(10);
    expect(rows[1][4]).toBe(5);
    expect(rows[0].every((v) => v === 0)).toBe(true);
    expect(rows.flat().includes(99)).toBe(false);
  });

  it('summarises the last 7 days and averages income over 4 weeks', () => {
    const transactions = [
      tx({ amount: 700, type: 'credit', category: 'income', date: day(1) }),
      tx({ amount: 70, category: 'groceries', date: day(2) }),
      tx({ amount: 1400, type: 'credit', category: 'income', date: day(15) }),
    ];
    const s = summarize(transactions, 900, {}, NOW);
    expect(s).toMatchObject({
      weekly_income: 700,
      weekly_spending: 70,
      transaction_count: 2,
      daily_spending_avg: 10,
      category_spending: { groceries: 70 },
    });
    expect(s.savings_rate).toBeCloseTo(0.9, 4);
    expect(weeklyIncome(transactions, NOW)).toBe(525);
  });

  it('uses one spending/income definition in the 7-day state and the 35 features', () => {
    const transactions = [
      tx({ amount: 1000, type: 'credit', category: 'income', date: day(1) }),
      tx({ amount: 200, type: 'credit', category: 'savings', date: day(1) }), // back from own savings: not income
      tx({ amount: 300, category: 'savings', date: day(2) }), // to own savings: not spending
      tx({ amount: 40, category: 'groceries', date: day(2) }),
      tx({ amount: 25, category: 'income', date: day(3) }), // a purchase labelled income: spending, as `other`
    ];
    const s = summarize(transactions, 900, {}, NOW);
    expect(s.weekly_spending).toBe(65);
    expect(s.weekly_income).toBe(1000);
    expect(s.category_spending).toEqual({ groceries: 40, other: 25 });
    expect(s.savings_rate).toBeCloseTo(935 / 1000, 4);
    expect(weeklyIncome(transactions, NOW)).toBe(250);
    const f = named(extractFeatures({ transactions, balance: 900, now: NOW }));
    expect(f.total_spending).toBe(65);
    expect(f.total_income).toBe(1000);
    expect(f.savings).toBe(300);
    expect(f.income).toBe(0);
    expect(f.other).toBe(25);
  });

  it('derives the goal inputs', () => {
    const g = goalFeatures({ total_income: 3000, total_spending: 1500, savings_rate: 0.5 }, 700, 1000, 70);
    expect(Object.keys(g)).toEqual([...GOAL_FEATURE_NAMES]);
    expect(g.required_weekly_savings).toBeCloseTo(100, 10);
    expect(g.required_to_income).toBeCloseTo(100 / 700, 10);
    expect(g.projected_to_goal).toBeCloseTo(((1500 / (30 / 7)) * 10) / 1000, 10);
  });
});
