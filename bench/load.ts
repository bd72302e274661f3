/**
 * Mixed-workload load test — `npm run bench:load`. The production build against a throwaway
 * embedded PostgreSQL; virtual users, each on its own account with a few weeks of history, send
 * requests back to back (closed loop) in a realistic mix: log in, list and create transactions,
 * ask for a recommendation and insights, import a small statement.
 *   1. 50 and then 200 concurrent users, BENCH_LOAD_SECONDS each: per route requests, error rate,
 *      p50/p99; the server's RSS before and after.
 *   2. The event pipeline overloaded 10×: a bench-only trigger makes each event batch take
 *      OVERLOAD_BATCH_SLEEP_S in PostgreSQL, with batches sized so the pipeline can write a tenth of
 *      the events the workload captured per second in run 1, and the queue capped at what a quarter
 *      of the run captures (so it fills, and drops must be counted); RSS sampled every second, and
 *      the queue depth, cap and drops read from the server's admin health view.
 * Writes its figures into docs/performance.md between the bench:load markers (`--print` only prints).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startThrowawayPostgres } from '../src/infra/database/throwaway-postgres';

import { json, memoryMb, pct, promoteToAdmin, startServer, stopServer, type Server, withDatabase } from './server';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
const LEVELS = (process.env.BENCH_LOAD_USERS ?? '50,200').split(',').map(Number);
const OVERLOAD_USERS = Number(process.env.BENCH_OVERLOAD_USERS ?? 200);
const OVERLOAD_BATCH_SLEEP_S = 0.5;
const PASSWORD = 'BenchPass123';

/** The mix, by weight: what a person using the app does most (reading) to least (importing). */
const MIX = [
  { route: 'POST /auth/login', weight: 5 },
  { route: 'GET /financial/transactions', weight: 30 },
  { route: 'POST /financial/transactions', weight: 20 },
  { route: 'GET /coaching/recommendation', weight: 20 },
  { route: 'GET /coaching/insights', weight: 20 },
  { route: 'POST /financial/import', weight: 5 },
] as const;
type Route = (typeof MIX)[number]['route'];

interface VirtualUser {
  email: string;
  token: string;
  n: number;
}

interface RouteStats {
  latencies: number[];
  errors: number;
}

function pick(random: () => number): Route {
  const total = MIX.reduce((a, m) => a + m.weight, 0);
  let r = random() * total;
  for (const m of MIX) if ((r -= m.weight) < 0) return m.route;
  return MIX[0].route;
}

/** A small statement of this user's own, new rows each time (the import's whole path, not only duplicates). */
function statement(user: VirtualUser): Blob {
  const lines = ['date,description,amount'];
  const day = Date.UTC(2025, 0, 1) + (user.n % 300) * 86_400_000;
  // Twenty purchases and one pay-in that covers them, so imports do not drain the wallet either.
  lines.push(`${new Date(day).toISOString().slice(0, 10)},PAY ${user.n},300.00`);
  for (let i = 0; i < 20; i++) {
    lines.push(
      `${new Date(day + i * 86_400_000).toISOString().slice(0, 10)},SHOP ${user.n}-${i},-${(5 + i).toFixed(2)}`,
    );
  }
  user.n++;
  return new Blob([lines.join('\n')], { type: 'text/csv' });
}

async function send(server: Server, user: VirtualUser, route: Route): Promise<number> {
  const auth = { authorization: `Bearer ${user.token}` };
  const url = (p: string) => `${server.url}${p}`;
  let res: Response;
  switch (route) {
    case 'POST /auth/login':
      res = await fetch(url('/auth/login'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: PASSWORD }),
      });
      if (res.ok) user.token = ((await res.clone().json()) as { access_token: string }).access_token;
      break;
    case 'GET /financial/transactions':
      res = await fetch(url('/financial/transactions?limit=20'), { headers: auth });
      break;
    case 'POST /financial/transactions': {
      // Mostly small purchases, every tenth a pay-in that covers them: a user who only spends soon
      // meets the wallet's refusal to go below zero (a 400), which is not what this run measures.
      const n = user.n++;
      const row =
        n % 10 === 9
          ? { amount: 400, category: 'income', description: 'load test pay' }
          : { amount: -(3 + (n % 40)), category: 'groceries', description: 'load test' };
      res = await fetch(url('/financial/transactions'), {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(row),
      });
      break;
    }
    case 'GET /coaching/recommendation':
      res = await fetch(url('/coaching/recommendation'), { headers: auth });
      break;
    case 'GET /coaching/insights':
      res = await fetch(url('/coaching/insights'), { headers: auth });
      break;
    case 'POST /financial/import': {
      const form = new FormData();
      form.append('file', statement(user), 'statement.csv');
      res = await fetch(url('/financial/import'), { method: 'POST', headers: auth, body: form });
      break;
    }
  }
  await res.arrayBuffer();
  return res.status;
}

/** `count` accounts with history, set up 20 at a time. */
async function registerUsers(server: Server, count: number, prefix: string): Promise<VirtualUser[]> {
  const users: VirtualUser[] = [];
  for (let from = 0; from < count; from += 20) {
    const ids = Array.from({ length: Math.min(20, count - from) }, (_, k) => from + k);
    users.push(...(await Promise.all(ids.map((i) => registerUser(server, i, prefix)))));
  }
  return users;
}

async function registerUser(server: Server, i: number, prefix: string): Promise<VirtualUser> {
  const email = `${prefix}-${i}-${Date.now()}@example.com`;
  const reg = await json(`${server.url}/auth/register`, {
    method: 'POST',
    body: JSON.stringify({ email, password: PASSWORD, first_name: 'Load', last_name: `User${i}` }),
  });
  const user = { email, token: reg.access_token as string, n: i * 1000 };
  // A few weeks of history: salary and spending, so recommendation and insights have something to read.
  for (let d = 0; d < 8; d++) {
    await json(`${server.url}/financial/transactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
      body: JSON.stringify({
        amount: d === 0 ? 2500 : -(20 + d * 7),
        category: d === 0 ? 'income' : ['groceries', 'dine_out', 'transport', 'bills'][d % 4],
        description: 'history',
      }),
    });
  }
  return user;
}

/** Every user sends requests back to back for `seconds`; latency per route in ms. */
async function run(server: Server, users: VirtualUser[], seconds: number) {
  const stats = new Map<Route, RouteStats>(MIX.map((m) => [m.route, { latencies: [], errors: 0 }]));
  const statuses = new Map<string, number>();
  const end = performance.now() + seconds * 1000;
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  await Promise.all(
    users.map(async (user) => {
      while (performance.now() < end) {
        const route = pick(random);
        const started = performance.now();
        const status = await send(server, user, route).catch(() => 0);
        const s = stats.get(route)!;
        s.latencies.push(performance.now() - started);
        if (status === 0 || status >= 400) {
          s.errors++;
          const key = `${route} ${status || 'network error'}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
      }
    }),
  );
  return { stats, statuses };
}

async function pipeline(server: Server, adminToken: string) {
  const health = await json(`${server.url}/coaching/enhanced-health`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  return health.behavioral_service as {
    queue_depth: number;
    queue_cap: number;
    enqueued: number;
    written: number;
    dropped: Record<string, number>;
  };
}

async function makeAdmin(server: Server, databaseUrl: string): Promise<string> {
  const admin = await json(`${server.url}/auth/register`, {
    method: 'POST',
    body: JSON.stringify({
      email: `load-admin-${Date.now()}@example.com`,
      password: PASSWORD,
      first_name: 'Load',
      last_name: 'Admin',
    }),
  });
  await promoteToAdmin(databaseUrl, admin.user.id);
  return admin.access_token as string;
}

/** Bench-only fault: every statement writing behavioural events sleeps, so the pipeline writes slower than it captures. */
async function slowEventWrites(databaseUrl: string, on: boolean): Promise<void> {
  await withDatabase(databaseUrl, async (client) => {
    if (on) {
      await client.query(`CREATE OR REPLACE FUNCTION bench_slow_events() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep(${OVERLOAD_BATCH_SLEEP_S}); RETURN NULL; END $$`);
      await client.query(`CREATE TRIGGER bench_slow_events AFTER INSERT ON behavioral_events
        FOR EACH STATEMENT EXECUTE FUNCTION bench_slow_events()`);
    } else {
      await client.query('DROP TRIGGER IF EXISTS bench_slow_events ON behavioral_events');
    }
  });
}

const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  const lines: string[] = [];
  const say = (line = '') => {
    console.log(line);
    lines.push(line);
  };
  const loadAtStart = os.loadavg();
  const db = await startThrowawayPostgres('fincoach_bench_load');
  let server: Server | undefined;
  try {
    server = await startServer(db.url, { TRACKING_ENABLED: 'true' });
    const adminToken = await makeAdmin(server, db.url);
    say(
      `Measured by \`npm run bench:load\` on ${new Date().toISOString().slice(0, 16)}Z — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), Node ${process.version}, embedded PostgreSQL (fsync off), loopback; load generator, API and PostgreSQL on the same machine. Load average (1/5/15 min) at the start: ${loadAtStart.map(f1).join(' / ')}.`,
    );
    say();
    say(
      `Mix per virtual user (closed loop, no think time; each user its own account with 8 transactions of history): ${MIX.map((m) => `${m.route} ${m.weight}%`).join(', ')}. Imports are 20-row CSV files of new rows; logins run scrypt at PASSWORD_HASH_COST 12 (production default 17: each login ~32× that CPU).`,
    );
    say();
    let eventsPerSecond = 0;
    for (const level of LEVELS) {
      const users = await registerUsers(server, level, `load${level}`);
      await run(server, users.slice(0, Math.min(level, 20)), 2); // warm-up: JIT, pool
      const before = memoryMb(server.child.pid!);
      const eventsBefore = (await pipeline(server, adminToken)).enqueued;
      const { stats, statuses } = await run(server, users, SECONDS);
      const after = memoryMb(server.child.pid!);
      eventsPerSecond = Math.max(
        eventsPerSecond,
        ((await pipeline(server, adminToken)).enqueued - eventsBefore) / SECONDS,
      );
      const total = [...stats.values()].reduce((a, s) => a + s.latencies.length, 0);
      const errors = [...stats.values()].reduce((a, s) => a + s.errors, 0);
      say(
        `### ${level} concurrent users, ${SECONDS} s: ${total.toLocaleString('en')} requests (${f0(total / SECONDS)} req/s), errors ${((100 * errors) / Math.max(total, 1)).toFixed(2)}%; server RSS ${f0(before.rss)} MB before → ${f0(after.rss)} MB after (peak ${f0(after.peak)} MB)`,
      );
      say();
      say(`| route | requests | req/s | errors | p50 ms | p99 ms |\n|---|---|---|---|---|---|`);
      for (const [route, s] of stats) {
        say(
          `| ${route} | ${s.latencies.length} | ${f1(s.latencies.length / SECONDS)} | ${s.errors} (${((100 * s.errors) / Math.max(s.latencies.length, 1)).toFixed(2)}%) | ${f1(pct(s.latencies, 0.5))} | ${f1(pct(s.latencies, 0.99))} |`,
        );
      }
      say();
      if (statuses.size) {
        say(`Errors by status: ${[...statuses].map(([k, v]) => `${k}: ${v}`).join('; ')}.`);
        say();
      }
    }
    await stopServer(server);

    // 2. Overload: batches sized so the pipeline writes a tenth of what run 1 captured per second.
    const batch = Math.max(1, Math.round((eventsPerSecond * OVERLOAD_BATCH_SLEEP_S) / 10));
    const queueCap = Math.max(100, Math.round((eventsPerSecond * SECONDS) / 4));
    server = await startServer(db.url, {
      TRACKING_ENABLED: 'true',
      EVENTS_QUEUE_CAP: String(queueCap),
      EVENTS_BATCH_SIZE: String(batch),
    });
    const overloadAdmin = await makeAdmin(server, db.url);
    const users = await registerUsers(server, OVERLOAD_USERS, 'overload');
    await slowEventWrites(db.url, true);
    const samples: number[] = [];
    const start = memoryMb(server.child.pid!);
    const sampler = setInterval(() => samples.push(memoryMb(server!.child.pid!).rss), 1000);
    const before = await pipeline(server, overloadAdmin);
    const { stats } = await run(server, users, SECONDS);
    clearInterval(sampler);
    const after = await pipeline(server, overloadAdmin);
    const end = memoryMb(server.child.pid!);
    await slowEventWrites(db.url, false);
    const total = [...stats.values()].reduce((a, s) => a + s.latencies.length, 0);
    const errors = [...stats.values()].reduce((a, s) => a + s.errors, 0);
    const captured = after.enqueued - before.enqueued + (after.dropped.queue_full - before.dropped.queue_full);
    const written = after.written - before.written;
    say(
      `### The event pipeline overloaded 10× (${OVERLOAD_USERS} users, ${SECONDS} s, queue cap ${queueCap.toLocaleString('en')}: a quarter of the run's events at the run-1 rate)`,
    );
    say();
    say(
      `Each event batch held ${OVERLOAD_BATCH_SLEEP_S} s in PostgreSQL by a bench-only trigger, batches of ${batch} events: the pipeline could write ≈ ${f0(batch / OVERLOAD_BATCH_SLEEP_S)} events/s against ${f0(eventsPerSecond)} captured per second in run 1. Requests: ${total.toLocaleString('en')} (${f0(total / SECONDS)} req/s), errors ${((100 * errors) / Math.max(total, 1)).toFixed(2)}%. Events captured ${captured.toLocaleString('en')} (${f0(captured / SECONDS)}/s), written ${written.toLocaleString('en')}, dropped at the cap (queue_full) ${(after.dropped.queue_full - before.dropped.queue_full).toLocaleString('en')}; queue depth at the end ${after.queue_depth.toLocaleString('en')} of ${after.queue_cap.toLocaleString('en')}. Server RSS ${f0(start.rss)} MB at the start, ${f0(Math.max(...samples, end.rss))} MB at most (sampled every second), ${f0(end.rss)} MB at the end (peak ${f0(end.peak)} MB).`,
    );
    say();
    say(`Load average (1/5/15 min) at the end: ${os.loadavg().map(f1).join(' / ')}.`);
    await stopServer(server);
    server = undefined;
  } finally {
    if (server) await stopServer(server);
    await db.stop();
  }
  if (!process.argv.includes('--print')) {
    const file = path.resolve('docs/performance.md');
    const doc = readFileSync(file, 'utf8');
    const [open, close] = ['<!-- bench:load:start -->', '<!-- bench:load:end -->'];
    const at = doc.indexOf(open);
    const to = doc.indexOf(close);
    if (at < 0 || to < at) throw new Error(`docs/performance.md has no ${open} … ${close} section`);
    writeFileSync(file, `${doc.slice(0, at + open.length)}\n${lines.join('\n')}\n${doc.slice(to)}`);
    console.log('\nwritten to docs/performance.md');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
