/**
 * THE loader of the real bank histories (forecaster, goal model, segmentation, advice replay), read by the
 * server's OWN statement importer (src/financial/import: readStatement + categorise, as
 * POST /financial/import does, with an empty merchant memory): shared/data/moneyvis (one UK
 * account, GBP) and each account of shared/data/berka/trans.asc (591 Czech accounts, CZK),
 * whose types and k_symbols the importer maps explicitly (categorisation.ts CODE_CATEGORIES:
 * SIPO, UVER, POJISTNE, penalty interest → bills; DUCHOD, UROK → income; other credits income,
 * other debits — cash withdrawals, remittances — other). Amounts stay in each account's currency.
 *
 * Data directory: REAL_DATA_DIR or --data-dir, default ../shared/data relative to the
 * repository root (the worktrees sit beside /work/shared).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

import type { Category } from '../../src/common/categories';
import { categorise } from '../../src/financial/import/categorisation';
import { readStatement } from '../../src/financial/import/statement-reader';
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

const NO_MEMORY: ReadonlyMap<string, Category> = new Map<string, Category>();

/**
 * A statement as the importer would store it for a new user: its rows oldest first, categorised
 * the importer's way, stamped at noon UTC (imported rows have no time of day), balances replayed
 * from the statement's opening balance.
 */
export async function importedTransactions(statement: string | Buffer): Promise<FeatureTransaction[]> {
  const parsed = await readStatement(Readable.from([Buffer.from(statement)]));
  let running = parsed.openingCents ?? 0n;
  return parsed.rows.map((r) => {
    running += r.cents;
    const amountSign = r.cents < 0n ? -1 : 1;
    const { category } = categorise(
      { description: r.merchant || r.description, label: r.label, amountSign, code: r.code },
      parsed.categoryTable,
      NO_MEMORY,
    );
    return {
      amount: Math.abs(Number(r.cents)) / 100,
      type: amountSign < 0 ? 'debit' : 'credit',
      category,
      date: new Date(`${r.date}T12:00:00Z`),
      merchant: r.merchant,
      description: r.description,
      city: r.city,
      balanceAfter: Number(running) / 100,
    };
  });
}

/** One real account's statement file, as a user would upload it to POST /financial/import. */
export interface RealStatement {
  dataset: Dataset;
  account: string;
  currency: 'GBP' | 'CZK';
  /** The file name the upload carries (its extension is only informative: the reader sniffs the layout). */
  filename: string;
  text: string;
}

export function moneyVisStatement(dataDir = realDataDir()): RealStatement {
  const text = readFileSync(path.join(dataDir, 'moneyvis', 'transactions_categorized.csv'), 'utf8');
  return { dataset: 'moneyvis', account: 'moneyvis', currency: 'GBP', filename: 'moneyvis.csv', text };
}

/** trans.asc split into one statement per account (header + that account's lines, file order). */
export function berkaStatements(text: string): Map<string, string> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0];
  const column = header.split(';').findIndex((c) => c.replace(/"/g, '') === 'account_id');
  const byAccount = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const id = line.split(';')[column];
    byAccount.set(id, [...(byAccount.get(id) ?? []), line]);
  }
  return new Map(
    [...byAccount.entries()]
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([id, rows]) => [id, [header, ...rows].join('\n') + '\n']),
  );
}

/** Every berka account of the shared folder (even ids; odd ones are held back) as its own statement, by id. */
export function berkaAccountStatements(dataDir = realDataDir()): RealStatement[] {
  const statements = berkaStatements(readFileSync(path.join(dataDir, 'berka', 'trans.asc'), 'utf8'));
  return [...statements.entries()].map(([account, text]) => ({
    dataset: 'berka' as const,
    account,
    currency: 'CZK' as const,
    filename: `berka-${account}.asc`,
    text,
  }));
}

async function loaded(statement: RealStatement): Promise<RealAccount> {
  return {
    dataset: statement.dataset,
    id: statement.account,
    currency: statement.currency,
    transactions: await importedTransactions(statement.text),
  };
}

export async function loadMoneyVis(dataDir = realDataDir()): Promise<RealAccount> {
  return loaded(moneyVisStatement(dataDir));
}

export async function loadBerka(dataDir = realDataDir()): Promise<RealAccount[]> {
  const out: RealAccount[] = [];
  for (const statement of berkaAccountStatements(dataDir)) out.push(await loaded(statement));
  return out;
}
