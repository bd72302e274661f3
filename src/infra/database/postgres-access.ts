import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** The embedded server cannot reach its binaries or data folder: said plainly, with what to do. */
export class EmbeddedPostgresAccessError extends Error {
  constructor(closed: string, cause?: unknown) {
    super(
      `The embedded PostgreSQL cannot start: run as root, it runs as the 'postgres' system user, and that ` +
        `user cannot enter ${closed} (no execute permission for other users). Either move the checkout to a ` +
        `folder every user can enter (e.g. /srv or /opt, not /root or a private temporary folder), run ` +
        `npm start as an ordinary user, or set DATABASE_URL to a PostgreSQL server of your own.`,
      { cause },
    );
    this.name = 'EmbeddedPostgresAccessError';
  }
}

/**
 * The first folder on the way to any of `targets` that users other than its owner cannot enter
 * (what the `postgres` user needs to reach the binaries and the data folder), or undefined.
 */
export function firstFolderClosedToOthers(targets: string[]): string | undefined {
  for (const target of targets) {
    const parts = path.resolve(target).split(path.sep).filter(Boolean);
    let current: string = path.sep;
    for (const part of [undefined, ...parts]) {
      if (part !== undefined) current = path.join(current, part);
      if (!existsSync(current)) break; // created later, by us, with the usual permissions
      const stat = statSync(current);
      if (stat.isDirectory() && (stat.mode & 0o001) === 0) return current;
    }
  }
  return undefined;
}
