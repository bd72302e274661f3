import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort } from '../../src/infra/net/free-port';

/**
 * A PostgreSQL of a test's own that the test can kill (SIGKILL to every process of the server: a
 * crash, no shutdown) and start again on the same data folder and port, as a database server that
 * died and was restarted. It runs from test/helpers/postgres-process.ts in a process of its own.
 */
export interface KillablePostgres {
  url: string;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const REPO = path.resolve(__dirname, '../..');

export async function startKillablePostgres(): Promise<KillablePostgres> {
  const root = mkdtempSync(path.join(tmpdir(), 'fincoach-pg-fault-'));
  chmodSync(root, 0o755); // the embedded server runs as the postgres user when we are root
  const dir = path.join(root, 'pg');
  const port = await freePort();
  let owner: ChildProcess | undefined;
  const start = async (): Promise<string> => {
    const child = spawn(
      process.execPath,
      ['-r', path.join(REPO, 'scripts/swc-register.cjs'), path.join(__dirname, 'postgres-process.ts')],
      { cwd: REPO, env: { ...process.env, PG_DIR: dir, PG_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    owner = child;
    let output = '';
    let stdout = '';
    return new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        output += chunk.toString();
        const ready = /^ready (\S+)$/m.exec(stdout);
        if (ready) resolve(ready[1]);
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`postgres process exited with ${code}:\n${output}`)));
    });
  };
  const url = await start();
  return {
    url,
    async kill() {
      // postmaster.pid: PID, data folder, start time, port, socket folder, …
      const lockLines = readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n');
      const postmaster = Number(lockLines[0]);
      const socket = path.join(lockLines[4] || tmpdir(), `.s.PGSQL.${lockLines[3]}`);
      const victims = [postmaster, ...childrenOf(postmaster), owner!.pid!];
      for (const pid of victims) signal(pid, 'SIGKILL');
      // Gone only when every process of it is: the server's shared memory is released then.
      for (let i = 0; i < 400 && victims.some(alive); i++) await new Promise((r) => setTimeout(r, 25));
      // The killed postmaster may linger as a zombie where nothing reaps orphans (a container whose
      // PID 1 does not), and PostgreSQL's stale-lock check counts a zombie as running: the lock
      // files of a server whose every process has exited are removed, as a supervisor restarting it would.
      if (!victims.some(alive))
        for (const lock of [path.join(dir, 'postmaster.pid'), socket, `${socket}.lock`]) rmSync(lock, { force: true });
      owner = undefined;
    },
    async restart() {
      await start();
    },
    async stop() {
      if (owner && owner.exitCode === null) {
        const exited = new Promise((resolve) => owner!.once('exit', resolve));
        owner.kill('SIGTERM');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch {
      // exited while we read it
    }
  }
  return pids;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie has exited
  } catch {
    return false;
  }
}
