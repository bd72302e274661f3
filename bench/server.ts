/** The API under benchmark: the production build in its own process, and the helpers every bench shares. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import pg from 'pg';

import { freePort } from '../src/infra/database/throwaway-postgres';

export interface Server {
  url: string;
  child: ChildProcess;
}

/** The production build (`npm run build` first: it emits the decorator metadata NestJS needs), in its own process. */
export async function startServer(databaseUrl: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.resolve('dist/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      JWT_SECRET_KEY: 'bench-secret-0123456789abcdef',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '0',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      SCHEDULER_ENABLED: 'false',
      PASSWORD_HASH_COST: '12',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  // Up to 2 minutes: on a machine shared with other work, start-up alone has taken over 30 s.
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const up = await fetch(`${url}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (up) return { url, child };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become healthy in 2 minutes');
}

export async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

export async function json(url: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} → ${res.status} ${await res.text()}`);
  return res.json();
}

/** Runs `work` on a connection of its own to the bench database, closed afterwards whatever happens. */
export async function withDatabase<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A bench admin: registered like anyone, then promoted in the database (as an operator would). */
export async function promoteToAdmin(databaseUrl: string, userId: string): Promise<void> {
  await withDatabase(databaseUrl, (client) => client.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [userId]));
}

/** A process's resident memory now and at its peak so far, in MB (Linux /proc). */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** The q-quantile of a sample (nearest rank). */
export const pct = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
