/**
 * Real bank histories for training and judging the forecasting and goal models:
 * shared/data/moneyvis (one UK account, GBP) through the server's own statement parser,
 * and shared/data/berka/trans.asc (591 Czech accounts, CZK) with its transaction types
 * mapped to our 11 categories explicitly. Amounts stay in each account's currency.
 *
 * Data directory: REAL_DATA_DIR or --data-dir, default ../shared/data relative to the
 * repository root (the worktrees sit beside /work/shared).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'csv-parse/sync';

import type { Category } from '../../src/common/categories';
import {
  chronological,
  indexHeader,
  parseStatementRow,
  type StatementRow,
} from '../../src/financial/import/moneyvis-statement';
import type { FeatureTransaction } from '../../src/ml/features/extract-features';

export type Dataset = 'moneyvis' | 'berka';

export interface RealAccount {
  dataset: Dataset;
  id: string;
  currency: 'GBP' | 'CZK';
  /** Oldest first, as the server stores them (positive amount, type carries the sign). */
  transactions: FeatureTransaction[];
}

const REPO_ROOT = path.resolve(__dirname, '../..');

/** REAL_DATA_DIR, else --data-dir DIR on the command line, else ../shared/data beside the repository. */
export function realDataDir(argv: string[] = process.argv): string {
  const flag = argv.indexOf('--data-dir');
  if (flag >= 0 && argv[flag + 1]) return path.resolve(argv[flag + 1]);
  if (process.env.REAL_DATA_DIR) return path.resolve(process.env.REAL_DATA_DIR);
  return path.resolve(REPO_ROOT, '../shared/data');
}

/** Imported rows carry no time of day: the importer stamps them at noon UTC, and so does this loader. */
function atNoon(isoDate: string): Date {
  return new Date(`${isoDate}T12:00:00Z`);
}

/** The statement rows exactly as POST /financial/import parses them (same functions), oldest first. */
export function parseMoneyVisStatement(csvText: string): StatementRow[] {
  const records = parse(csvText, { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true });
  const [header, ...body] = records as string[][];
  const { index, missing } = indexHeader(header);
  if (missing.length) throw new Error(`not a MoneyVis statement: missing ${missing.join(', ')}`);
  const rows: StatementRow[] = [];
  body.forEach((record, i) => {
    const result = parseStatementRow(record, index, i + 2);
    if (result.ok) rows.push(result.row);
  });
  return chronological(rows.map((row) => ({ row }))).map((r) => r.row);
}

/**
 * Balances as the importer posts them: the opening balance (before the oldest row) plus each row
 * in order. A bank's own balance column can list same-day rows in another order than their
 * amounts add up in (berka does); the running sum is what the server stores and reads.
 */
export function replayBalances(transactions: FeatureTransaction[]): FeatureTransaction[] {
  const first = transactions[0];
  if (!first || first.balanceAfter == null) return transactions;
  let running = first.balanceAfter - (first.type === 'debit' ? -first.amount : first.amount);
  return transactions.map((t) => {
    running = Math.round((running + (t.type === 'debit' ? -t.amount : t.amount)) * 100) / 100;
    return { ...t, balanceAfter: running };
  });
}

export function moneyVisTransactions(rows: StatementRow[]): FeatureTransaction[] {
  return replayBalances(
    rows.map((r) => {
      const amount = Number(r.amount);
      return {
        amount: Math.abs(amount),
        type: amount < 0 ? 'debit' : 'credit',
        category: r.category,
        date: atNoon(r.date),
        merchant: r.description,
        description: r.description,
        city: r.city,
        balanceAfter: r.balance === null ? null : Number(r.balance),
      };
    }),
  );
}

export function loadMoneyVis(dataDir = realDataDir()): RealAccount {
  const text = readFileSync(path.join(dataDir, 'moneyvis', 'transactions_categorized.csv'), 'utf8');
  return {
    dataset: 'moneyvis',
    id: 'moneyvis',
    currency: 'GBP',
    transactions: moneyVisTransactions(parseMoneyVisStatement(text)),
  };
}

/**
 * Berka type/operation/k_symbol → our categories. Every credit (deposits, transfers in,
 * pensions, interest) is income. Debits: household payments (SIPO), loan repayments (UVER)
 * and statement fees (SLUZBY) are bills; insurance (POJISTNE) is health, as MoneyVis's
 * "Insurance" is; cash withdrawals, card withdrawals, penalty interest and other remittances
 * are other. Berka has no transfers to own savings, so nothing maps to savings.
 */
export function berkaCategory(type: string, kSymbol: string): Category {
  if (type === 'PRIJEM') return 'income';
  switch (kSymbol.trim()) {
    case 'SIPO':
    case 'UVER':
    case 'SLUZBY':
      return 'bills';
    case 'POJISTNE':
      return 'health';
    default:
      // Cash (VYBER), card withdrawals (VYBER KARTOU), penalty interest, remittances without a symbol.
      return 'other';
  }
}

/** trans.asc → one account per account_id, rows in file order (the file is ordered by date). */
export function parseBerka(text: string): RealAccount[] {
  const records = parse(text, { delimiter: ';', columns: true, skip_empty_lines: true, trim: false }) as Record<
    string,
    string
  >[];
  const byAccount = new Map<string, FeatureTransaction[]>();
  for (const r of records) {
    const yymmdd = r.date;
    const isoDate = `19${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
    const amount = Number(r.amount);
    if (!Number.isFinite(amount) || amount === 0) continue;
    const category = berkaCategory(r.type, r.k_symbol ?? '');
    const description =
      [r.operation, r.k_symbol]
        .map((s) => (s ?? '').trim())
        .filter(Boolean)
        .join(' ') || r.type;
    const list = byAccount.get(r.account_id) ?? [];
    list.push({
      amount: Math.abs(amount),
      type: r.type === 'PRIJEM' ? 'credit' : 'debit',
      category,
      date: atNoon(isoDate),
      merchant: description,
      description,
      city: null,
      balanceAfter: Number(r.balance),
    });
    byAccount.set(r.account_id, list);
  }
  return [...byAccount.entries()]
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([id, transactions]) => ({
      dataset: 'berka' as const,
      id,
      currency: 'CZK' as const,
      transactions: replayBalances(transactions),
    }));
}

export function loadBerka(dataDir = realDataDir()): RealAccount[] {
  return parseBerka(readFileSync(path.join(dataDir, 'berka', 'trans.asc'), 'utf8'));
}

/**
 * A real history as a MoneyVis-layout CSV (newest first, as the bank exports it), so it can be
 * imported through POST /financial/import like any user's statement. Categories are written
 * with labels the importer maps back to the same category.
 */
export function toMoneyVisCsv(transactions: FeatureTransaction[]): string {
  const label: Record<Category, string> = {
    groceries: 'Groceries',
    dine_out: 'Dine Out',
    entertainment: 'Entertainment',
    bills: 'Bills',
    transport: 'Transport',
    shopping: 'Other Shopping',
    health: 'Health',
    fitness: 'Fitness',
    savings: 'Savings',
    income: 'Paycheck',
    other: 'Others',
  };
  const lines = [
    'Transaction Number,Transaction Date,Transaction Type,Transaction Description,Debit Amount,Credit Amount,Balance,Category,Location City,Location Country',
  ];
  const ordered = [...transactions].reverse();
  ordered.forEach((t, i) => {
    const d = t.date.toISOString().slice(0, 10);
    const date = `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
    const text = (t.description ?? '').replace(/[",]/g, ' ');
    const amount = t.amount.toFixed(2);
    const balance = t.balanceAfter === null || t.balanceAfter === undefined ? '' : t.balanceAfter.toFixed(2);
    lines.push(
      [
        i + 1,
        date,
        t.type === 'debit' ? 'DEB' : 'FPI',
        text,
        t.type === 'debit' ? amount : '',
        t.type === 'credit' ? amount : '',
        balance,
        label[t.category],
        t.city ?? '',
        '',
      ].join(','),
    );
  });
  return lines.join('\n') + '\n';
}
