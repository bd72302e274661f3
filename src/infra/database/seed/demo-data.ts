import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '../../../generated/prisma/client';
import { StatementImportService } from '../../../financial/import/statement-import.service';
import { LedgerService } from '../../../financial/ledger.service';

export interface DemoContext {
  prisma: PrismaClient;
  /** The hash of the seed password (SEED_ADMIN_PASSWORD) for demo accounts. */
  passwordHash: string;
  log: (message: string) => void;
}

/** One demo account's seeding; must be idempotent (runs on every dev start). */
export type DemoSeeder = (ctx: DemoContext) => Promise<void>;

export const DEMO_EMAIL = 'demo@fincoach.com';

/** The real MoneyVis statement (kept with the test fixtures; absent from production images). */
export const DEMO_STATEMENT = path.resolve(__dirname, '../../../../test/fixtures/moneyvis/transactions_categorized.csv');

/** The demo user: the real MoneyVis history, imported through the statement importer, ending yesterday. */
export const moneyVisDemoUser: DemoSeeder = async ({ prisma, passwordHash, log }) => {
  const user =
    (await prisma.user.findUnique({ where: { email: DEMO_EMAIL } })) ??
    (await prisma.user.create({
      data: { email: DEMO_EMAIL, firstName: 'Demo', lastName: 'User', passwordHash, profile: { create: {} } },
    }));
  if (await prisma.transaction.findFirst({ where: { userId: user.id, source: 'import' }, select: { id: true } })) return;
  if (!existsSync(DEMO_STATEMENT)) {
    log(`seed: demo statement not found at ${DEMO_STATEMENT}; ${DEMO_EMAIL} has no history`);
    return;
  }
  const importer = new StatementImportService(prisma, new LedgerService(prisma));
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const result = await importer.importStatement(
    user.id,
    { stream: createReadStream(DEMO_STATEMENT), filename: path.basename(DEMO_STATEMENT), mimetype: 'text/csv' },
    { newestOn: yesterday },
  );
  log(`seed: ${DEMO_EMAIL} imported ${result.imported} MoneyVis transaction(s), balance ${result.closing_balance}`);
};

/**
 * Extension point: synthetic demo users (added later, from src/ml/synthetic) append their
 * seeders here; each is run in order and must be idempotent.
 */
export const DEMO_SEEDERS: DemoSeeder[] = [moneyVisDemoUser];

export async function seedDemoData(ctx: DemoContext, seeders: DemoSeeder[] = DEMO_SEEDERS): Promise<void> {
  for (const seeder of seeders) await seeder(ctx);
}
