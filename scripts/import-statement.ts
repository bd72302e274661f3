// Imports a bank statement (any CSV layout the importer detects, or OFX/QFX) for a user, through the same service as
// POST /financial/import:  npx tsx scripts/import-statement.ts <email> <csv path> [--dry-run]
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';

import { AppModule } from '../src/app.module';
import { StatementImportService } from '../src/financial/import/statement-import.service';
import { loadConfig } from '../src/infra/config/app-config';
import { PrismaService } from '../src/infra/prisma/prisma.service';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const [email, file] = args.filter((a) => a !== '--dry-run');
  if (!email || !file) throw new Error('Usage: npx tsx scripts/import-statement.ts <email> <csv path> [--dry-run]');
  if (!existsSync(file)) throw new Error(`No such file: ${file}`);
  // A one-off run in the application's own context: no scheduled jobs in this process.
  const config = loadConfig({ ...process.env, SCHEDULER_ENABLED: 'false' });
  if (!config.database.url) throw new Error('Set DATABASE_URL to the database to import into');
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const user = await app.get(PrismaService).user.findUnique({ where: { email: email.trim().toLowerCase() } });
    if (!user) throw new Error(`No user with e-mail ${email}`);
    const result = await app
      .get(StatementImportService)
      .importStatement(
        user.id,
        { stream: createReadStream(file), filename: path.basename(file), mimetype: 'text/csv' },
        { dryRun },
      );
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  const e = error as { message?: string; getResponse?: () => unknown };
  console.error(e.getResponse ? JSON.stringify(e.getResponse()) : (e.message ?? error));
  process.exit(1);
});
