import { categoryByRules, merchantKey } from '../import/categorisation';

/**
 * Recurring payments and income found in a transaction history: the same merchant, a similar
 * amount, at a regular interval. A pure function, so the coaching features and the spending
 * forecast can use it on whatever history they hold.
 */

export interface HistoryEntry {
  /** YYYY-MM-DD (the calendar day of the transaction). */
  date: string;
  /** Signed: < 0 money out. */
  amount: number;
  /** The merchant, or the description when there is none. */
  merchant: string;
  category?: string;
}

export type Cadence = 'weekly' | 'biweekly' | 'monthly' | 'quarterly' | 'yearly';
export type RecurringKind = 'salary' | 'income' | 'bill' | 'subscription' | 'savings';

export interface RecurringSeries {
  /** The merchant as written in the newest occurrence. */
  merchant: string;
  merchantKey: string;
  direction: 'debit' | 'credit';
  kind: RecurringKind;
  cadence: Cadence;
  category: string | null;
  occurrences: number;
  /** Median of the last three amounts (positive): what the next one is expected to be. */
  expectedAmount: number;
  firstDate: string;
  lastDate: string;
  nextExpectedDate: string;
  /** False when the next expected date passed (by more than half an interval and a week) without it. */
  active: boolean;
}

interface CadenceRule {
  cadence: Cadence;
  days: number;
  /** Intervals within [min, max] days count as this cadence (a few days' drift, short months). */
  min: number;
  max: number;
  minOccurrences: number;
}

const CADENCES: CadenceRule[] = [
  { cadence: 'weekly', days: 7, min: 5, max: 9, minOccurrences: 4 },
  { cadence: 'biweekly', days: 14, min: 11, max: 17, minOccurrences: 3 },
  { cadence: 'monthly', days: 30.44, min: 25, max: 36, minOccurrences: 3 },
  { cadence: 'quarterly', days: 91.3, min: 80, max: 101, minOccurrences: 3 },
  { cadence: 'yearly', days: 365.25, min: 345, max: 385, minOccurrences: 2 },
];

/** Share of a series' intervals that must fit its cadence (a skipped month or two is tolerated). */
const REGULARITY = 0.75;
/** Amounts of one series stay within this ratio of the series' smallest (a rent rise, a pay rise). */
const AMOUNT_SPREAD = 1.25;

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The same day-of-month `months` later, clamped to the month's length (31 Jan + 1 month → 28/29 Feb). */
function addMonths(date: string, months: number, dayOfMonth: number): string {
  const [y, m] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(dayOfMonth, lastDay));
  return first.toISOString().slice(0, 10);
}

/** Splits a merchant's payments into bands of similar amounts (sorted by amount, each band within AMOUNT_SPREAD). */
function amountBands(entries: HistoryEntry[]): HistoryEntry[][] {
  const byAmount = [...entries].sort((a, b) => Math.abs(a.amount) - Math.abs(b.amount));
  const bands: HistoryEntry[][] = [];
  for (const entry of byAmount) {
    const band = bands[bands.length - 1];
    if (band && Math.abs(entry.amount) <= Math.abs(band[0].amount) * AMOUNT_SPREAD + 0.01) band.push(entry);
    else bands.push([entry]);
  }
  return bands;
}

/** The cadence most of the intervals follow, or undefined. */
function cadenceOf(days: number[]): CadenceRule | undefined {
  if (days.length < 2) return undefined;
  const intervals = days.slice(1).map((d, i) => d - days[i]);
  let best: { rule: CadenceRule; share: number } | undefined;
  for (const rule of CADENCES) {
    if (days.length < rule.minOccurrences) continue;
    const fitting = intervals.filter((d) => d >= rule.min && d <= rule.max).length;
    const share = fitting / intervals.length;
    if (fitting >= rule.minOccurrences - 1 && share >= REGULARITY && (!best || share > best.share)) {
      best = { rule, share };
    }
  }
  return best?.rule;
}

const SALARY_WORDS = /\b(SALARY|PAYROLL|PAY|WAGES?|PAYCHECK|MZDA|PLAT)\b/;

/**
 * Finds the recurring series in a history (any order). `asOf` (YYYY-MM-DD) is the day the
 * history is seen from, by default its newest day; it decides which series are still active.
 */
export function detectRecurring(history: HistoryEntry[], options: { asOf?: string } = {}): RecurringSeries[] {
  if (history.length === 0) return [];
  const asOf = dayNumber(options.asOf ?? history.reduce((max, e) => (e.date > max ? e.date : max), history[0].date));
  const groups = new Map<string, HistoryEntry[]>();
  for (const entry of history) {
    if (!entry.amount) continue;
    const key = merchantKey(entry.merchant);
    if (!key) continue;
    const group = `${entry.amount < 0 ? '-' : '+'}${key}`;
    const members = groups.get(group);
    if (members) members.push(entry);
    else groups.set(group, [entry]);
  }

  const found: RecurringSeries[] = [];
  for (const [group, entries] of groups) {
    if (entries.length < 2) continue;
    for (const band of amountBands(entries)) {
      const ordered = [...band].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
      // Several payments on one day count as one occurrence of the series.
      const days = [...new Set(ordered.map((e) => dayNumber(e.date)))];
      const rule = cadenceOf(days);
      if (!rule) continue;
      const last = ordered[ordered.length - 1];
      const recent = ordered.slice(-3);
      const lastDay = days[days.length - 1];
      const next =
        rule.cadence === 'monthly' || rule.cadence === 'quarterly' || rule.cadence === 'yearly'
          ? addMonths(
              last.date,
              rule.cadence === 'monthly' ? 1 : rule.cadence === 'quarterly' ? 3 : 12,
              Math.round(median(recent.map((e) => Number(e.date.slice(8, 10))))),
            )
          : isoDay(lastDay + rule.days);
      found.push({
        merchant: last.merchant,
        merchantKey: group.slice(1),
        direction: last.amount < 0 ? 'debit' : 'credit',
        kind: 'subscription',
        cadence: rule.cadence,
        category: last.category ?? null,
        occurrences: days.length,
        expectedAmount: Math.round(median(recent.map((e) => Math.abs(e.amount))) * 100) / 100,
        firstDate: ordered[0].date,
        lastDate: last.date,
        nextExpectedDate: next,
        active: asOf - lastDay <= rule.days * 1.5 + 7,
      });
    }
  }
  return classify(found).sort(
    (a, b) => Number(b.active) - Number(a.active) || (a.lastDate < b.lastDate ? 1 : a.lastDate > b.lastDate ? -1 : 0),
  );
}

/**
 * Salary: regular (weekly to monthly) income named as pay or categorised as income, at least
 * half the largest such income; other money in is income. Money out: savings transfers,
 * bills (by category or by the bill rules: rent, utilities, insurance…), else subscriptions.
 */
function classify(series: RecurringSeries[]): RecurringSeries[] {
  const payLike = (s: RecurringSeries) =>
    s.direction === 'credit' &&
    s.cadence !== 'quarterly' &&
    s.cadence !== 'yearly' &&
    (s.category === 'income' || SALARY_WORDS.test(` ${s.merchantKey} `));
  const largestPay = Math.max(0, ...series.filter(payLike).map((s) => s.expectedAmount));
  return series.map((s) => {
    let kind: RecurringKind;
    if (s.direction === 'credit') kind = payLike(s) && s.expectedAmount >= largestPay / 2 ? 'salary' : 'income';
    else if (s.category === 'savings') kind = 'savings';
    else if (s.category === 'bills' || s.category === 'health' || categoryByRules(s.merchant, -1) === 'bills')
      kind = 'bill';
    else kind = 'subscription';
    return { ...s, kind };
  });
}
