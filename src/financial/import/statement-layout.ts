import type { CategoryTable } from './categorisation';
import type { DateOrder } from './statement-values';

/** The columns an importer reads; only `date` and a way to get the amount are required. */
export type Field =
  | 'date'
  | 'amount'
  | 'debit'
  | 'credit'
  | 'direction'
  | 'description'
  | 'merchant'
  | 'category'
  | 'balance'
  | 'city'
  | 'country'
  | 'code';

/**
 * Header names per field, most specific first, as normalised by `normaliseHeader`. The first
 * header found for a field is used; a header is used for one field only.
 */
const SYNONYMS: Record<Field, string[]> = {
  date: [
    'transaction date',
    'date',
    'posted date',
    'posting date',
    'post date',
    'booking date',
    'trans date',
    'date posted',
    'value date',
    'completed date',
    'started date',
    'datum',
    'datum zauctovani',
    'datum transakce',
    'datum platby',
    'buchungstag',
    'fecha',
  ],
  debit: [
    'debit amount',
    'debit',
    'debits',
    'amount debit',
    'withdrawal',
    'withdrawals',
    'withdrawal amount',
    'paid out',
    'money out',
    'outflow',
    'out',
    'spent',
    'vydaj',
    'soll',
    'ausgang',
  ],
  credit: [
    'credit amount',
    'credit',
    'credits',
    'amount credit',
    'deposit',
    'deposits',
    'deposit amount',
    'paid in',
    'money in',
    'inflow',
    'in',
    'received',
    'prijem',
    'haben',
    'eingang',
  ],
  amount: [
    'amount',
    'transaction amount',
    'value',
    'net amount',
    'sum',
    'castka',
    'objem',
    'betrag',
    'montant',
    'importe',
  ],
  direction: [
    'transaction type',
    'type',
    'debit credit',
    'credit debit',
    'dr cr',
    'cr dr',
    'direction',
    'credit debit indicator',
    'debit credit indicator',
    'indicator',
    'typ',
    'typ transakce',
  ],
  description: [
    'transaction description',
    'description',
    'details',
    'transaction details',
    'narrative',
    'payee',
    'name',
    'merchant',
    'merchant name',
    'memo',
    'reference',
    'counterparty',
    'counter party',
    'original description',
    'text',
    'popis',
    'zprava',
    'operation',
    'operace',
    'beschreibung',
    'verwendungszweck',
    'buchungstext',
    'concepto',
    'libelle',
  ],
  merchant: ['merchant', 'merchant name', 'payee', 'counterparty', 'counter party', 'name'],
  category: ['category', 'categories', 'category name', 'kategorie'],
  balance: [
    'balance',
    'running balance',
    'balance after',
    'available balance',
    'zustatek',
    'saldo',
    'kontostand',
    'solde',
  ],
  city: ['location city', 'city', 'mesto'],
  country: ['location country', 'country', 'zeme'],
  code: ['k symbol', 'ks', 'transaction code'],
};

/** "\uFEFFAmount (GBP)" → "amount"; "Transaction_Date" → "transaction date"; accents dropped. */
export function normaliseHeader(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\(.*?\)|\[.*?\]/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export type SignMode = 'debit_credit' | 'amount_direction' | 'signed';

export type ColumnMap = Partial<Record<Field, number>>;

export interface CsvLayout {
  /** Detected (or named by options) file format. */
  format: 'moneyvis' | 'mint' | 'debit_credit_columns' | 'amount_with_type' | 'signed_amount';
  columns: ColumnMap;
  signMode: SignMode;
  categoryTable: CategoryTable;
  /** A known format's own date order, used when the dates themselves read both ways. */
  dateOrder?: DateOrder;
}

/** Column options a user can pass: a header name (any case) or a 1-based column number. */
export type ColumnOptions = Partial<Record<Field, string>>;

const MONEYVIS_HEADER = [
  'transaction number',
  'transaction date',
  'transaction type',
  'transaction description',
  'debit amount',
  'credit amount',
  'balance',
  'category',
];
const MINT_HEADER = ['date', 'description', 'original description', 'amount', 'transaction type', 'category'];

/** A column named by an option: its header (normalised) or its 1-based number. */
function resolveColumn(header: string[], option: string, field: Field): { index: number } | { error: string } {
  const trimmed = option.trim();
  if (/^\d+$/.test(trimmed)) {
    const n = Number(trimmed);
    if (n >= 1 && n <= header.length) return { index: n - 1 };
    return { error: `${field}_column=${trimmed} is not a column number between 1 and ${header.length}` };
  }
  const at = header.indexOf(normaliseHeader(trimmed));
  if (at >= 0) return { index: at };
  return { error: `${field}_column "${trimmed.slice(0, 60)}" is not a column of the file` };
}

/** How likely a header row is a statement header: it names a date and an amount or debit/credit. */
export function headerScore(cells: string[]): number {
  const names = cells.map(normaliseHeader);
  const has = (field: Field) => SYNONYMS[field].some((s) => names.includes(s));
  if (!has('date')) return 0;
  return (has('amount') || (has('debit') && has('credit')) ? 2 : 0) + (has('description') ? 1 : 0);
}

export type LayoutResult = { ok: true; layout: CsvLayout } | { ok: false; message: string };

/**
 * The layout of a CSV statement from its header (and a sample of direction values), with the
 * user's column options winning over detection.
 */
export function detectLayout(
  rawHeader: string[],
  options: ColumnOptions,
  directionSample: (column: number) => { recognised: number; total: number },
): LayoutResult {
  const header = rawHeader.map(normaliseHeader);
  const columns: ColumnMap = {};
  const taken = new Set<number>();
  for (const [field, option] of Object.entries(options) as [Field, string | undefined][]) {
    if (option === undefined) continue;
    const found = resolveColumn(header, option, field);
    if ('error' in found) return { ok: false, message: found.error };
    columns[field] = found.index;
    taken.add(found.index);
  }
  for (const field of Object.keys(SYNONYMS) as Field[]) {
    if (columns[field] !== undefined) continue;
    for (const name of SYNONYMS[field]) {
      const at = header.indexOf(name);
      if (at >= 0 && !taken.has(at)) {
        columns[field] = at;
        taken.add(at);
        break;
      }
    }
  }
  // An explicit amount column means one signed column even where debit/credit columns exist.
  const explicitAmount = options.amount !== undefined;
  const split = !explicitAmount && columns.debit !== undefined && columns.credit !== undefined;
  if (columns.date === undefined || (!split && columns.amount === undefined)) {
    const missing = [
      ...(columns.date === undefined ? ['a date column (e.g. "Date", "Transaction Date")'] : []),
      ...(split || columns.amount !== undefined
        ? []
        : ['an amount column ("Amount") or debit and credit columns ("Debit Amount", "Credit Amount")']),
    ];
    return {
      ok: false,
      message:
        `Unrecognised statement layout: expected ${missing.join(' and ')}; found columns ` +
        `${rawHeader
          .slice(0, 20)
          .map((h) => `"${h.trim().slice(0, 40)}"`)
          .join(', ')}. Name them with date_column, amount_column (or debit_column and credit_column)`,
    };
  }
  if (split) {
    delete columns.amount;
    const moneyvis = MONEYVIS_HEADER.every((name) => header.includes(name));
    // A split file's type column holds bank codes (DEB, BP, DD), not the sign.
    if (columns.direction !== undefined && options.direction === undefined) {
      columns.code ??= columns.direction;
      delete columns.direction;
    }
    return layoutOf(columns, 'debit_credit', moneyvis ? KNOWN.moneyvis : undefined, 'debit_credit_columns');
  }
  delete columns.debit;
  delete columns.credit;
  const mint = MINT_HEADER.every((name) => header.includes(name));
  if (columns.direction !== undefined) {
    const sample = directionSample(columns.direction);
    // The type column gives the sign only when (nearly) all its values are debit/credit words.
    if (options.direction !== undefined || (sample.total > 0 && sample.recognised >= 0.9 * sample.total)) {
      return layoutOf(columns, 'amount_direction', mint ? KNOWN.mint : undefined, 'amount_with_type');
    }
    columns.code ??= columns.direction;
    delete columns.direction;
  }
  return layoutOf(columns, 'signed', undefined, 'signed_amount');
}

/** Named formats: their own category label table and date order (MoneyVis is day-first, Mint month-first). */
const KNOWN = {
  moneyvis: { format: 'moneyvis', categoryTable: 'moneyvis', dateOrder: 'dmy' },
  mint: { format: 'mint', categoryTable: 'mint', dateOrder: 'mdy' },
} as const;

function layoutOf(
  columns: ColumnMap,
  signMode: SignMode,
  known: (typeof KNOWN)[keyof typeof KNOWN] | undefined,
  generic: CsvLayout['format'],
): LayoutResult {
  return { ok: true, layout: { columns, signMode, ...(known ?? { format: generic, categoryTable: 'generic' }) } };
}

/** The column headers a layout reads, for the preview ("date" → "Transaction Date"). */
export function describeMapping(layout: CsvLayout, rawHeader: string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const [field, index] of Object.entries(layout.columns)) {
    if (index !== undefined) mapping[field] = (rawHeader[index] ?? `column ${index + 1}`).replace(/^\uFEFF/, '').trim();
  }
  return mapping;
}

export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** Delimiters outside double quotes on one line. */
function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) count++;
  }
  return count;
}

/**
 * The delimiter from the first lines: the one that splits the most lines into the same
 * number (≥ 2) of fields. Preamble lines (account name, period) do not disturb it.
 */
export function sniffDelimiter(lines: string[]): Delimiter {
  let best: { delimiter: Delimiter; lines: number; fields: number } = { delimiter: ',', lines: 0, fields: 0 };
  for (const delimiter of DELIMITERS) {
    const counts = new Map<number, number>();
    for (const line of lines) {
      const n = countOutsideQuotes(line, delimiter);
      if (n > 0) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    for (const [fields, count] of counts) {
      if (count > best.lines || (count === best.lines && fields > best.fields)) {
        best = { delimiter, lines: count, fields };
      }
    }
  }
  return best.delimiter;
}

/** Splits one line for header search (quotes honoured, no multi-line fields). */
export function splitLine(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === delimiter && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}
