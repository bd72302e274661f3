// Seeds DATABASE_URL with the local/dev data (admins, catalogue, demo users) — the server does
// this at start-up in development; use this against a database of your own. The seed runs in
// the application's own context, so it uses the same services (ledger, importer) as requests.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';

import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/infra/config/app-config';
import { runMigrations } from '../../src/infra/database/migrate';
import { SeedService } from '../../src/seed/seed.service';

async function main(): Promise<void> {
  // A one-off run: no scheduled jobs in this process.
  const config = loadConfig({ ...process.env, SCHEDULER_ENABLED: 'false' });
  if (!config.database.url) throw new Error('Set DATABASE_URL to the database to seed');
  await runMigrations(config.database.url);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    await app.get(SeedService).seed(console.log);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
