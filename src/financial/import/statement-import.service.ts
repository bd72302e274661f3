import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { Inject, Injectable, PayloadTooLargeException, UnsupportedMediaTypeException, Optional } from '@nestjs/common';
import { parse } from 'csv-parse';

import { EventCaptureService } from '../../behavioral/event-capture.service';
import { Decimal, money } from '../../common/money';
import { MAX_MONEY } from '../../common/money-input';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { RequestValidationError } from '../../infra/http/validation';
import { PrismaService } from '../../infra/prisma/prisma.service';
import type { ImportResponse } from '../financial.schemas';
import { LedgerService, STARTING_BALANCE } from '../ledger.service';

import {
  assignImportKeys,
  chronological,
  indexHeader,
  looksBinary,
  parseStatementRow,
  type StatementRow,
} from './moneyvis-statement';

/** What the HTTP layer (or the CLI) hands over: a byte stream, never a framework object. */
export interface StatementUpload {
  stream: Readable;
  filename?: string;
  mimetype?: string;
  /** True when the transport cut the upload at its size limit (checked before anything is written). */
  truncated?: () => boolean;
}

export interface ImportOptions {
  dryRun?: boolean;
  /**
   * YYYY-MM-DD: moves every row's date so the newest lands on this day (the demo user's
   * history ends yesterday). Import keys use the statement's own dates, so re-runs still match.
   */
  newestOn?: string;
}

const MAX_ERRORS_LISTED = 100;
const INSERT_BATCH = 1000;
const CSV_MIME = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel', 'text/x-csv'];

/** 422 naming the upload's `file` field. */
function fileError(msg: string): RequestValidationError {
  return new RequestValidationError([{ type: 'value_error', loc: ['body', 'file'], msg }]);
}

/**
 * Imports a bank statement (MoneyVis CSV layout) for one user. Streams and parses the
 * upload, then posts the new rows oldest first in ONE database transaction with the wallet
 * locked. Balance rule (docs/financial.md): rows are history, so no overdraft check; a wallet
 * without any transaction first takes the statement's opening balance, so balances replay
 * the bank's; otherwise rows add on top of the current balance. Re-imports add nothing.
 */
@Injectable()
export class StatementImportService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaClient,
    private readonly ledger: LedgerService,
    // Absent when the CLI or the seed runs the importer outside the app: nothing to track there.
    @Optional() private readonly events?: EventCaptureService,
  ) {}

  async importStatement(userId: string, upload: StatementUpload, options: ImportOptions = {}): Promise<ImportResponse> {
    const dryRun = options.dryRun ?? false;
    checkFileType(upload);
    const parsed = await readStatement(upload.stream);
    if (upload.truncated?.())
      throw new PayloadTooLargeException('The statement is larger than the upload limit (IMPORT_MAX_BYTES)');
    const keys = assignImportKeys(parsed.rows);
    const items = chronological(parsed.rows.map((row, i) => ({ row, key: keys[i] })));
    const dates = parsed.rows.map((r) => r.date).sort();
    const shiftDays =
      options.newestOn && dates.length
        ? Math.round((Date.parse(options.newestOn) - Date.parse(dates[dates.length - 1])) / 86_400_000)
        : 0;

    const outcome = await this.prisma.$transaction(
      async (tx) => {
        const wallet = dryRun ? await this.peekWallet(tx, userId) : await this.ledger.lockWallet(tx, userId);
        const existing = await existingKeys(tx, userId, keys);
        const fresh = items.filter((i) => !existing.has(i.key));
        const hasHistory = await tx.$queryRaw<{ any: boolean }[]>`
          SELECT EXISTS (SELECT 1 FROM transactions WHERE user_id = ${userId}::uuid) AS any`;
        // A wallet with no history takes the statement's opening balance (before its oldest row).
        const oldest = fresh[0]?.row;
        const openingBalanceSet = !hasHistory[0].any && oldest?.balance != null;
        let running = openingBalanceSet
          ? new Decimal(oldest!.balance!).minus(oldest!.amount)
          : new Decimal(wallet?.balance.toString() ?? STARTING_BALANCE);
        const data: Prisma.TransactionCreateManyInput[] = [];
        for (const { row, key } of fresh) {
          running = running.plus(row.amount);
          if (running.abs().greaterThan(MAX_MONEY)) {
            throw fileError(`Line ${row.line}: the running balance would exceed ${MAX_MONEY.toLocaleString('en-US')}`);
          }
          data.push(toCreateInput(userId, wallet?.id ?? '', row, key, running, shiftDays));
        }
        if (!dryRun && wallet) {
          for (let i = 0; i < data.length; i += INSERT_BATCH) {
            await tx.transaction.createMany({ data: data.slice(i, i + INSERT_BATCH) });
          }
          await tx.$executeRaw`UPDATE wallets SET balance = ${running.toFixed(2)}::numeric, updated_at = now() WHERE id = ${wallet.id}::uuid`;
        }
        const record = await tx.statementImport.create({
          data: {
            userId,
            fileName: upload.filename?.slice(0, 255) ?? null,
            fileSha256: parsed.sha256,
            format: 'moneyvis',
            dryRun,
            rowsTotal: parsed.totalRows,
            rowsImported: fresh.length,
            rowsSkipped: parsed.totalRows - fresh.length,
          },
        });
        return {
          importId: record.id,
          imported: fresh.length,
          duplicates: items.length - fresh.length,
          closing: running,
          openingBalanceSet,
        };
      },
      { maxWait: 15_000, timeout: 120_000 },
    );

    if (!dryRun && outcome.imported > 0) {
      // One domain event per import (not per row): what the user did was import a statement.
      this.events?.capture({
        userId,
        type: 'transaction_creation',
        subtype: 'statement_import',
        data: { imported: outcome.imported, skipped: parsed.totalRows - outcome.imported, source: 'import' },
      });
    }
    return {
      import_id: outcome.importId,
      imported: outcome.imported,
      skipped: parsed.totalRows - outcome.imported,
      duplicates: outcome.duplicates,
      total_rows: parsed.totalRows,
      dry_run: dryRun,
      file_sha256: parsed.sha256,
      errors: parsed.errors.slice(0, MAX_ERRORS_LISTED),
      errors_total: parsed.errors.length,
      date_range: dates.length ? { from: dates[0], to: dates[dates.length - 1] } : null,
      opening_balance_set: outcome.openingBalanceSet,
      closing_balance: money(outcome.closing),
    };
  }

  /** The wallet as it is, without creating it (a dry run writes no transactions or wallets). */
  private async peekWallet(tx: Prisma.TransactionClient, userId: string) {
    return tx.wallet.findUnique({ where: { userId }, select: { id: true, balance: true } });
  }
}

function checkFileType(upload: StatementUpload): void {
  const name = (upload.filename ?? '').toLowerCase();
  const mime = (upload.mimetype ?? '').toLowerCase().split(';')[0].trim();
  if (!name.endsWith('.csv') && !CSV_MIME.includes(mime)) {
    throw new UnsupportedMediaTypeException(
      `Only CSV bank statements are supported (got ${name || 'no file name'}, ${mime || 'no type'})`,
    );
  }
}

interface ParsedStatement {
  rows: StatementRow[];
  errors: { row: number; reason: string }[];
  totalRows: number;
  sha256: string;
}

/** Streams the upload through a sha256 tap and the CSV parser; bad rows are collected, not fatal. */
async function readStatement(stream: Readable): Promise<ParsedStatement> {
  const hash = createHash('sha256');
  let first = true;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (first) {
        first = false;
        if (looksBinary(chunk)) return callback(new UnsupportedMediaTypeException('The file is not a CSV text file'));
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const errors: ParsedStatement['errors'] = [];
  const rows: StatementRow[] = [];
  let totalRows = 0;
  let header: ReturnType<typeof indexHeader> | undefined;
  // A stray quote inside a field (O"NEILL) is taken literally; a structural error (an unclosed
  // quote swallows every following line) refuses the whole file rather than losing rows silently.
  const parser = parse({ bom: true, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true });
  const consume = async (source: AsyncIterable<{ record: string[]; info: { lines: number } }>) => {
    for await (const { record, info } of source) {
      if (!header) {
        header = indexHeader(record);
        if (header.missing.length) {
          throw fileError(
            `Not a MoneyVis bank statement: missing column(s) ${header.missing.map((c) => `"${c}"`).join(', ')}`,
          );
        }
        continue;
      }
      totalRows++;
      const result = parseStatementRow(record, header.index, info.lines);
      if (result.ok) rows.push(result.row);
      else errors.push({ row: result.line, reason: result.reason });
    }
  };
  await pipeline(stream, tap, parser, consume).catch((error: unknown) => {
    const csvError = error as { code?: string; lines?: number; message?: string };
    if (csvError.code?.startsWith('CSV_') || csvError.code?.startsWith('INVALID_')) {
      throw fileError(
        `Malformed CSV at line ${csvError.lines ?? '?'}: ${csvError.message ?? 'parse error'}; nothing was imported`,
      );
    }
    throw error;
  });
  if (!header) throw fileError('The file is empty');
  return { rows, errors, totalRows, sha256: hash.digest('hex') };
}

async function existingKeys(tx: Prisma.TransactionClient, userId: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await tx.$queryRaw<{ import_key: string }[]>`
    SELECT import_key FROM transactions WHERE user_id = ${userId}::uuid AND import_key = ANY(${keys}::text[])`;
  return new Set(rows.map((r) => r.import_key));
}

function toCreateInput(
  userId: string,
  walletId: string,
  row: StatementRow,
  importKey: string,
  balanceAfter: Decimal,
  shiftDays: number,
): Prisma.TransactionCreateManyInput {
  const amount = new Decimal(row.amount);
  // A statement gives the day only: noon UTC keeps that calendar day in every time zone from
  // UTC−11 to UTC+11, and timeKnown: false says the hour is not real.
  const date = new Date(Date.parse(`${row.date}T12:00:00Z`) + shiftDays * 86_400_000);
  return {
    userId,
    walletId,
    transactionType: amount.isNegative() ? 'debit' : 'credit',
    amount: amount.abs().toFixed(2),
    category: row.category,
    description: row.description,
    // A bank line's text is the payee ("LIDL GB NOTTINGHA"): it doubles as the merchant.
    merchantName: row.description.slice(0, 255),
    locationCity: row.city,
    locationCountry: row.country,
    balanceAfter: balanceAfter.toFixed(2),
    transactionDate: date,
    timeKnown: false,
    source: 'import',
    importKey,
  };
}
