import { detectRecurring, type HistoryEntry } from '../../../src/financial/recurring/recurring-payments';

/** YYYY-MM-DD of (year, month 1-12, day), days past the month's end rolling over. */
const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);

function history(): HistoryEntry[] {
  const h: HistoryEntry[] = [];
  // Deterministic "noise" from a linear congruential sequence (no Math.random in tests).
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let m = 1; m <= 12; m++) {
    // Rent on the 1st, paid up to 3 days late.
    h.push({ date: day(2024, m, 1 + (m % 4)), amount: -950, merchant: 'HOMELY LETTINGS LTD', category: 'bills' });
    // Salary on the 28th, amounts drifting ±4%.
    h.push({
      date: day(2024, m, 28),
      amount: 3000 * (1 + ((m % 3) - 1) * 0.04),
      merchant: 'ACME LTD',
      category: 'income',
    });
    // A streaming subscription that skipped May.
    if (m !== 5)
      h.push({ date: day(2024, m, 15), amount: -9.99, merchant: `NETFLIX.COM ${1000 + m}`, category: 'entertainment' });
    // Groceries: several a month, random days and amounts — not recurring.
    for (let k = 0; k < 6; k++) {
      h.push({
        date: day(2024, m, 1 + Math.floor(next() * 27)),
        amount: -(5 + next() * 120),
        merchant: 'TESCO STORES',
        category: 'groceries',
      });
    }
  }
  // A gym membership that stopped in June: found, but no longer active.
  for (let w = 0; w < 20; w++)
    h.push({ date: day(2024, 1, 3 + 7 * w), amount: -12.5, merchant: 'CITY GYM', category: 'fitness' });
  // Yearly insurance.
  h.push({ date: day(2023, 3, 10), amount: -420, merchant: 'SAFE HOME INSURANCE', category: 'bills' });
  h.push({ date: day(2024, 3, 12), amount: -436, merchant: 'SAFE HOME INSURANCE', category: 'bills' });
  return h;
}

describe('detectRecurring', () => {
  const found = detectRecurring(history());
  const by = (merchantStart: string) => found.filter((s) => s.merchant.startsWith(merchantStart));

  it('finds rent, salary, a subscription with a skipped month, a weekly membership and a yearly bill', () => {
    expect(by('HOMELY')).toEqual([
      expect.objectContaining({
        kind: 'bill',
        cadence: 'monthly',
        expectedAmount: 950,
        direction: 'debit',
        active: true,
      }),
    ]);
    expect(by('ACME')).toEqual([
      expect.objectContaining({
        kind: 'salary',
        cadence: 'monthly',
        direction: 'credit',
        nextExpectedDate: '2025-01-28',
      }),
    ]);
    expect(by('NETFLIX')).toEqual([
      expect.objectContaining({ kind: 'subscription', cadence: 'monthly', expectedAmount: 9.99, occurrences: 11 }),
    ]);
    expect(by('NETFLIX')[0].nextExpectedDate).toBe('2025-01-15');
    expect(by('CITY GYM')).toEqual([expect.objectContaining({ cadence: 'weekly', occurrences: 20, active: false })]);
    expect(by('SAFE HOME')).toEqual([
      expect.objectContaining({ kind: 'bill', cadence: 'yearly', nextExpectedDate: '2025-03-11', expectedAmount: 428 }),
    ]);
  });

  it('does not take irregular shopping for a recurring payment', () => {
    expect(by('TESCO')).toEqual([]);
    expect(found).toHaveLength(5);
  });

  it('active is judged from asOf (default: the newest day of the history)', () => {
    const later = detectRecurring(history(), { asOf: '2025-06-01' });
    expect(later.filter((s) => s.active)).toEqual([expect.objectContaining({ cadence: 'yearly' })]);
    expect(detectRecurring([])).toEqual([]);
  });

  it('needs enough regular occurrences: two monthly payments are not yet a series', () => {
    const two = [
      { date: '2024-01-05', amount: -20, merchant: 'NEW SERVICE' },
      { date: '2024-02-05', amount: -20, merchant: 'NEW SERVICE' },
    ];
    expect(detectRecurring(two)).toEqual([]);
    expect(detectRecurring([...two, { date: '2024-03-06', amount: -20, merchant: 'NEW SERVICE' }])).toHaveLength(1);
  });
});
