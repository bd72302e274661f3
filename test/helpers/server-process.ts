import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { transformFileSync } from '@swc/core';
import { Client } from 'pg';

import { freePort } from '../../src/infra/net/free-port';

/** A fresh, empty database on the run's PostgreSQL (the server migrates it at start). */
export async function createScratchDatabase(prefix: string): Promise<string> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const client = new Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<number | null>;
  /** Kills the process group if it is still running (after a failed test). */
  kill: () => void;
}

const REPO = path.resolve(__dirname, '../..');
let compiled: string | undefined;

/**
 * src/ compiled to CommonJS with decorator metadata (what `npm run build` makes with tsc, in a
 * second instead of a minute), once per test file; Nest's injection needs the metadata.
 */
function compiledServer(): string {
  if (compiled) return compiled;
  const root = mkdtempSync(path.join(tmpdir(), 'fincoach-dist-'));
  const out = path.join(root, 'dist');
  // Laid out like the checkout: dist/ next to prisma/ (the migrations are found relative to the code).
  symlinkSync(path.join(REPO, 'prisma'), path.join(root, 'prisma'));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const from = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(from);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const { code } = transformFileSync(from, {
          module: { type: 'commonjs' },
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
          },
        });
        const to = path.join(out, path.relative(path.join(REPO, 'src'), from)).replace(/\.ts$/, '.js');
        mkdirSync(path.dirname(to), { recursive: true });
        writeFileSync(to, code);
      }
    }
  };
  walk(path.join(REPO, 'src'));
  compiled = out;
  return out;
}

/** The real server process (src/main.ts, compiled), as `npm start` runs it, on a free port. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const root = REPO;
  const child = spawn(process.execPath, [path.join(compiledServer(), 'main.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // The compiled files live outside the checkout: let them find its dependencies.
      NODE_PATH: path.join(REPO, 'node_modules'),
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SEED_ON_START: 'false',
      SCHEDULER_ENABLED: 'false',
      PASSWORD_HASH_COST: '10',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const kill = () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const listening = await Promise.race([
    new Promise<boolean>((resolve) => {
      const check = () => (/listening on/.test(output) ? resolve(true) : setTimeout(check, 50));
      check();
    }),
    exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 90_000).unref()),
  ]);
  if (!listening) {
    kill();
    throw new Error(`server did not start:\n${output}`);
  }
  return { child, baseUrl: `http://127.0.0.1:${port}`, output: () => output, exited, kill };
}
