import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

import { PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { parse, type Parser } from 'csv-parse';

import { RequestValidationError } from '../../infra/http/validation';

import type { CategoryTable } from './categorisation';
import { looksLikeOfx, parseOfx, type OfxStatement } from './ofx-statement';
import {
  describeMapping,
  detectLayout,
  headerScore,
  sniffDelimiter,
  splitLine,
  type ColumnOptions,
  type CsvLayout,
  type Delimiter,
  type Field,
} from './statement-layout';
import {
  centsToString,
  DATE_ORDER_FORMAT,
  dateOrderOf,
  dateReadings,
  DateOrderTally,
  DecimalTally,
  directionOf,
  parseMoney,
  type DateOrder,
  type DecimalMark,
} from './statement-values';
import { StatementTextDecoder } from './text-decoding';

/** What a user can tell the reader when detection is not enough (query parameters or form fields). */
export interface ReadOptions {
  format?: 'csv' | 'ofx';
  delimiter?: Delimiter;
  encoding?: string;
  /** The order of day, month and year, e.g. DD/MM/YYYY. */
  dateFormat?: string;
  decimal?: DecimalMark;
  /** Flip every sign (card statements that list spending as positive). */
  negate?: boolean;
  columns?: ColumnOptions;
  /** Upload limit in bytes; the reader drains the rest and refuses with 413 above it. */
  maxBytes?: number;
}

export interface StatementRow {
  /** Line in the file (CSV: the header is line 1 of a file without preamble) or the transaction's ordinal (OFX). */
  line: number;
  /** YYYY-MM-DD */
  date: string;
  /** Signed cents: > 0 money in. */
  cents: bigint;
  description: string;
  merchant: string;
  /** The file's own category label ('' when none). */
  label: string;
  /** The bank's transaction code (MoneyVis DEB/DD/SO, Berka k_symbol, OFX TRNTYPE), upper case; '' when none. */
  code: string;
  /** The bank's running balance after this row, if the file has one. */
  balance: string | null;
  city: string | null;
  country: string | null;
  /** Normalised identity of the row (before the occurrence counter). */
  identity: string;
}

export interface ProblemRow {
  row: number;
  reason: string;
}

export interface ParsedStatement {
  format: string;
  encoding: string;
  delimiter: Delimiter | null;
  /** Our field → the file's column (or OFX element). */
  mapping: Record<string, string>;
  dateFormat: string | null;
  decimal: DecimalMark;
  negate: boolean;
  categoryTable: CategoryTable;
  /** Lines before the header (account name, period…), skipped. */
  preambleLines: number;
  /** Key prefix of this format's import keys. */
  keyPrefix: string;
  /** Oldest first. */
  rows: StatementRow[];
  errors: ProblemRow[];
  totalRows: number;
  sha256: string;
  /** The balance before the oldest row, when the file says (a balance column or OFX LEDGERBAL). */
  openingCents: bigint | null;
}

/** 422 naming the upload's `file` field. */
export function fileError(msg: string): RequestValidationError {
  return new RequestValidationError([{ type: 'value_error', loc: ['body', 'file'], msg }]);
}

/** Reads and discards the rest of an upload, so a refusal never leaves the request half-read. */
export async function drain(stream: Readable): Promise<void> {
  try {
    for await (const _chunk of stream) {
      // discarded
    }
  } catch {
    // The transport's own error (e.g. the client went away) is not this refusal's business.
  }
}

/** 422 naming an option the user should set. */
function optionError(option: string, msg: string): RequestValidationError {
  return new RequestValidationError([{ type: 'value_error', loc: ['query', option], msg }]);
}

const SNIFF_CHARS = 64 * 1024;
const DIRECTION_SAMPLE_ROWS = 200;

// Leading bytes of files that are not text: PDF, ZIP (xlsx), gzip, OLE (xls), PNG, JPEG, GIF.
const BINARY_SIGNATURES = [
  Buffer.from('%PDF'),
  Buffer.from([0x50, 0x4b, 0x03, 0x04]),
  Buffer.from([0x1f, 0x8b]),
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0]),
  Buffer.from([0x89, 0x50, 0x4e, 0x47]),
  Buffer.from([0xff, 0xd8, 0xff]),
  Buffer.from('GIF8'),
];

/** Raw cells of one CSV record, before the file-wide decisions (date order, decimal mark). */
interface RawRow {
  line: number;
  cells: Partial<Record<Field, string>>;
}

/**
 * Reads a whole upload, always to its end: a refusal found early (wrong layout, binary) is
 * raised only after the rest of the upload has been drained, so the HTTP layer never sees a
 * half-read request stream. Bad rows are collected with their line and reason; file-level
 * problems raise 413/415/422.
 */
export async function readStatement(stream: Readable, options: ReadOptions = {}): Promise<ParsedStatement> {
  const hash = createHash('sha256');
  const decoder = new StatementTextDecoder(options.encoding);
  let bytes = 0;
  let failure: Error | undefined;
  let sink: StatementSink | undefined;
  let sniffed = '';

  const fail = (error: Error) => {
    failure ??= error;
  };
  const feed = (text: string, final: boolean) => {
    if (failure) return;
    if (text.includes('\u0000')) {
      return fail(new UnsupportedMediaTypeException('The file is not a text statement: it contains a NUL byte'));
    }
    if (!sink) {
      sniffed += text;
      if (sniffed.length < SNIFF_CHARS && !final) return;
      sink = looksLikeOfx(sniffed) && options.format !== 'csv' ? new OfxSink() : new CsvSink(sniffed, options);
      if (options.format === 'ofx' && !(sink instanceof OfxSink)) {
        return fail(
          fileError('format=ofx, but the file does not start like an OFX/QFX statement (OFXHEADER or <OFX>)'),
        );
      }
      text = sniffed;
      sniffed = '';
    }
    try {
      sink.write(text);
    } catch (error) {
      fail(error as Error);
    }
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (bytes === 0 && BINARY_SIGNATURES.some((s) => chunk.subarray(0, s.length).equals(s))) {
        fail(
          new UnsupportedMediaTypeException(
            'The file is not a text statement (it looks like a PDF, archive, spreadsheet or image)',
          ),
        );
      }
      bytes += chunk.length;
      if (options.maxBytes !== undefined && bytes > options.maxBytes) {
        failure = new PayloadTooLargeException(
          `The statement is larger than the upload limit of ${options.maxBytes} bytes`,
        );
      }
      // After a refusal the rest is only drained: nothing more is decoded or kept.
      if (failure) continue;
      hash.update(chunk);
      feed(decoder.decode(chunk), false);
    }
  } catch (error) {
    // The transport aborted (client went away, multipart limit): report it as the request's problem.
    const e = error as { code?: string };
    throw e.code === 'FST_REQ_FILE_TOO_LARGE'
      ? new PayloadTooLargeException('The statement is larger than the upload limit (IMPORT_MAX_BYTES)')
      : fileError('The upload was interrupted before the end of the file; nothing was imported');
  }
  if (!failure) feed(decoder.end(), true);
  if (!failure && !sink) feed('', true);
  if (failure) throw failure;
  if (bytes === 0 || !sink) throw fileError('The file is empty');
  const result = await sink.finish();
  return {
    ...result,
    encoding: decoder.encoding,
    negate: options.negate ?? false,
    sha256: hash.digest('hex'),
    ...finishRows(result.rows, result.openingCents, options.negate ?? false),
  };
}

type SinkResult = Omit<ParsedStatement, 'encoding' | 'sha256' | 'negate'>;

interface StatementSink {
  /** Throws a 4xx for file-level problems. */
  write(text: string): void;
  finish(): Promise<SinkResult>;
}

/** Flips signs if asked, puts rows oldest first and derives the opening balance from the oldest row. */
function finishRows(rows: StatementRow[], openingCents: bigint | null, negate: boolean) {
  if (negate) for (const row of rows) row.cents = -row.cents;
  const ordered = chronological(rows);
  let opening = openingCents;
  if (opening === null && ordered[0]?.balance != null && !negate) {
    const balance = parseMoney(ordered[0].balance, '.');
    if ('cents' in balance && balance.cents !== null) opening = balance.cents - ordered[0].cents;
  }
  return { rows: ordered, openingCents: opening };
}

/**
 * Oldest first. Statements are newest first or oldest first; a file whose first row is not
 * older than its last is taken as newest first. Rows of the same day keep the file's order
 * (reversed for newest-first files), so the running balance replays the bank's.
 */
export function chronological<T extends { date: string }>(items: T[]): T[] {
  if (items.length < 2) return [...items];
  const newestFirst = items[0].date >= items[items.length - 1].date;
  const ordered = newestFirst ? [...items].reverse() : [...items];
  return ordered.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

class CsvSink implements StatementSink {
  private readonly parser: Parser;
  private readonly delimiter: Delimiter;
  private readonly headerLine: number;
  private header: string[] | undefined;
  private layout: CsvLayout | undefined;
  private pending: { record: string[]; line: number }[] = [];
  private readonly raw: RawRow[] = [];
  private readonly dates = new DateOrderTally();
  /** Readings per distinct date text: statements repeat each day many times. */
  private readonly readings = new Map<string, ReturnType<typeof dateReadings>>();
  private fields: [Field, number][] = [];
  private readonly decimals = new DecimalTally();
  private error: Error | undefined;
  private readonly done: Promise<void>;

  constructor(
    sample: string,
    private readonly options: ReadOptions,
  ) {
    const lines = sample.split(/\r\n|\n|\r/).slice(0, 60);
    const nonEmpty = lines.filter((l) => l.trim() !== '');
    this.delimiter = options.delimiter ?? sniffDelimiter(nonEmpty.slice(0, 40));
    // The header is the first line naming a date and an amount; banks often put account details above it.
    const found = lines.findIndex((l, i) => i < 30 && headerScore(splitLine(l, this.delimiter)) >= 2);
    const firstNonEmpty = lines.findIndex((l) => l.trim() !== '');
    this.headerLine = (found >= 0 ? found : Math.max(firstNonEmpty, 0)) + 1;
    this.parser = parse({
      delimiter: this.delimiter,
      from_line: this.headerLine,
      relax_column_count: true,
      // A stray quote inside a field (O"NEILL) is taken literally; an unclosed quote that swallows
      // the following lines refuses the whole file rather than losing rows silently.
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    });
    // The parser's running line count is the record's last line when 'data' fires (cheaper than `info: true`).
    this.parser.on('data', (record: string[]) => {
      if (this.error) return;
      try {
        this.onRecord(record, this.parser.info.lines);
      } catch (error) {
        this.error = error as Error;
      }
    });
    this.done = new Promise((resolve) => {
      this.parser.on('end', resolve);
      this.parser.on('error', (error: Error & { code?: string; lines?: number }) => {
        this.error ??= fileError(
          `Malformed CSV at line ${error.lines ?? '?'}: ${error.message ?? 'parse error'}; nothing was imported`,
        );
        resolve();
      });
    });
  }

  write(text: string): void {
    if (this.error) throw this.error;
    this.parser.write(text);
    if (this.error) throw this.error;
  }

  private onRecord(record: string[], line: number): void {
    if (!this.header) {
      this.header = record;
      return;
    }
    if (!this.layout) {
      this.pending.push({ record, line });
      if (this.pending.length >= DIRECTION_SAMPLE_ROWS) this.decideLayout();
      return;
    }
    this.collect(record, line);
  }

  private decideLayout(): void {
    const header = this.header ?? [];
    const result = detectLayout(header, this.options.columns ?? {}, (column) => {
      let recognised = 0;
      let total = 0;
      for (const { record } of this.pending) {
        const value = (record[column] ?? '').trim();
        if (!value) continue;
        total++;
        if (directionOf(value)) recognised++;
      }
      return { recognised, total };
    });
    if (!result.ok) throw fileError(result.message);
    this.layout = result.layout;
    this.fields = Object.entries(this.layout.columns) as [Field, number][];
    const pending = this.pending;
    this.pending = [];
    for (const { record, line } of pending) this.collect(record, line);
  }

  private collect(record: string[], line: number): void {
    const cells: RawRow['cells'] = {};
    for (const [field, index] of this.fields) {
      const value = (record[index] ?? '').trim();
      if (value) cells[field] = value;
    }
    if (cells.date) this.dates.add(this.readDate(cells.date), cells.date);
    for (const money of [cells.amount, cells.debit, cells.credit]) if (money) this.decimals.add(money);
    this.raw.push({ line, cells });
  }

  private readDate(raw: string): ReturnType<typeof dateReadings> {
    let readings = this.readings.get(raw);
    if (!readings) {
      readings = dateReadings(raw);
      this.readings.set(raw, readings);
    }
    return readings;
  }

  async finish(): Promise<SinkResult> {
    this.parser.end();
    await this.done;
    if (!this.error && !this.header) this.error = fileError('The file is empty');
    if (!this.error && !this.layout) {
      try {
        this.decideLayout();
      } catch (error) {
        this.error = error as Error;
      }
    }
    if (this.error) throw this.error;
    const layout = this.layout!;
    const order = this.dateOrder();
    const decimal = this.options.decimal ?? this.decimals.decide();
    const header = this.header!;
    const name = (field: Field) => (header[layout.columns[field] ?? -1] ?? field).replace(/^\uFEFF/, '').trim();
    const rows: StatementRow[] = [];
    const errors: ProblemRow[] = [];
    for (const raw of this.raw) {
      const date = raw.cells.date ? this.readDate(raw.cells.date)[order] : undefined;
      const result = normaliseCsvRow(raw, date, layout, order, decimal, name);
      if ('reason' in result) errors.push({ row: raw.line, reason: result.reason });
      else rows.push(result);
    }
    return {
      format: layout.format,
      delimiter: this.delimiter,
      mapping: describeMapping(layout, header),
      dateFormat: DATE_ORDER_FORMAT[order],
      decimal,
      categoryTable: layout.categoryTable,
      preambleLines: this.headerLine - 1,
      keyPrefix: layout.format === 'moneyvis' ? 'moneyvis-v1' : 'statement-v1',
      rows,
      errors,
      totalRows: this.raw.length,
      openingCents: null,
    };
  }

  /** The file's date order: the option, else what reads the most rows; refuses a file that reads both ways. */
  private dateOrder(): DateOrder {
    if (this.options.dateFormat) {
      const order = dateOrderOf(this.options.dateFormat);
      if (!order) throw optionError('date_format', 'date_format must name day, month and year, e.g. DD/MM/YYYY');
      return order;
    }
    const decided = this.dates.decide();
    if (decided === 'ambiguous' && this.layout?.dateOrder) return this.layout.dateOrder;
    if (decided === 'ambiguous') {
      throw optionError(
        'date_format',
        `Dates such as "${this.dates.example}" could be day-first or month-first, and no date in the file ` +
          'tells which: set date_format=DD/MM/YYYY or date_format=MM/DD/YYYY',
      );
    }
    const { ymd, dmy, mdy } = this.dates.readable;
    if (this.raw.length > 0 && ymd + dmy + mdy === 0) {
      const example = this.raw.find((r) => r.cells.date)?.cells.date ?? '';
      throw optionError(
        'date_format',
        `No row has a date this importer can read (e.g. "${example.slice(0, 30)}" in the date column); ` +
          'set date_column to the right column, or date_format (DD/MM/YYYY, MM/DD/YYYY, YYYY-MM-DD, YYMMDD)',
      );
    }
    return decided;
  }
}

/** One CSV row under the file-wide decisions; a problem comes back as its reason. */
function normaliseCsvRow(
  raw: RawRow,
  date: string | undefined,
  layout: CsvLayout,
  order: DateOrder,
  decimal: DecimalMark,
  name: (field: Field) => string,
): StatementRow | { reason: string } {
  const c = raw.cells;
  if (!date) {
    return {
      reason: `Invalid ${name('date')} "${(c.date ?? '').slice(0, 30)}" (expected ${DATE_ORDER_FORMAT[order]})`,
    };
  }
  let cents: bigint;
  let identityAmount: string;
  if (layout.signMode === 'debit_credit') {
    const debit = parseMoney(c.debit, decimal);
    if ('error' in debit) return { reason: `${name('debit')}: ${debit.error}` };
    const credit = parseMoney(c.credit, decimal);
    if ('error' in credit) return { reason: `${name('credit')}: ${credit.error}` };
    if (debit.cents === null && credit.cents === null) {
      return { reason: `${name('debit')} and ${name('credit')} are both empty` };
    }
    // Some banks write debits negative in their own column: the column gives the sign.
    const abs = (v: bigint | null) => (v === null ? 0n : v < 0n ? -v : v);
    cents = abs(credit.cents) - abs(debit.cents);
    if (cents === 0n) return { reason: `Amount is zero (${name('credit')} − ${name('debit')})` };
    identityAmount = `${debit.cents === null ? '' : centsToString(debit.cents)}|${credit.cents === null ? '' : centsToString(credit.cents)}`;
  } else {
    const amount = parseMoney(c.amount, decimal);
    if ('error' in amount) return { reason: `${name('amount')}: ${amount.error}` };
    if (amount.cents === null) return { reason: `${name('amount')} is empty` };
    cents = amount.cents;
    if (layout.signMode === 'amount_direction') {
      const direction = directionOf(c.direction);
      const magnitude = cents < 0n ? -cents : cents;
      if (direction) cents = direction === 'debit' ? -magnitude : magnitude;
      else if (cents > 0n) {
        return {
          reason: `${name('direction')} "${(c.direction ?? '').slice(0, 30)}" is neither debit nor credit`,
        };
      }
    }
    if (cents === 0n) return { reason: `${name('amount')} is zero` };
    identityAmount = centsToString(cents);
  }
  const balance = c.balance ? parseMoney(c.balance, decimal) : undefined;
  const balanceText = balance && 'cents' in balance && balance.cents !== null ? centsToString(balance.cents) : null;
  const code = (c.code ?? '').toUpperCase();
  const text = c.description ?? c.merchant ?? '';
  const description = (text || (code ? `${code} transaction` : 'Imported transaction')).slice(0, 500);
  return {
    line: raw.line,
    date,
    cents,
    description,
    merchant: (c.merchant ?? text ?? description).slice(0, 255) || description.slice(0, 255),
    label: c.category ?? '',
    code,
    balance: balanceText,
    city: c.city?.slice(0, 100) ?? null,
    country: c.country?.slice(0, 100) ?? null,
    identity: [
      date,
      code,
      (c.description ?? '').replace(/\s+/g, ' ').toUpperCase(),
      identityAmount,
      balanceText ?? '',
    ].join('|'),
  };
}

class OfxSink implements StatementSink {
  private text = '';
  write(text: string): void {
    this.text += text;
  }

  async finish(): Promise<SinkResult> {
    const parsed = parseOfx(this.text);
    if (!parsed.ok) throw fileError(parsed.message);
    return ofxRows(parsed.statement);
  }
}

function ofxRows(statement: OfxStatement): SinkResult {
  const decimals = new DecimalTally();
  for (const t of statement.transactions) decimals.add(t.amount);
  const decimal = decimals.decide();
  const rows: StatementRow[] = [];
  const errors: ProblemRow[] = [];
  let sum = 0n;
  for (const t of statement.transactions) {
    if (!t.date) {
      errors.push({ row: t.index, reason: `Invalid DTPOSTED "${t.rawDate.slice(0, 30)}" (expected YYYYMMDD…)` });
      continue;
    }
    const amount = parseMoney(t.amount, decimal);
    if ('error' in amount) {
      errors.push({ row: t.index, reason: `TRNAMT: ${amount.error}` });
      continue;
    }
    if (!amount.cents) {
      errors.push({ row: t.index, reason: amount.cents === null ? 'TRNAMT is empty' : 'TRNAMT is zero' });
      continue;
    }
    sum += amount.cents;
    const description = (t.name || t.memo || `${t.type || 'OFX'} transaction`).slice(0, 500);
    rows.push({
      line: t.index,
      date: t.date,
      cents: amount.cents,
      description,
      merchant: (t.name || description).slice(0, 255),
      label: '',
      code: t.type,
      balance: null,
      city: null,
      country: null,
      // FITID is the bank's own id of the transaction, unique within the account.
      identity: t.fitId
        ? `${statement.account}|${t.fitId}`
        : `${statement.account}|${t.date}|${description.toUpperCase()}|${centsToString(amount.cents)}`,
    });
  }
  const closing = statement.closingBalance ? parseMoney(statement.closingBalance, decimal) : undefined;
  const openingCents =
    closing && 'cents' in closing && closing.cents !== null && errors.length === 0 ? closing.cents - sum : null;
  return {
    format: `ofx_${statement.version === '1.x' ? 'sgml' : 'xml'}`,
    delimiter: null,
    mapping: {
      date: 'DTPOSTED',
      amount: 'TRNAMT',
      description: 'NAME (MEMO when no NAME)',
      type: 'TRNTYPE',
      id: 'FITID',
    },
    dateFormat: 'YYYYMMDD',
    decimal,
    categoryTable: 'generic',
    preambleLines: 0,
    keyPrefix: 'ofx-v1',
    rows,
    errors,
    totalRows: statement.transactions.length,
    openingCents,
  };
}
