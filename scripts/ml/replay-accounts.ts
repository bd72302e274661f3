/**
 * Real accounts for the advice replay, each as a bank statement in the MoneyVis layout so that it
 * enters the database through the server's own importer (POST /financial/import's service), exactly
 * as a user's history would: shared/data/moneyvis as it is, and every account of
 * shared/data/berka/trans.asc (even ids only; odd ids are held back) converted row by row.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

import { parse } from 'csv-parse/sync';

import { replayAccount, weeklyCutoffs, type ReplayedAdvice } from '../../src/coaching/advice-replay';
import type { RecommendationsService } from '../../src/coaching/recommendations.service';
import type { StatementImportService } from '../../src/financial/import/statement-import.service';
import type { PrismaService } from '../../src/infra/prisma/prisma.service';

export interface ReplayStatement {
  dataset: 'moneyvis' | 'berka';
  account: string;
  csv: string;
}

/** REAL_DATA_DIR, else ../shared/data beside the repository (the worktrees sit beside /work/shared). */
export function realDataDir(): string {
  return path.resolve(process.env.REAL_DATA_DIR ?? path.resolve(__dirname, '../../../shared/data'));
}

export function moneyVisStatement(dataDir = realDataDir()): ReplayStatement {
  return {
    dataset: 'moneyvis',
    account: 'moneyvis',
    csv: readFileSync(path.join(dataDir, 'moneyvis', 'transactions_categorized.csv'), 'utf8'),
  };
}

// Berka's transaction kinds as MoneyVis labels the importer maps: every credit (deposit, transfer in,
// pension, interest) is income; household payments, loan repayments and statement fees are bills;
// insurance is health (as MoneyVis's "Insurance"); cash, card withdrawals and the rest are other.
function berkaLabel(type: string, kSymbol: string): string {
  if (type === 'PRIJEM') return 'Paycheck';
  const k = kSymbol.trim();
  if (k === 'SIPO' || k === 'UVER' || k === 'SLUZBY') return 'Bills';
  if (k === 'POJISTNE') return 'Insurance';
  return 'Others';
}

/** The berka accounts (amounts in CZK, as in the file), each as a MoneyVis-layout statement. */
export function berkaStatements(dataDir = realDataDir()): ReplayStatement[] {
  const records = parse(readFileSync(path.join(dataDir, 'berka', 'trans.asc'), 'utf8'), {
    delimiter: ';',
    columns: true,
    skip_empty_lines: true,
  }) as Record<string, string>[];
  const lines = new Map<string, string[]>();
  for (const r of records) {
    if (Number(r.account_id) % 2 !== 0) continue; // held back for judging
    const amount = Number(r.amount);
    if (!Number.isFinite(amount) || amount === 0) continue;
    const d = r.date;
    const date = `${d.slice(4, 6)}/${d.slice(2, 4)}/19${d.slice(0, 2)}`;
    const what =
      [r.operation, r.k_symbol]
        .map((s) => (s ?? '').trim())
        .filter(Boolean)
        .join(' ') || r.type;
    const credit = r.type === 'PRIJEM';
    const row = [
      r.trans_id,
      date,
      credit ? 'FPI' : 'DEB',
      what,
      credit ? '' : amount.toFixed(2),
      credit ? amount.toFixed(2) : '',
      Number(r.balance).toFixed(2),
      berkaLabel(r.type, r.k_symbol ?? ''),
      '',
      'CZ',
    ].join(',');
    lines.set(r.account_id, [...(lines.get(r.account_id) ?? []), row]);
  }
  const header =
    'Transaction Number,Transaction Date,Transaction Type,Transaction Description,Debit Amount,Credit Amount,Balance,Category,Location City,Location Country';
  return [...lines.entries()]
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([account, rows]) => ({ dataset: 'berka' as const, account, csv: `${header}\n${rows.join('\n')}\n` }));
}

export interface ReplayServices {
  prisma: PrismaService;
  importer: StatementImportService;
  recommendations: RecommendationsService;
}

/**
 * A fresh user per statement, its history imported through the statement importer, then the
 * served coaching asked at every weekly cut-off (or the first `maxWeeks` of them when given).
 */
export async function replayStatement(
  services: ReplayServices,
  statement: ReplayStatement,
  options: { maxWeeks?: number; firstWeek?: number } = {},
): Promise<ReplayedAdvice[]> {
  const user = await services.prisma.user.create({
    data: {
      email: `replay-${statement.dataset}-${statement.account}-${randomUUID().slice(0, 8)}@example.com`,
      firstName: 'Replay',
      lastName: `${statement.dataset} ${statement.account}`,
      // Not a password hash: replay users never log in.
      passwordHash: '!',
      profile: { create: {} },
    },
  });
  await services.importer.importStatement(user.id, {
    stream: Readable.from([Buffer.from(statement.csv)]),
    filename: `${statement.dataset}-${statement.account}.csv`,
    mimetype: 'text/csv',
  });
  const span = await services.prisma.transaction.aggregate({
    where: { userId: user.id },
    _min: { transactionDate: true },
    _max: { transactionDate: true },
  });
  if (!span._min.transactionDate || !span._max.transactionDate) return [];
  const all = weeklyCutoffs(span._min.transactionDate, span._max.transactionDate);
  const first = options.firstWeek ?? 0;
  const cutoffs = all.slice(first, options.maxWeeks === undefined ? undefined : first + options.maxWeeks);
  return replayAccount(
    services.recommendations,
    user.id,
    { dataset: statement.dataset, account: statement.account },
    cutoffs,
  );
}
