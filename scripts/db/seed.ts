// Seeds DATABASE_URL with the local/dev data (admins, catalogue) — the server does
// this at start-up in development; use this against a database of your own.
import { loadConfig } from '../../src/infra/config/app-config';
import { runMigrations } from '../../src/infra/database/migrate';
import { seedDatabase } from '../../src/infra/database/seed/seed';
import { PrismaService } from '../../src/infra/prisma/prisma.service';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.database.url) throw new Error('Set DATABASE_URL to the database to seed');
  await runMigrations(config.database.url);
  // PrismaService, not a bare client: the statement importer the demo seed uses queries its pg pool.
  const prisma = new PrismaService(config);
  try {
    await seedDatabase(prisma, {
      adminPassword: config.seed.adminPassword,
      passwordHashCost: config.auth.passwordHashCost,
      log: console.log,
    });
  } finally {
    await prisma.onApplicationShutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
