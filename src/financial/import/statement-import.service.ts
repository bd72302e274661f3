import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

import {
  HttpException,
  HttpStatus,
  Injectable,
  Optional,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';

import { EventCaptureService } from '../../behavioral/event-capture.service';
import type { Category } from '../../common/categories';
import { Decimal, money } from '../../common/money';
import { MAX_MONEY } from '../../common/money-input';
import { STARTING_BALANCE } from '../../common/wallet';
import { PrismaService } from '../../infra/prisma/prisma.service';
import type { ImportResponse } from '../financial.schemas';
import { LedgerService } from '../ledger.service';

import { categorise, CategoryReport, type CategorySource } from './categorisation';
import { MerchantCategoryRepository } from './merchant-category.repository';
import { StatementImportRepository, type ImportedTransaction } from './statement-import.repository';
import { drain, fileError, readStatement, type ReadOptions, type StatementRow } from './statement-reader';
import { centsToString } from './statement-values';

/** What the HTTP layer (or the CLI) hands over: a byte stream, never a framework object. */
export interface StatementUpload {
  stream: Readable;
  filename?: string;
  mimetype?: string;
  /** True when the transport cut the upload at its size limit (checked before anything is written). */
  truncated?: () => boolean;
}

export interface ImportOptions extends Omit<ReadOptions, 'maxBytes'> {
  dryRun?: boolean;
  /** How many rows the answer shows as they would be stored. */
  previewRows?: number;
  /**
   * YYYY-MM-DD: moves every row's date so the newest lands on this day (the demo user's
   * history ends yesterday). Import keys use the statement's own dates, so re-runs still match.
   */
  newestOn?: string;
}

const MAX_ERRORS_LISTED = 100;
/** A dry run lists every problem row, up to this many (the count is always complete). */
const MAX_ERRORS_LISTED_DRY_RUN = 10_000;
/** Imports one user may run at once; each holds a parsed file in memory and a database transaction. */
export const IMPORTS_PER_USER = 2;
const TEXT_MIME = [
  'text/csv',
  'application/csv',
  'text/plain',
  'application/vnd.ms-excel',
  'text/x-csv',
  'text/tab-separated-values',
  'application/x-ofx',
  'application/ofx',
  'application/vnd.intu.qfx',
  'application/x-qfx',
  'application/xml',
  'text/xml',
];
const TEXT_EXTENSIONS = ['.csv', '.txt', '.tsv', '.ofx', '.qfx'];

interface PlannedRow {
  row: StatementRow;
  key: string;
  category: Category;
  source: CategorySource;
}

/**
 * Imports a bank statement (CSV of any common layout, or OFX/QFX) for one user. Streams and
 * parses the upload, categorises the rows (the user's merchant memory, the file's label, rules),
 * then posts the new rows oldest first in ONE database transaction with the wallet locked.
 * Balance rule (docs/financial.md): rows are history, so no overdraft check; a wallet without
 * any transaction first takes the statement's opening balance, so balances replay the bank's;
 * otherwise rows add on top of the current balance. Re-imports add nothing.
 */
@Injectable()
export class StatementImportService {
  private readonly running = new Map<string, number>();
  private readonly imports: StatementImportRepository;
  private readonly merchants: MerchantCategoryRepository;

  constructor(
    database: PrismaService,
    private readonly ledger: LedgerService,
    // Absent when the CLI or the seed runs the importer outside the app: nothing to track there.
    @Optional() private readonly events?: EventCaptureService,
    @Optional() imports?: StatementImportRepository,
    @Optional() merchants?: MerchantCategoryRepository,
  ) {
    this.imports = imports ?? new StatementImportRepository(database);
    this.merchants = merchants ?? new MerchantCategoryRepository(database);
  }

  /** Retention: deletes import audit rows older than `days`; the transactions they imported stay. */
  purgeAuditOlderThan(days: number): Promise<number> {
    return this.imports.purgeAuditOlderThan(days);
  }

  async importStatement(userId: string, upload: StatementUpload, options: ImportOptions = {}): Promise<ImportResponse> {
    if ((this.running.get(userId) ?? 0) >= IMPORTS_PER_USER) {
      await drain(upload.stream);
      throw new HttpException(
        `${IMPORTS_PER_USER} imports are already running for this user; retry when one has finished`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    this.running.set(userId, (this.running.get(userId) ?? 0) + 1);
    try {
      return await this.run(userId, upload, options);
    } finally {
      const left = (this.running.get(userId) ?? 1) - 1;
      if (left > 0) this.running.set(userId, left);
      else this.running.delete(userId);
    }
  }

  private async run(userId: string, upload: StatementUpload, options: ImportOptions): Promise<ImportResponse> {
    const dryRun = options.dryRun ?? false;
    const typeProblem = fileTypeProblem(upload);
    if (typeProblem) {
      await drain(upload.stream);
      throw new UnsupportedMediaTypeException(typeProblem);
    }
    const parsed = await readStatement(upload.stream, options);
    if (upload.truncated?.())
      throw new PayloadTooLargeException('The statement is larger than the upload limit (IMPORT_MAX_BYTES)');

    const memory = await this.merchants.load(userId);
    const report = new CategoryReport();
    const keys = assignImportKeys(parsed.keyPrefix, parsed.rows);
    const planned: PlannedRow[] = parsed.rows.map((row, i) => {
      const { category, source, unknownLabel } = categorise(
        {
          description: row.merchant || row.description,
          label: row.label,
          amountSign: row.cents < 0n ? -1 : 1,
          code: row.code,
        },
        parsed.categoryTable,
        memory,
      );
      report.count(source, unknownLabel);
      return { row, key: keys[i], category, source };
    });
    const dates = parsed.rows.map((r) => r.date).sort();
    const shiftDays =
      options.newestOn && dates.length
        ? Math.round((Date.parse(options.newestOn) - Date.parse(dates[dates.length - 1])) / 86_400_000)
        : 0;

    const outcome = await this.imports
      .inTransaction(async (tx) => {
        if (!dryRun) await this.ledger.openWallet(tx, userId);
        const wallet = dryRun ? await this.imports.peekWallet(tx, userId) : await this.imports.lockWallet(tx, userId);
        const existing = await this.imports.existingKeys(tx, userId, keys);
        const fresh = planned.filter((p) => !existing.has(p.key));
        const hasHistory = await this.imports.hasHistory(tx, userId);
        // A wallet with no history takes the statement's opening balance (before its oldest row).
        const openingBalanceSet = !hasHistory && parsed.openingCents !== null && fresh.length === planned.length;
        let running = openingBalanceSet
          ? new Decimal(centsToString(parsed.openingCents!))
          : new Decimal(wallet?.balance.toString() ?? STARTING_BALANCE);
        const data: ImportedTransaction[] = [];
        for (const item of fresh) {
          running = running.plus(centsToString(item.row.cents));
          if (running.abs().greaterThan(MAX_MONEY)) {
            throw fileError(
              `Line ${item.row.line}: the running balance would exceed ${MAX_MONEY.toLocaleString('en-US')}`,
            );
          }
          data.push(toImportedTransaction(item, running, shiftDays));
        }
        if (!dryRun && wallet) {
          await this.imports.insertTransactions(tx, userId, wallet.id, data);
          await this.ledger.closeHistory(tx, wallet.id, running);
        }
        const importId = await this.imports.recordImport(tx, {
          userId,
          fileName: upload.filename?.slice(0, 255) ?? null,
          fileSha256: parsed.sha256,
          format: parsed.format,
          dryRun,
          rowsTotal: parsed.totalRows,
          rowsImported: fresh.length,
          rowsSkipped: parsed.totalRows - fresh.length,
        });
        const preview = data.slice(0, options.previewRows ?? 20).map((d, i) => ({
          line: fresh[i].row.line,
          date: fresh[i].row.date,
          transaction_type: d.transactionType,
          amount: d.amount,
          category: d.category,
          category_source: fresh[i].source,
          description: d.description,
          merchant_name: d.merchantName,
          balance_after: d.balanceAfter,
        }));
        return { importId, imported: fresh.length, closing: running, openingBalanceSet, preview };
      })
      .catch((error: unknown) => {
        if (error instanceof HttpException) throw error;
        // The transaction rolled back as a whole: say so, rather than a bare 500.
        throw new ServiceUnavailableException(
          'The import failed in the database and was rolled back: nothing was imported. Retry later',
          { cause: error },
        );
      });

    if (!dryRun && outcome.imported > 0) {
      // One domain event per import (not per row): what the user did was import a statement.
      this.events?.capture({
        userId,
        type: 'transaction_creation',
        subtype: 'statement_import',
        data: { imported: outcome.imported, skipped: parsed.totalRows - outcome.imported, source: 'import' },
      });
    }
    const totals = sumByDirection(parsed.rows);
    return {
      import_id: outcome.importId,
      imported: outcome.imported,
      skipped: parsed.totalRows - outcome.imported,
      duplicates: planned.length - outcome.imported,
      total_rows: parsed.totalRows,
      dry_run: dryRun,
      file_sha256: parsed.sha256,
      format: parsed.format,
      encoding: parsed.encoding,
      delimiter: parsed.delimiter,
      date_format: parsed.dateFormat,
      decimal: parsed.decimal,
      negate: parsed.negate,
      preamble_lines: parsed.preambleLines,
      mapping: parsed.mapping,
      categories: report.toJSON(),
      totals: { debits: centsToString(totals.debits), credits: centsToString(totals.credits) },
      preview: outcome.preview,
      errors: parsed.errors.slice(0, dryRun ? MAX_ERRORS_LISTED_DRY_RUN : MAX_ERRORS_LISTED),
      errors_total: parsed.errors.length,
      date_range: dates.length ? { from: dates[0], to: dates[dates.length - 1] } : null,
      opening_balance_set: outcome.openingBalanceSet,
      closing_balance: money(outcome.closing),
    };
  }
}

/** Why the upload's name and type say it is not a statement (a PDF, a picture), or undefined. */
function fileTypeProblem(upload: StatementUpload): string | undefined {
  const name = (upload.filename ?? '').toLowerCase();
  const mime = (upload.mimetype ?? '').toLowerCase().split(';')[0].trim();
  if (TEXT_EXTENSIONS.some((ext) => name.endsWith(ext)) || TEXT_MIME.includes(mime)) return undefined;
  return `Only CSV and OFX/QFX bank statements are supported (expected a ${TEXT_EXTENSIONS.join(', ')} file; got ${name || 'no file name'}, ${mime || 'no type'})`;
}

/** Sums of the rows' money out and money in, as positive cents (the file's totals, for round-trip checks). */
function sumByDirection(rows: StatementRow[]): { debits: bigint; credits: bigint } {
  let debits = 0n;
  let credits = 0n;
  for (const row of rows) {
    if (row.cents < 0n) debits -= row.cents;
    else credits += row.cents;
  }
  return { debits, credits };
}

/**
 * Stable import keys: sha256 of the row's normalised identity plus its occurrence number
 * among identical rows of the same file, so two genuinely identical bank lines both import
 * and a re-import of the same file matches every key.
 */
export function assignImportKeys(prefix: string, rows: StatementRow[]): string[] {
  const seen = new Map<string, number>();
  return rows.map((r) => {
    const n = (seen.get(r.identity) ?? 0) + 1;
    seen.set(r.identity, n);
    return createHash('sha256').update(`${prefix}|${r.identity}|${n}`).digest('hex');
  });
}

function toImportedTransaction(item: PlannedRow, balanceAfter: Decimal, shiftDays: number): ImportedTransaction {
  const { row } = item;
  const amount = new Decimal(centsToString(row.cents));
  // A statement gives the day only: noon UTC keeps that calendar day in every time zone from
  // UTC−11 to UTC+11, and timeKnown: false says the hour is not real.
  const date = new Date(Date.parse(`${row.date}T12:00:00Z`) + shiftDays * 86_400_000);
  return {
    transactionType: amount.isNegative() ? 'debit' : 'credit',
    amount: amount.abs().toFixed(2),
    category: item.category,
    description: row.description,
    // A bank line's text is the payee ("LIDL GB NOTTINGHA"): it doubles as the merchant.
    merchantName: row.merchant,
    locationCity: row.city,
    locationCountry: row.country,
    balanceAfter: balanceAfter.toFixed(2),
    transactionDate: date,
    timeKnown: false,
    importKey: item.key,
  };
}
