import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort } from '../net/free-port';

import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { runMigrations } from './migrate';

export { freePort };

/**
 * A migrated PostgreSQL in a fresh temp folder on a free port, deleted on stop —
 * for the test suite and the benchmarks. fsync is off: speed over durability.
 */
export async function startThrowawayPostgres(database: string): Promise<EmbeddedDatabase> {
  const root = mkdtempSync(path.join(tmpdir(), 'fincoach-pg-'));
  // The embedded server runs as the postgres user when we are root: let it into the temp folder.
  chmodSync(root, 0o755);
  const db = await startEmbeddedPostgres({
    dir: path.join(root, 'pg'),
    port: await freePort(),
    database,
    persistent: false,
    serverFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  });
  await runMigrations(db.url);
  return db;
}
