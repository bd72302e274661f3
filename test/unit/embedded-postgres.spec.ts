import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { firstFolderClosedToOthers } from '../../src/infra/database/postgres-access';

describe('embedded PostgreSQL in a folder the postgres user cannot enter', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'fincoach-private-'));
  const open = path.join(root, 'open');
  const closed = path.join(open, 'closed');
  beforeAll(() => {
    chmodSync(root, 0o755);
    mkdirSync(path.join(closed, 'checkout'), { recursive: true });
    chmodSync(open, 0o755);
    chmodSync(closed, 0o700);
  });

  it('names the first folder closed to other users', () => {
    expect(firstFolderClosedToOthers([path.join(closed, 'checkout', '.data', 'postgres')])).toBe(closed);
    expect(firstFolderClosedToOthers([path.join(open, 'not-yet-there', 'pg')])).toBeUndefined();
  });

  // Only as root does the server drop to the postgres user; then `npm start` must say what is wrong.
  (process.getuid?.() === 0 ? it : it.skip)('stops the server with a message saying what to do, no stack trace', () => {
    const repo = path.resolve(__dirname, '../..');
    const run = spawnSync(path.join(repo, 'node_modules/.bin/tsx'), ['src/main.ts'], {
      cwd: repo,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        EMBEDDED_PG_DIR: path.join(closed, 'checkout', '.data', 'postgres'),
        EMBEDDED_PG_PORT: '54398',
        LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`cannot enter ${closed} (no execute permission for other users)`);
    expect(run.stderr).toMatch(/DATABASE_URL/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
