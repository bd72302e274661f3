import { readFileSync } from 'node:fs';

import { parse } from 'csv-parse/sync';

import { CATEGORIES, type Category } from '../../common/categories';
import { mapMoneyVisCategory } from '../../common/moneyvis-categories';

/** What the synthetic users borrow from the real MoneyVis account. */
export interface Calibration {
  spanDays: number;
  rows: number;
  /** Per debit category: purchases per day and the log-normal fit of amounts. */
  debit: Record<Category, { perDay: number; logMean: number; logStd: number; share: number }>;
  /** Mean monthly income (credits in the income category) and credits per month. */
  monthlyIncome: number;
  incomeCreditsPerMonth: number;
  /** Relative spending by calendar month (mean 1), smoothed. */
  monthFactor: number[];
  /** Share of debits per weekday, Monday first (the bank file has no weekend postings). */
  weekdayShare: number[];
  merchants: Record<Category, string[]>;
  cities: Array<{ city: string; weight: number }>;
}

interface Row {
  date: Date;
  debit: number;
  credit: number;
  category: Category;
  description: string;
  city: string;
  /** The statement's balance after the row; null when the cell is empty. */
  balance: number | null;
}

function parseDate(value: string): Date | undefined {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value.trim());
  return m ? new Date(Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]))) : undefined;
}

function amount(value: string | undefined): number {
  const n = Number((value ?? '').replace(/,/g, '').trim());
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function signedAmount(value: string | undefined): number | null {
  const text = (value ?? '').replace(/,/g, '').trim();
  const n = Number(text);
  return text && Number.isFinite(n) ? n : null;
}

export function readMoneyVis(csvPath: string): Row[] {
  const records = parse(readFileSync(csvPath), {
    columns: true,
    skip_empty_lines: true,
    bom: true,
    relax_column_count: true,
  }) as Record<string, string>[];
  const rows: Row[] = [];
  for (const r of records) {
    const date = parseDate(r['Transaction Date'] ?? '');
    if (!date) continue;
    rows.push({
      date,
      debit: amount(r['Debit Amount']),
      credit: amount(r['Credit Amount']),
      category: mapMoneyVisCategory(r['Category']),
      description: (r['Transaction Description'] ?? '').replace(/\s+/g, ' ').trim(),
      city: (r['Location City'] ?? '').trim(),
      balance: signedAmount(r['Balance']),
    });
  }
  return rows;
}

/** Derives the calibration from the real account (deterministic). */
export function calibrate(csvPath: string): Calibration {
  const rows = readMoneyVis(csvPath);
  const times = rows.map((r) => r.date.getTime());
  const spanDays = Math.max(1, (Math.max(...times) - Math.min(...times)) / 86_400_000);
  const months = spanDays / 30.44;
  const debits = rows.filter((r) => r.debit > 0);
  const totalDebit = debits.reduce((a, r) => a + r.debit, 0);

  const debit = {} as Calibration['debit'];
  const merchants = {} as Calibration['merchants'];
  for (const c of CATEGORIES) {
    const own = debits.filter((r) => r.category === c);
    const logs = own.map((r) => Math.log(r.debit));
    const logMean = logs.length ? logs.reduce((a, b) => a + b, 0) / logs.length : Math.log(20);
    const logStd =
      logs.length > 1 ? Math.sqrt(logs.reduce((a, b) => a + (b - logMean) ** 2, 0) / (logs.length - 1)) : 0.5;
    debit[c] = {
      perDay: own.length / spanDays,
      logMean,
      logStd: Math.min(logStd, 1.5),
      share: own.reduce((a, r) => a + r.debit, 0) / totalDebit,
    };
    const counts = new Map<string, number>();
    for (const r of own) if (r.description) counts.set(r.description, (counts.get(r.description) ?? 0) + 1);
    merchants[c] = [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([d]) => d);
    if (merchants[c].length === 0) merchants[c] = [`${c.replace('_', ' ')} store`];
  }

  const income = rows.filter((r) => r.credit > 0 && r.category === 'income');
  const monthTotals = new Array(12).fill(0);
  for (const r of debits) if (r.category !== 'savings') monthTotals[r.date.getUTCMonth()] += r.debit;
  const monthMean = monthTotals.reduce((a, b) => a + b, 0) / 12;
  // Shrink towards 1: seven years is few samples per calendar month.
  const monthFactor = monthTotals.map((m) => 0.5 + 0.5 * (m / monthMean));

  const weekday = new Array(7).fill(0);
  for (const r of debits) weekday[(r.date.getUTCDay() + 6) % 7]++;
  const weekdayShare = weekday.map((w) => w / debits.length);

  const cityCounts = new Map<string, number>();
  for (const r of rows)
    if (r.city) cityCounts.set(r.city.toLowerCase(), (cityCounts.get(r.city.toLowerCase()) ?? 0) + 1);
  const cities = [...cityCounts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([city, n]) => ({ city: city.replace(/\b\w/g, (ch) => ch.toUpperCase()), weight: n / rows.length }));

  return {
    spanDays,
    rows: rows.length,
    debit,
    monthlyIncome: income.reduce((a, r) => a + r.credit, 0) / months,
    incomeCreditsPerMonth: income.length / months,
    monthFactor,
    weekdayShare,
    merchants,
    cities,
  };
}
