/** The API under benchmark: the production build in its own process, and a JSON helper. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

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
