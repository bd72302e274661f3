import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { startEmbeddedPostgres } from '../../src/infra/database/embedded-postgres';
import { runMigrations } from '../../src/infra/database/migrate';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

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
  const root = mkdtempSync(path.join(tmpdir(), 'fincoach-test-'));
  // The embedded server runs as the postgres user when we are root: let it into the temp folder.
  chmodSync(root, 0o755);
  const db = await startEmbeddedPostgres({
    dir: path.join(root, 'pg'),
    port: await freePort(),
    database: 'fincoach_test',
    persistent: false,
    serverFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  });
  await runMigrations(db.url);
  process.env.TEST_DATABASE_URL = db.url;
  (globalThis as { __FINCOACH_TEST_DB__?: typeof db }).__FINCOACH_TEST_DB__ = db;
}
