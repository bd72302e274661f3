// Imports a bank statement (any CSV layout the importer detects, or OFX/QFX) for a user, through the same service as
// POST /financial/import:  npx tsx scripts/import-statement.ts <email> <csv path> [--dry-run]
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';

import { FinancialRepository } from '../src/financial/financial.repository';
import { StatementImportService } from '../src/financial/import/statement-import.service';
import { LedgerService } from '../src/financial/ledger.service';
import { loadConfig } from '../src/infra/config/app-config';
import { PrismaService } from '../src/infra/prisma/prisma.service';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const [email, file] = args.filter((a) => a !== '--dry-run');
  if (!email || !file) throw new Error('Usage: npx tsx scripts/import-statement.ts <email> <csv path> [--dry-run]');
  if (!existsSync(file)) throw new Error(`No such file: ${file}`);
  const config = loadConfig();
  if (!config.database.url) throw new Error('Set DATABASE_URL to the database to import into');
  const prisma = new PrismaService(config);
  try {
    const user = await prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
    if (!user) throw new Error(`No user with e-mail ${email}`);
    const importer = new StatementImportService(prisma, new LedgerService(new FinancialRepository(prisma)));
    const result = await importer.importStatement(
      user.id,
      { stream: createReadStream(file), filename: path.basename(file), mimetype: 'text/csv' },
      { dryRun },
    );
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await prisma.onApplicationShutdown();
  }
}

main().catch((error: unknown) => {
  const e = error as { message?: string; getResponse?: () => unknown };
  console.error(e.getResponse ? JSON.stringify(e.getResponse()) : (e.message ?? error));
  process.exit(1);
});
