/**
 * Dates and amounts as bank statements write them. Pure functions: the reader tallies what
 * every row allows (day-first or month-first, decimal point or comma) and decides once per file.
 */

export type DateOrder = 'ymd' | 'dmy' | 'mdy';
export const DATE_ORDERS: readonly DateOrder[] = ['ymd', 'dmy', 'mdy'];

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

function monthNumber(name: string): number | undefined {
  const key = name.toLowerCase();
  return MONTHS[key] ?? MONTHS[key.slice(0, 3)];
}

function fullYear(text: string): number {
  if (text.length === 4) return Number(text);
  // Two-digit years: up to next year's two digits are this century (Berka's 93–98 → 1993–1998).
  const yy = Number(text);
  const pivot = (new Date().getUTCFullYear() % 100) + 1;
  return yy <= pivot ? 2000 + yy : 1900 + yy;
}

/** YYYY-MM-DD when the calendar has that day (and the year is plausible), else undefined. */
export function isoDate(y: number, m: number, d: number): string | undefined {
  if (!Number.isInteger(y) || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

/** The calendar part of a date cell: a time of day after it ("2022-07-25T10:00:00Z", "25.07.2022 10:00") is dropped. */
function datePart(raw: string): string {
  const text = raw.trim().replace(/^"|"$/g, '');
  const iso = /^(\d{4}-\d{1,2}-\d{1,2})[T ]\d/.exec(text);
  if (iso) return iso[1];
  return text.replace(/[ T]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AaPp][Mm])?\s*(Z|[+-]\d{2}:?\d{2})?$/, '').trim();
}

/**
 * What a date cell means under each field order. Unambiguous forms (ISO, month names)
 * give the same date for every order; "03/04/2024" gives two different ones.
 */
export function dateReadings(raw: string): Partial<Record<DateOrder, string>> {
  const text = datePart(raw);
  let m: RegExpExecArray | null;
  const same = (date: string | undefined) => (date ? { ymd: date, dmy: date, mdy: date } : {});
  if ((m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text))) return same(isoDate(+m[1], +m[2], +m[3]));
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(text))) return same(isoDate(+m[1], +m[2], +m[3]));
  // YYMMDD, as the Berka data writes it.
  if ((m = /^(\d{2})(\d{2})(\d{2})$/.exec(text))) return { ymd: isoDate(fullYear(m[1]), +m[2], +m[3]) };
  if ((m = /^(\d{1,2})[-/. ]\s*(\d{1,2})[-/. ]\s*(\d{4}|\d{2})\.?$/.exec(text))) {
    const y = fullYear(m[3]);
    return { dmy: isoDate(y, +m[2], +m[1]), mdy: isoDate(y, +m[1], +m[2]) };
  }
  // 25 Jul 2022, 25-Jul-22, 25. července → only Latin month names are known.
  if ((m = /^(\d{1,2})[-/. ]*([A-Za-z]{3,9})\.?[-/., ]*(\d{4}|\d{2})$/.exec(text))) {
    const month = monthNumber(m[2]);
    return month ? same(isoDate(fullYear(m[3]), month, +m[1])) : {};
  }
  // Jul 25, 2022
  if ((m = /^([A-Za-z]{3,9})\.?[- ](\d{1,2}),?[- ](\d{4})$/.exec(text))) {
    const month = monthNumber(m[1]);
    return month ? same(isoDate(+m[3], month, +m[2])) : {};
  }
  return {};
}

/**
 * A `date_format` option ("DD/MM/YYYY", "MM-DD-YY", "YYYY.MM.DD", "YYMMDD") → the field order
 * it names. Separators and the time part are flexible; only the order matters.
 */
export function dateOrderOf(format: string): DateOrder | undefined {
  const f = format.toUpperCase();
  const d = f.indexOf('D');
  const m = f.indexOf('M');
  const y = f.indexOf('Y');
  if (d < 0 || m < 0 || y < 0) return undefined;
  if (y < m && m < d) return 'ymd';
  if (d < m && m < y) return 'dmy';
  if (m < d && d < y) return 'mdy';
  return undefined;
}

export const DATE_ORDER_FORMAT: Record<DateOrder, string> = {
  ymd: 'YYYY-MM-DD',
  dmy: 'DD/MM/YYYY',
  mdy: 'MM/DD/YYYY',
};

/** Counts, over a whole file, which field orders read each date, to decide once (never per row). */
export class DateOrderTally {
  readonly readable: Record<DateOrder, number> = { ymd: 0, dmy: 0, mdy: 0 };
  /** Rows where day-first and month-first both read the date and disagree ("03/04/2024"). */
  ambiguous = 0;
  example: string | undefined;

  add(readings: Partial<Record<DateOrder, string>>, raw: string): void {
    for (const order of DATE_ORDERS) if (readings[order]) this.readable[order]++;
    if (readings.dmy && readings.mdy && readings.dmy !== readings.mdy) {
      this.ambiguous++;
      this.example ??= raw.trim();
    }
  }

  /** The order that reads the most rows; `ambiguous` when day-first and month-first read the same rows differently. */
  decide(): DateOrder | 'ambiguous' {
    const { ymd, dmy, mdy } = this.readable;
    const best = Math.max(ymd, dmy, mdy);
    if (dmy === best && mdy === best && this.ambiguous > 0) return 'ambiguous';
    if (ymd === best) return 'ymd';
    return dmy === best ? 'dmy' : 'mdy';
  }
}

export type DecimalMark = '.' | ',';

const CURRENCY_AROUND = /^[^\d\-+(.,−]+|[^\d)\-.,−]+$/g;

/** The number part of an amount cell with its sign: "(1,234.50)", "£3.11", "−7,99 Kč", "12.00 DR", "5-". */
function splitSign(raw: string): { negative: boolean; body: string } | undefined {
  let text = raw
    .replace(/[\s\u00A0\u202F']/g, '')
    .replace(/^"|"$/g, '')
    .trim();
  let negative = false;
  if (/(DR|DEBIT)$/i.test(text)) {
    negative = true;
    text = text.replace(/(DR|DEBIT)$/i, '');
  } else text = text.replace(/(CR|CREDIT)$/i, '');
  text = text.replace(CURRENCY_AROUND, '');
  if (/^\(.*\)$/.test(text)) {
    negative = !negative;
    text = text.slice(1, -1).replace(CURRENCY_AROUND, '');
  }
  if (/^[-−]/.test(text)) {
    negative = !negative;
    text = text.slice(1);
  } else if (text.startsWith('+')) text = text.slice(1);
  else if (/[-−]$/.test(text)) {
    negative = !negative;
    text = text.slice(0, -1);
  }
  text = text.replace(CURRENCY_AROUND, '');
  if (!/^[\d.,]+$/.test(text)) return undefined;
  return { negative, body: text };
}

/** Which decimal mark an amount cell shows, when it shows one ("1,234" shows none: it could be either). */
export function decimalEvidence(raw: string): DecimalMark | undefined {
  const parts = splitSign(raw);
  if (!parts) return undefined;
  const { body } = parts;
  const dot = body.lastIndexOf('.');
  const comma = body.lastIndexOf(',');
  if (dot >= 0 && comma >= 0) return dot > comma ? '.' : ',';
  const mark = dot >= 0 ? '.' : comma >= 0 ? ',' : undefined;
  if (!mark) return undefined;
  const other: DecimalMark = mark === '.' ? ',' : '.';
  const groups = body.split(mark);
  // Repeated marks are thousands separators; exactly three digits after a single mark could be either.
  if (groups.length > 2) return other;
  return groups[1].length === 3 ? undefined : mark;
}

/** Counts the decimal evidence over a file; a file showing none reads "1,234" as one thousand two hundred … */
export class DecimalTally {
  dot = 0;
  comma = 0;
  add(raw: string): void {
    const mark = decimalEvidence(raw);
    if (mark === '.') this.dot++;
    else if (mark === ',') this.comma++;
  }
  decide(): DecimalMark {
    return this.comma > this.dot ? ',' : '.';
  }
}

const MAX_CENTS = 999_999_999_999n; // NUMERIC(12,2)

export type MoneyResult = { cents: bigint | null } | { error: string };

/**
 * An amount cell as signed integer cents (null when blank). Understands currency symbols and
 * codes, thousands separators (",", ".", spaces, apostrophes), the given decimal mark,
 * "-12.50", "(12.50)", "12.50-", "12.50 DR"; refuses more than two (non-zero) decimals and
 * values NUMERIC(12,2) cannot hold.
 */
export function parseMoney(raw: string | undefined, decimal: DecimalMark): MoneyResult {
  const shown = (raw ?? '').trim();
  if (shown === '' || shown === '-' || shown === '—') return { cents: null };
  const invalid = { error: `"${shown.slice(0, 30)}" is not a valid amount` };
  const parts = splitSign(shown);
  if (!parts) return invalid;
  const thousands = decimal === '.' ? ',' : '.';
  const [whole, fraction = '', extra] = parts.body.split(decimal);
  if (extra !== undefined) return invalid;
  const groups = whole.split(thousands);
  if (groups.length > 1 && (groups[0].length > 3 || groups.slice(1).some((g) => g.length !== 3))) return invalid;
  const digits = groups.join('');
  if (!/^\d*$/.test(digits) || !/^\d*$/.test(fraction) || (digits === '' && fraction === '')) return invalid;
  if (fraction.length > 2 && !/^0+$/.test(fraction.slice(2))) {
    return { error: `"${shown.slice(0, 30)}" has more than two decimals` };
  }
  const cents = BigInt(digits || '0') * 100n + BigInt(fraction.slice(0, 2).padEnd(2, '0'));
  if (cents > MAX_CENTS) return { error: `"${shown.slice(0, 30)}" is too large` };
  return { cents: parts.negative ? -cents : cents };
}

export function centsToString(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

export type Direction = 'debit' | 'credit';

// Words banks and budgeting apps put in a debit/credit type column (Czech: příjem, výdaj, výběr).
const DIRECTION_WORDS: Record<string, Direction> = {
  debit: 'debit',
  dr: 'debit',
  d: 'debit',
  db: 'debit',
  withdrawal: 'debit',
  expense: 'debit',
  out: 'debit',
  outgoing: 'debit',
  outflow: 'debit',
  sent: 'debit',
  payment: 'debit',
  vydaj: 'debit',
  vyber: 'debit',
  credit: 'credit',
  cr: 'credit',
  c: 'credit',
  deposit: 'credit',
  income: 'credit',
  in: 'credit',
  incoming: 'credit',
  inflow: 'credit',
  received: 'credit',
  prijem: 'credit',
};

/** "Debit", "CR", "příjem" → the direction; undefined for anything else (bank codes such as DEB, BP, DD). */
export function directionOf(raw: string | undefined): Direction | undefined {
  const key = (raw ?? '')
    .trim()
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
  return DIRECTION_WORDS[key];
}
