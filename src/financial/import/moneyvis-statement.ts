import { createHash } from 'node:crypto';

import { type Category } from '../../common/categories';
import { mapMoneyVisCategory } from '../../common/moneyvis-categories';

/** The MoneyVis bank-export layout (shared/data/moneyvis): header names, matched case-insensitively. */
export const MONEYVIS_COLUMNS = {
  number: 'transaction number',
  date: 'transaction date',
  type: 'transaction type',
  description: 'transaction description',
  debit: 'debit amount',
  credit: 'credit amount',
  balance: 'balance',
  category: 'category',
  city: 'location city',
  country: 'location country',
} as const;
type Column = keyof typeof MONEYVIS_COLUMNS;

/** Columns without which a row cannot be imported; the others are optional. */
const REQUIRED: Column[] = ['date', 'description', 'debit', 'credit'];

export type ColumnIndex = Partial<Record<Column, number>>;

/** Maps header names to positions; reports the required columns that are missing. */
export function indexHeader(header: string[]): { index: ColumnIndex; missing: string[] } {
  const normalised = header.map((h) =>
    h
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase()
      .replace(/\s+/g, ' '),
  );
  const index: ColumnIndex = {};
  for (const [key, name] of Object.entries(MONEYVIS_COLUMNS) as [Column, string][]) {
    const at = normalised.indexOf(name);
    if (at >= 0) index[key] = at;
  }
  const missing = REQUIRED.filter((c) => index[c] === undefined).map((c) => MONEYVIS_COLUMNS[c]);
  return { index, missing };
}

export interface StatementRow {
  /** Line in the file (the header is line 1). */
  line: number;
  /** YYYY-MM-DD */
  date: string;
  type: string;
  description: string;
  /** Signed two-decimal string: credit − debit. */
  amount: string;
  /** The bank's running balance after this row, if the file has one. */
  balance: string | null;
  category: Category;
  city: string | null;
  country: string | null;
  /** Normalised identity of the row (before the occurrence counter). */
  identity: string;
}

export type RowResult = { ok: true; row: StatementRow } | { ok: false; line: number; reason: string };

const MAX_CENTS = 999_999_999_999n; // NUMERIC(12,2)

/**
 * A statement amount as integer cents. Accepts "1,234.5", "£3.11", blanks (→ null); refuses
 * negatives, more than two decimals and values NUMERIC(12,2) cannot hold.
 */
export function parseAmount(raw: string | undefined): { cents: bigint | null } | { error: string } {
  const text = (raw ?? '')
    .trim()
    .replace(/^[£$€]/, '')
    .replace(/,/g, '');
  if (text === '') return { cents: null };
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return { error: `"${(raw ?? '').trim().slice(0, 30)}" is not a valid amount` };
  const cents = BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
  if (cents > MAX_CENTS) return { error: `${text} is too large` };
  return { cents };
}

export function centsToString(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** DD/MM/YYYY (the MoneyVis format) or YYYY-MM-DD → YYYY-MM-DD, refusing impossible dates. */
export function parseStatementDate(raw: string | undefined): string | null {
  const text = (raw ?? '').trim();
  let y: number, m: number, d: number;
  let match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (match) [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)))
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || y > 2200 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

const cell = (record: string[], i: number | undefined) => (i === undefined ? '' : (record[i] ?? '').trim());

/** Parses one data record; never throws: a bad row comes back with its line and reason. */
export function parseStatementRow(record: string[], index: ColumnIndex, line: number): RowResult {
  const date = parseStatementDate(cell(record, index.date));
  if (!date)
    return {
      ok: false,
      line,
      reason: `Invalid Transaction Date "${cell(record, index.date).slice(0, 30)}" (expected DD/MM/YYYY)`,
    };
  const debit = parseAmount(cell(record, index.debit));
  if ('error' in debit) return { ok: false, line, reason: `Debit Amount: ${debit.error}` };
  const credit = parseAmount(cell(record, index.credit));
  if ('error' in credit) return { ok: false, line, reason: `Credit Amount: ${credit.error}` };
  if (debit.cents === null && credit.cents === null)
    return { ok: false, line, reason: 'Debit Amount and Credit Amount are both empty' };
  const cents = (credit.cents ?? 0n) - (debit.cents ?? 0n);
  if (cents === 0n) return { ok: false, line, reason: 'Amount is zero (Credit Amount − Debit Amount)' };
  const balance = parseAmount(cell(record, index.balance).replace(/^-/, ''));
  const balanceNegative = cell(record, index.balance).startsWith('-');
  const balanceText =
    'error' in balance || balance.cents === null
      ? null
      : centsToString(balanceNegative ? -balance.cents : balance.cents);
  const type = cell(record, index.type).toUpperCase();
  const description = cell(record, index.description);
  const identity = [
    date,
    type,
    description.replace(/\s+/g, ' ').toUpperCase(),
    debit.cents === null ? '' : centsToString(debit.cents),
    credit.cents === null ? '' : centsToString(credit.cents),
    balanceText ?? '',
  ].join('|');
  return {
    ok: true,
    row: {
      line,
      date,
      type,
      // A bank line without text is still money that moved: keep it, named by its type code.
      description: (description || (type ? `${type} transaction` : 'Imported transaction')).slice(0, 500),
      amount: centsToString(cents),
      balance: balanceText,
      category: mapMoneyVisCategory(cell(record, index.category)),
      city: cell(record, index.city).slice(0, 100) || null,
      country: cell(record, index.country).slice(0, 100) || null,
      identity,
    },
  };
}

/**
 * Stable import keys: sha256 of the row's normalised identity plus its occurrence number
 * among identical rows of the same file, so two genuinely identical bank lines both import
 * and a re-import of the same file matches every key.
 */
export function assignImportKeys(rows: StatementRow[]): string[] {
  const seen = new Map<string, number>();
  return rows.map((r) => {
    const n = (seen.get(r.identity) ?? 0) + 1;
    seen.set(r.identity, n);
    return createHash('sha256').update(`moneyvis-v1|${r.identity}|${n}`).digest('hex');
  });
}

/**
 * Oldest first. MoneyVis files are newest first; a file whose first row is older than its
 * last is taken as oldest first. Rows of the same day keep the file's order (reversed for
 * newest-first files), so the running balance replays the bank's.
 */
export function chronological<T extends { row: StatementRow }>(items: T[]): T[] {
  if (items.length < 2) return [...items];
  const newestFirst = items[0].row.date >= items[items.length - 1].row.date;
  const ordered = newestFirst ? [...items].reverse() : [...items];
  // Stable sort: only rows out of date order move.
  return ordered.sort((a, b) => (a.row.date < b.row.date ? -1 : a.row.date > b.row.date ? 1 : 0));
}

/** Binary content or a known non-CSV signature in the first bytes. */
export function looksBinary(head: Buffer): boolean {
  const sample = head.subarray(0, 4096);
  if (sample.includes(0)) return true;
  const start = sample.subarray(0, 5).toString('latin1');
  return (
    start.startsWith('%PDF') ||
    start.startsWith('PK\u0003\u0004') ||
    start.startsWith('\u0089PNG') ||
    start.startsWith('GIF8')
  );
}
