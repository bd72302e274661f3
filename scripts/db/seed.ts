// Seeds DATABASE_URL with the local/dev data (admins, catalogue) — the server does
// this at start-up in development; use this against a database of your own.
import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from '../../src/generated/prisma/client';
import { loadConfig } from '../../src/infra/config/app-config';
import { runMigrations } from '../../src/infra/database/migrate';
import { seedDatabase } from '../../src/infra/database/seed/seed';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.database.url) throw new Error('Set DATABASE_URL to the database to seed');
  await runMigrations(config.database.url);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: config.database.url }) });
  try {
    await seedDatabase(prisma, {
      adminPassword: config.seed.adminPassword,
      passwordHashCost: config.auth.passwordHashCost,
      log: console.log,
    });
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
