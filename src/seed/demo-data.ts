import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';

import type { StatementImportService } from '../financial/import/statement-import.service';
import type { LedgerService } from '../financial/ledger.service';
import type { PrismaService } from '../infra/prisma/prisma.service';
import { calibrate } from '../ml/synthetic/calibration';
import { PERSONAS, SyntheticUser } from '../ml/synthetic/generator';

export interface DemoContext {
  prisma: PrismaService;
  ledger: LedgerService;
  importer: StatementImportService;
  /** The hash of the seed password (SEED_ADMIN_PASSWORD) for demo accounts. */
  passwordHash: string;
  log: (message: string) => void;
}

/** One demo account's seeding; must be idempotent (runs on every dev start). */
export type DemoSeeder = (ctx: DemoContext) => Promise<void>;

export const DEMO_EMAIL = 'demo@fincoach.com';

/** The real MoneyVis statement, shipped in data/ (src/seed and dist/seed both sit two levels below it). */
export const DEMO_STATEMENT = path.resolve(__dirname, '../../data/moneyvis/transactions_categorized.csv');

/** The demo user: the real MoneyVis history, imported through the statement importer, ending yesterday. */
export const moneyVisDemoUser: DemoSeeder = async ({ prisma, importer, passwordHash, log }) => {
  const user =
    (await prisma.user.findUnique({ where: { email: DEMO_EMAIL } })) ??
    (await prisma.user.create({
      data: { email: DEMO_EMAIL, firstName: 'Demo', lastName: 'User', passwordHash, profile: { create: {} } },
    }));
  if (await prisma.transaction.findFirst({ where: { userId: user.id, source: 'import' }, select: { id: true } }))
    return;
  if (!existsSync(DEMO_STATEMENT)) {
    log(`seed: demo statement not found at ${DEMO_STATEMENT}; ${DEMO_EMAIL} has no history`);
    return;
  }
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const result = await importer.importStatement(
    user.id,
    { stream: createReadStream(DEMO_STATEMENT), filename: path.basename(DEMO_STATEMENT), mimetype: 'text/csv' },
    { newestOn: yesterday },
  );
  log(`seed: ${DEMO_EMAIL} imported ${result.imported} MoneyVis transaction(s), balance ${result.closing_balance}`);
};

const SYNTHETIC_WEEKS = 16;

/**
 * One demo account per persona (demo-saver@…, demo-impulse@…, …): 16 weeks of history ending
 * today from the same MoneyVis-calibrated simulator the models were trained on, so every
 * segment, forecast and recommendation has something real to show.
 */
export const syntheticDemoUsers: DemoSeeder = async ({ prisma, ledger, passwordHash, log }) => {
  if (!existsSync(DEMO_STATEMENT)) return;
  const calibration = calibrate(DEMO_STATEMENT);
  const start = new Date(Date.now() - SYNTHETIC_WEEKS * 7 * 86_400_000);
  start.setUTCHours(0, 0, 0, 0);
  for (const [index, persona] of PERSONAS.entries()) {
    const email = `demo-${persona.replace('_', '-')}@fincoach.com`;
    if (await prisma.user.findUnique({ where: { email } })) continue;
    const simulated = new SyntheticUser(index, persona, calibration, start, 7_000 + index);
    const opening = simulated.balance;
    const rows = Array.from({ length: SYNTHETIC_WEEKS }, (_, week) => simulated.generateWeek(week))
      .flat()
      .filter((t) => t.date.getTime() <= Date.now());
    const closing = rows.length ? rows[rows.length - 1].balanceAfter! : opening;
    const user = await prisma.user.create({
      data: { email, firstName: 'Demo', lastName: persona.replace('_', ' '), passwordHash, profile: { create: {} } },
    });
    // The wallet opens and closes through the ledger; the history rows in between are plain inserts.
    await ledger.transaction((tx) => ledger.openWallet(tx, user.id));
    const wallet = await prisma.wallet.findUniqueOrThrow({ where: { userId: user.id } });
    await prisma.transaction.createMany({
      data: rows.map((t) => ({
        userId: user.id,
        walletId: wallet.id,
        transactionType: t.type,
        amount: t.amount.toFixed(2),
        category: t.category,
        description: t.description ?? t.category,
        merchantName: t.merchant ?? null,
        locationCity: t.city ?? null,
        locationCountry: 'UK',
        balanceAfter: (t.balanceAfter ?? 0).toFixed(2),
        transactionDate: t.date,
        source: 'seed' as const,
      })),
    });
    await ledger.transaction((tx) => ledger.closeHistory(tx, wallet.id, closing.toFixed(2)));
    log(`seed: ${email} (${persona}) with ${rows.length} synthetic transactions, balance ${closing.toFixed(2)}`);
  }
};

/** Run in order on every development start; each seeder is idempotent. */
export const DEMO_SEEDERS: DemoSeeder[] = [moneyVisDemoUser, syntheticDemoUsers];
