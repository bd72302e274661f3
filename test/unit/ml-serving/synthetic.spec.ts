import path from 'node:path';

import { mapMoneyVisCategory } from '../../../src/common/moneyvis-categories';
import { calibrate } from '../../../src/ml/synthetic/calibration';
import { SyntheticUser } from '../../../src/ml/synthetic/generator';

const CSV = path.resolve(__dirname, '../../../data/moneyvis/transactions_categorized.csv');
const cal = calibrate(CSV);
const START = new Date(Date.UTC(2024, 0, 1));

describe('MoneyVis calibration', () => {
  it('reads the whole real file', () => {
    // 6,567 data rows (numbered 1…6567; the file has no trailing newline, so `wc -l` shows 6,566).
    expect(cal.rows).toBe(6567);
    expect(Math.round(cal.spanDays)).toBe(2555);
    // The bank posts nothing on weekends.
    expect(cal.weekdayShare[5] + cal.weekdayShare[6]).toBe(0);
  });

  it('maps messy labels onto the 11 categories', () => {
    expect(mapMoneyVisCategory('Groceries ')).toBe('groceries');
    expect(mapMoneyVisCategory('Amazon')).toBe('shopping');
    expect(mapMoneyVisCategory('Services/Home Improvement')).toBe('other');
    expect(mapMoneyVisCategory('')).toBe('other');
    expect(mapMoneyVisCategory('Paycheck')).toBe('income');
  });
});

describe('synthetic users', () => {
  it('are deterministic for a seed', () => {
    const a = new SyntheticUser(1, 'goal', cal, START, 42);
    const b = new SyntheticUser(1, 'goal', cal, START, 42);
    expect(a.generateWeek(0)).toEqual(b.generateWeek(0));
    expect(a.balance).toBe(b.balance);
  });

  it('draw amounts from the calibrated distributions', () => {
    const logs: number[] = [];
    for (let u = 0; u < 60; u++) {
      const user = new SyntheticUser(u, 'budget', cal, START, 1000 + u);
      for (let w = 0; w < 8; w++)
        for (const t of user.generateWeek(w)) if (t.category === 'groceries') logs.push(Math.log(t.amount));
    }
    const mean = logs.reduce((x, y) => x + y, 0) / logs.length;
    expect(logs.length).toBeGreaterThan(200);
    expect(Math.abs(mean - cal.debit.groceries.logMean)).toBeLessThan(0.2);
  });

  it('respond to coaching as documented: alerts curb an overspending impulse buyer, nudges raise a goal-setter’s saving', () => {
    const impulse = new SyntheticUser(2, 'impulse', cal, START, 7);
    const before = impulse.habits.discretionaryRate;
    impulse.applyAction(1, -0.5);
    expect(impulse.habits.discretionaryRate).toBeLessThan(before);

    const goal = new SyntheticUser(3, 'goal', cal, START, 8);
    const saving = goal.habits.savingsShare;
    goal.applyAction(3, 0.2);
    expect(goal.habits.savingsShare).toBeGreaterThan(saving);

    const calm = new SyntheticUser(4, 'saver', cal, START, 9);
    const rate = calm.habits.discretionaryRate;
    calm.applyAction(1, 0.5); // not overspending: the alert does nothing but drift
    expect(calm.habits.discretionaryRate).toBeGreaterThanOrEqual(Math.min(rate, calm.profile.discretionary));
  });
});
