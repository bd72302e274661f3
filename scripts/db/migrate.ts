// Applies pending migrations to DATABASE_URL (the server also does this at start-up).
import { loadConfig } from '../../src/infra/config/app-config';
import { runMigrations } from '../../src/infra/database/migrate';

async function main(): Promise<void> {
  const url = loadConfig().database.url;
  if (!url) throw new Error('Set DATABASE_URL to the database to migrate');
  const result = await runMigrations(url);
  console.log(`applied ${result.applied.length} migration(s): ${result.applied.join(', ') || 'none pending'}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
