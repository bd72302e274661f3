import { runMigrations } from '../../src/infra/database/migrate';
import { startThrowawayPostgres } from '../../src/infra/database/throwaway-postgres';

/**
 * One throwaway PostgreSQL for the whole run (real server, fsync off for speed),
 * migrated once; test files share it and isolate themselves by creating their own users.
 * TEST_DATABASE_URL may point at an existing, disposable database instead.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    await runMigrations(process.env.TEST_DATABASE_URL);
    return;
  }
  const db = await startThrowawayPostgres('fincoach_test');
  process.env.TEST_DATABASE_URL = db.url;
  (globalThis as { __FINCOACH_TEST_DB__?: typeof db }).__FINCOACH_TEST_DB__ = db;
}
