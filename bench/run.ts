/**
 * FinCoach benchmarks — `npm run bench`. Everything runs on loopback against a throwaway
 * embedded PostgreSQL, bounded in time; ratios are measured within this one run.
 *   1. tracking cost: the same authenticated GET with event tracking on vs off
 *   2. event ingest: sustained events/s through the batcher into PostgreSQL
 *   3. /coaching/recommendation latency (1 connection) and throughput (50 connections)
 *   4. model inference alone (onnxruntime-node, batch 1)
 *   5. the request path: a bare Fastify + pg route against our read endpoints, alternating
 *   6. the ORM's cost per query shape (Prisma against pg, same pool, same queries)
 *   7. /metrics: the request histogram's cost per request against the request's own CPU, and a scrape's
 * `npm run bench` runs them all and writes docs/benchmarks.md; `npm run bench -- --section
 * request-path` (or tracking, ingest, recommendation, inference, orm, metrics; comma-separated) runs
 * only those and prints them, leaving the docs alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import autocannon from 'autocannon';
import * as ort from 'onnxruntime-node';
import { version as PRISMA_VERSION } from 'prisma/package.json';

import { EventBatcher } from '../src/behavioral/event-batcher';
import { EventCaptureService } from '../src/behavioral/event-capture.service';
import { encodeEvent } from '../src/behavioral/event-encoding';
import { classifyRequest } from '../src/behavioral/event-types';
import { isTransientDatabaseError, PostgresEventSink } from '../src/behavioral/postgres-event-sink';
import { uuid7 } from '../src/behavioral/uuid7';
import { loadConfig } from '../src/infra/config/app-config';
import { freePort, startThrowawayPostgres } from '../src/infra/database/throwaway-postgres';
import { MetricsService } from '../src/infra/metrics/metrics.service';
import { PrismaService } from '../src/infra/prisma/prisma.service';

import { json, pct, promoteToAdmin, startServer, stopServer, type Server, withDatabase } from './server';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 5);
const PAIRS_PER_PROCESS = Number(process.env.BENCH_PAIRS_PER_PROCESS ?? 6);
const PAIRS = PROCESSES * PAIRS_PER_PROCESS;
const PAIR_SECONDS = Number(process.env.BENCH_PAIR_SECONDS ?? 3);
const CLOSED_LOOP_SECONDS = 1;
const INGEST_EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const REQUEST_PATH_ROUNDS = Number(process.env.BENCH_REQUEST_PATH_ROUNDS ?? 8);
const ORM_QUERIES = Number(process.env.BENCH_ORM_QUERIES ?? 2000);
const METRICS_ROUNDS = Number(process.env.BENCH_METRICS_ROUNDS ?? 5);
// Four years, a transaction a day: about what a long imported bank history holds.
const HISTORY_DAYS = 1461;

const SECTIONS = ['tracking', 'ingest', 'recommendation', 'inference', 'request-path', 'orm', 'metrics'] as const;
type Section = (typeof SECTIONS)[number];
/** Sections chosen with `--section a,b`; all of them when none is given. */
function chosenSections(argv: string[]): Set<Section> {
  const at = argv.indexOf('--section');
  if (at < 0) return new Set(SECTIONS);
  const names = (argv[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !SECTIONS.includes(n as Section));
  if (!names.length || unknown.length) throw new Error(`--section takes one or more of: ${SECTIONS.join(', ')}`);
  return new Set(names as Section[]);
}

/**
 * p99 of one client sending requests back to back on one keep-alive connection, timed with
 * hrtime: autocannon's histogram keeps whole milliseconds, too coarse for a sub-millisecond target.
 */
async function closedLoopP99Ms(url: string, token: string, seconds: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  try {
    while (performance.now() < end) {
      const started = process.hrtime.bigint();
      const status = await new Promise<number>((resolve, reject) => {
        http
          .get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
      if (status !== 200) throw new Error(`${url} → ${status}`);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  } finally {
    agent.destroy();
  }
  return pct(latencies, 0.99);
}

async function load(url: string, token: string, connections: number, seconds = SECONDS, overallRate?: number) {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    ...(overallRate ? { overallRate } : {}),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
  };
}

/**
 * µs per captured request event through EventCaptureService itself, with a sink that only
 * counts: a request with fields of its own (capture(), then the intake's privacy filter,
 * validation, UUIDv7, encoding) and one without (captureRequest(), which builds the route's payload
 * and takes the same pipeline: there are no per-route templates any more).
 */
async function measureCapture(): Promise<{ withFields: number; plain: number }> {
  const config = loadConfig({
    DATABASE_URL: 'postgresql://unused@127.0.0.1:1/unused',
    EVENTS_QUEUE_CAP: '1000000',
    EVENTS_BATCH_SIZE: '50000',
  });
  const sink = { write: async (events: unknown[]) => events.length } as unknown as PostgresEventSink;
  const capture = new EventCaptureService(config, sink);
  const userId = '11111111-1111-4111-8111-111111111111';
  const body = { category: 'groceries', quantity: 2, password: 'never-stored' };
  const route = { route: '/auth/me', ...classifyRequest('GET', '/auth/me') };
  // Rounds of what one intake interval holds under load, each written before the next starts, as in
  // the server: a loop that never lets the batcher write would time a queue of 100,000 held events.
  const ROUND = 400;
  const timed = async (one: () => void) => {
    const run = async () => {
      for (let i = 0; i < ROUND; i++) one();
      await capture.flush();
    };
    for (let i = 0; i < 25; i++) await run();
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100_000 / ROUND; i++) await run();
    return Number(process.hrtime.bigint() - started) / 1e3 / 100_000;
  };
  return {
    withFields: await timed(() =>
      capture.capture({
        userId,
        type: 'page_view',
        subtype: 'transaction_create',
        sessionId: 'sess',
        data: {
          page_url: '/financial/transactions',
          method: 'POST',
          status_code: 201,
          duration_ms: 3.2,
          interaction_type: 'request',
          request: body,
        },
      }),
    ),
    plain: await timed(() => capture.captureRequest(route, 'GET', userId, null, 200, 1.23)),
  };
}

/** One process's /proc/<pid>/stat (Linux): parent, name, CPU ms of its own and of its reaped children. */
function procStat(pid: number | string): { ppid: number; name: string; ownMs: number; childrenMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  // After the name: ppid is field 4; utime, stime, cutime, cstime are fields 14–17 (clock ticks of 10 ms).
  const ms = (i: number) => Number(fields[i]) * 10;
  return {
    ppid: Number(fields[1]),
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ownMs: ms(11) + ms(12),
    childrenMs: ms(13) + ms(14),
  };
}

/** CPU time (user + system, ms) a process has used so far. */
function cpuMs(pid: number): number {
  return procStat(pid).ownMs;
}

/** A load run plus the server's and PostgreSQL's CPU milliseconds per request during it: robust to machine noise. */
async function loadWithCpu(
  server: { url: string; child: ChildProcess },
  token: string,
  connections: number,
  seconds = SECONDS,
  route = '/auth/me',
) {
  const before = cpuMs(server.child.pid!);
  const dbBefore = postgresCpuMs();
  const result = await load(`${server.url}${route}`, token, connections, seconds);
  return {
    ...result,
    cpuPerRequest: (cpuMs(server.child.pid!) - before) / result.requests,
    dbCpuPerRequest: (postgresCpuMs() - dbBefore) / result.requests,
  };
}

/**
 * Three load runs back to back; the one with the middle throughput, whole (its latencies and CPU
 * with it): one window alone can land on a moment when other work on the machine takes a core.
 */
async function middleOfThree(server: Server, token: string, connections: number, route: string) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await loadWithCpu(server, token, connections, SECONDS, route));
  return runs.sort((a, b) => a.rps - b.rps)[1];
}

/** The bench database's postmaster: its processes are the ones counted, not other PostgreSQL servers on the machine. */
let postmasterPid = 0;

async function findPostmaster(databaseUrl: string): Promise<number> {
  return withDatabase(databaseUrl, async (client) => {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return procStat(rows[0].pid).ppid;
  });
}

/**
 * CPU ms used by the bench database's PostgreSQL processes: the postmaster, each live child,
 * and the children it has reaped (connections that closed), so backends that exit mid-run are
 * still counted.
 */
function postgresCpuMs(): number {
  const postmaster = procStat(postmasterPid);
  let total = postmaster.ownMs + postmaster.childrenMs;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = procStat(pid);
      if (stat.ppid === postmasterPid) total += stat.ownMs;
    } catch {
      // The process exited while we read it; the postmaster's children total covers it.
    }
  }
  return total;
}

/**
 * Before a section that measures throughput: what earlier sections left PostgreSQL to do (vacuuming
 * the events they wrote, writing out dirty pages) is done now, as pgbench vacuums before its runs,
 * so that it is not counted as the next section's cost. A manual VACUUM also makes an autovacuum
 * worker on the same table give way.
 */
async function settleDatabase(databaseUrl: string): Promise<void> {
  await withDatabase(databaseUrl, async (client) => {
    await client.query('VACUUM (ANALYZE)');
    await client.query('CHECKPOINT');
  });
}

/**
 * A second bench user with `days` days of history (a transaction a day, income every fortnight),
 * registered through the API and its history written straight into the ledger's table: what an
 * imported multi-year bank statement leaves, without importing one. Returns the user's token.
 */
async function userWithHistory(databaseUrl: string, serverUrl: string, days: number): Promise<string> {
  const reg = await json(`${serverUrl}/auth/register`, {
    method: 'POST',
    body: JSON.stringify({
      email: `bench-history-${Date.now()}@example.com`,
      password: 'BenchPass123',
      first_name: 'Bench',
      last_name: 'History',
    }),
  });
  await withDatabase(databaseUrl, (client) =>
    client.query(
      `INSERT INTO transactions (id, user_id, wallet_id, transaction_type, amount, category, description,
                                 balance_after, transaction_date, source, updated_at)
       SELECT gen_random_uuid(), w.user_id, w.id,
              (CASE WHEN d % 14 = 0 THEN 'credit' ELSE 'debit' END)::transaction_type,
              CASE WHEN d % 14 = 0 THEN 1400 ELSE 20 + (d % 9) * 6 END,
              (CASE WHEN d % 14 = 0 THEN 'income'
                    ELSE (ARRAY['groceries', 'dine_out', 'transport', 'shopping', 'bills'])[1 + d % 5] END)::transaction_category,
              'bench history', w.balance, now() - make_interval(days => d), 'import', now()
         FROM wallets w, generate_series(1, $2::int) AS d
        WHERE w.user_id = $1::uuid`,
      [reg.user.id, days],
    ),
  );
  return reg.access_token;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
async function switchTracking(url: string, adminToken: string, enabled: boolean): Promise<void> {
  await json(`${url}/admin/tracking`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ enabled }),
  });
}

/** Waits until the server's event pipeline has written everything it captured (queue depth is an admin detail of health). */
async function drained(url: string, adminToken: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const health = await json(`${url}/coaching/enhanced-health`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    if (health.behavioral_service?.queue_depth === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('event pipeline did not drain in 10 s');
}

/** Which side of an on/off pair runs first: flipped every pair, so drift hits both sides alike. */
const pairOrder = (pair: number) => (pair % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const));

/** The bare Fastify + pg ceiling (bench/bare-server.ts) in its own process, serving the user's wallet row. */
async function startBareServer(databaseUrl: string, userId: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('bench/bare-server.ts')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), BENCH_USER_ID: userId, DB_POOL_SIZE: '20' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bare server did not start in 2 minutes')), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/**
 * 5. Our read endpoints against the ceiling of this machine: a bare Fastify route reading the same
 * wallet row with one named pg statement. All four run in every round, one after another at 50
 * connections, the starting one rotating per round; each endpoint's ratio is taken within its
 * round (so drift hits all alike) and the median over rounds reported.
 */
async function requestPathSection(
  databaseUrl: string,
  ours: Server,
  token: string,
  userId: string,
  say: (line?: string) => void,
  servers: Server[],
): Promise<void> {
  const bare = await startBareServer(databaseUrl, userId);
  servers.push(bare);
  const targets = [
    { name: 'bare Fastify + pg (ceiling)', server: bare, route: '/wallet', target: undefined },
    { name: 'GET /financial/wallet', server: ours, route: '/financial/wallet', target: 0.3 },
    {
      name: 'GET /financial/transactions?limit=20',
      server: ours,
      route: '/financial/transactions?limit=20',
      target: 0.2,
    },
    { name: 'GET /auth/me', server: ours, route: '/auth/me', target: 0.4 },
  ];
  for (const t of targets) await load(`${t.server.url}${t.route}`, token, 50, 2);
  type Run = Awaited<ReturnType<typeof loadWithCpu>>;
  const runs: Run[][] = targets.map(() => []);
  for (let round = 0; round < REQUEST_PATH_ROUNDS; round++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (k + round) % targets.length;
      const t = targets[i];
      runs[i].push(await loadWithCpu(t.server, token, 50, PAIR_SECONDS, t.route));
    }
  }
  await stopServer(bare);
  const ratios = runs.map((rs) => rs.map((r, round) => r.rps / runs[0][round].rps));
  say(
    `## 5. The request path against the machine's ceiling (50 connections, ${REQUEST_PATH_ROUNDS} rounds of ${PAIR_SECONDS} s per endpoint, alternating)`,
  );
  say();
  say(
    `| endpoint | req/s | ratio to the ceiling (median, range) | target | p99 ms | API CPU µs per request | PostgreSQL CPU µs per request |\n|---|---|---|---|---|---|---|`,
  );
  const verdicts: string[] = [];
  targets.forEach((t, i) => {
    const ratio = median(ratios[i]);
    const verdict =
      t.target === undefined ? '—' : `≥ ${t.target.toFixed(2)}: ${ratio >= t.target ? 'met' : '**not met**'}`;
    if (t.target !== undefined) verdicts.push(`${t.name} ${ratio.toFixed(2)} (${verdict})`);
    say(
      `| ${t.name} | ${median(runs[i].map((r) => r.rps)).toFixed(0)} | ${ratio.toFixed(3)} (${Math.min(...ratios[i]).toFixed(3)}–${Math.max(...ratios[i]).toFixed(3)}) | ${verdict} | ${median(runs[i].map((r) => r.p99)).toFixed(1)} | ${median(runs[i].map((r) => r.cpuPerRequest * 1000)).toFixed(0)} | ${median(runs[i].map((r) => r.dbCpuPerRequest * 1000)).toFixed(0)} |`,
    );
  });
  say();
  say(
    `Our server runs as in production (tracking on, logging silent, rate limit off for the load generator); the ceiling has no auth, no framework and no tracking. API CPU is the serving process's own (/proc), PostgreSQL CPU that of the bench database's processes (event batches included). ${verdicts.join('; ')}.`,
  );
  say();
}

/**
 * 6. What the ORM costs per query shape: the same query through Prisma's client and as a named pg
 * statement, on one pool, one at a time, alternating three times; CPU of this process per query
 * (the client's cost) and PostgreSQL's, medians of the three.
 */
async function ormSection(databaseUrl: string, userId: string, say: (line?: string) => void): Promise<void> {
  const prisma = new PrismaService(loadConfig({ DATABASE_URL: databaseUrl, DB_POOL_SIZE: '4' }));
  const named = (name: string, text: string) => () => prisma.pool.query({ name, text, values: [userId] });
  const shapes = [
    {
      name: 'wallet by user id (1 row)',
      prisma: () => prisma.wallet.findUnique({ where: { userId } }),
      raw: () => prisma.$queryRaw`SELECT * FROM wallets WHERE user_id = ${userId}::uuid`,
      pg: named('orm-wallet', 'SELECT * FROM wallets WHERE user_id = $1::uuid'),
    },
    {
      name: 'user by id (1 row)',
      prisma: () => prisma.user.findUnique({ where: { id: userId } }),
      raw: () => prisma.$queryRaw`SELECT * FROM users WHERE id = ${userId}::uuid`,
      pg: named('orm-user', 'SELECT * FROM users WHERE id = $1::uuid'),
    },
    {
      name: 'transactions page (20 of 35 rows, newest first)',
      prisma: () =>
        prisma.transaction.findMany({
          where: { userId },
          orderBy: [{ transactionDate: 'desc' }, { seq: 'desc' }],
          take: 20,
        }),
      raw: () =>
        prisma.$queryRaw`SELECT * FROM transactions WHERE user_id = ${userId}::uuid ORDER BY transaction_date DESC, seq DESC LIMIT 20`,
      pg: named(
        'orm-page',
        'SELECT * FROM transactions WHERE user_id = $1::uuid ORDER BY transaction_date DESC, seq DESC LIMIT 20',
      ),
    },
    {
      name: "count of the user's transactions",
      prisma: () => prisma.transaction.count({ where: { userId } }),
      raw: () => prisma.$queryRaw`SELECT count(*)::int AS n FROM transactions WHERE user_id = ${userId}::uuid`,
      pg: named('orm-count', 'SELECT count(*)::int AS n FROM transactions WHERE user_id = $1::uuid'),
    },
  ];
  const measure = async (query: () => Promise<unknown>) => {
    for (let i = 0; i < 200; i++) await query();
    const cpu = process.cpuUsage();
    const db = postgresCpuMs();
    const started = performance.now();
    for (let i = 0; i < ORM_QUERIES; i++) await query();
    const used = process.cpuUsage(cpu);
    return {
      clientUs: (used.user + used.system) / ORM_QUERIES,
      dbUs: ((postgresCpuMs() - db) * 1000) / ORM_QUERIES,
      wallUs: ((performance.now() - started) * 1000) / ORM_QUERIES,
    };
  };
  say(
    `## 6. The ORM's cost per query shape (Prisma ${PRISMA_VERSION} client over @prisma/adapter-pg against the same query on pg, one pool, ${ORM_QUERIES.toLocaleString('en')} sequential queries, alternating 3 times)`,
  );
  say();
  say(
    `| query | Prisma client CPU µs | Prisma $queryRaw CPU µs | pg named statement CPU µs | Prisma ÷ pg | PostgreSQL CPU µs (Prisma / pg) | wall µs (Prisma / pg) |\n|---|---|---|---|---|---|---|`,
  );
  try {
    for (const shape of shapes) {
      const results: Record<'prisma' | 'raw' | 'pg', Awaited<ReturnType<typeof measure>>[]> = {
        prisma: [],
        raw: [],
        pg: [],
      };
      for (let rep = 0; rep < 3; rep++) {
        for (const k of ['prisma', 'raw', 'pg'] as const) results[k].push(await measure(shape[k]));
      }
      const m = (k: 'prisma' | 'raw' | 'pg', f: (x: Awaited<ReturnType<typeof measure>>) => number) =>
        median(results[k].map(f));
      say(
        `| ${shape.name} | ${m('prisma', (x) => x.clientUs).toFixed(0)} | ${m('raw', (x) => x.clientUs).toFixed(0)} | ${m('pg', (x) => x.clientUs).toFixed(0)} | ${(m('prisma', (x) => x.clientUs) / m('pg', (x) => x.clientUs)).toFixed(1)}× | ${m('prisma', (x) => x.dbUs).toFixed(0)} / ${m('pg', (x) => x.dbUs).toFixed(0)} | ${m('prisma', (x) => x.wallUs).toFixed(0)} / ${m('pg', (x) => x.wallUs).toFixed(0)} |`,
      );
    }
  } finally {
    await prisma.onApplicationShutdown();
  }
  say();
  say(
    `Client CPU is this process's (user + system) per query, the query's whole cost on the API side, beside PostgreSQL's for the same queries. The difference is Prisma's query compiler (wasm) and result mapping; the repositories use pg (docs/architecture.md, data access).`,
  );
  say();
}

/**
 * 7. What `/metrics` costs the hot path. Per request the server observes one histogram sample
 * (MetricsService.observeRequest, in an onResponse hook); everything else is read at scrape time.
 * Measured as the observe's CPU through MetricsService itself in a tight loop, over the label
 * combinations of a real route table, against the API CPU per request of GET /auth/me at saturation
 * (medians of METRICS_ROUNDS runs here); and a scrape's CPU in the server, idle otherwise. There is no
 * run-time switch for the histogram, so no on/off pairs as for tracking (section 1): separate
 * processes differ by more than the budget.
 */
async function metricsSection(databaseUrl: string, server: Server, token: string, say: (line?: string) => void) {
  const metrics = new MetricsService();
  const routes = ['/auth/me', '/financial/wallet', '/financial/transactions', '/coaching/recommendation', 'unmatched'];
  const statuses = [200, 201, 401, 404, 422];
  const observe = (n: number) => {
    for (let i = 0; i < n; i++)
      metrics.observeRequest('GET', routes[i % 5], statuses[(i >> 3) % 5], 0.0012 + (i % 7) / 1000);
  };
  observe(100_000);
  const cpu = process.cpuUsage();
  observe(1_000_000);
  const used = process.cpuUsage(cpu);
  const observeUs = (used.user + used.system) / 1_000_000;
  await load(`${server.url}/auth/me`, token, 50, 2);
  const runs: Array<Awaited<ReturnType<typeof loadWithCpu>>> = [];
  for (let i = 0; i < METRICS_ROUNDS; i++) runs.push(await loadWithCpu(server, token, 50, PAIR_SECONDS));
  const requestUs = median(runs.map((r) => r.cpuPerRequest * 1000));
  const admin = await json(`${server.url}/auth/register`, {
    method: 'POST',
    body: JSON.stringify({
      email: `bench-metrics-${Date.now()}@example.com`,
      password: 'BenchPass123',
      first_name: 'Bench',
      last_name: 'Metrics',
    }),
  });
  await promoteToAdmin(databaseUrl, admin.user.id);
  const scrape = () =>
    fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${admin.access_token}` } }).then((r) =>
      r.text(),
    );
  const text = await scrape();
  const series = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
  const before = cpuMs(server.child.pid!);
  for (let i = 0; i < 50; i++) await scrape();
  const scrapeMs = (cpuMs(server.child.pid!) - before) / 50;
  const share = observeUs / requestUs;
  say(`## 7. What /metrics costs the hot path`);
  say();
  say(
    `Observing one request in the latency histogram (MetricsService.observeRequest, 25 label combinations, mean of 1,000,000 in a tight loop): **${observeUs.toFixed(2)} µs**. API CPU per request of GET /auth/me at saturation (50 connections, median of ${METRICS_ROUNDS} runs of ${PAIR_SECONDS} s, tracking on): **${requestUs.toFixed(0)} µs**. The histogram's share: **${(share * 100).toFixed(2)}%** of the request's CPU (budget < 5%: ${share < 0.05 ? 'met' : '**not met**'}). Inside the running server the observe runs colder than in the loop, so its share there is somewhat higher; an upper bound would need a run-time switch for on/off pairs, which the server does not have.`,
  );
  say();
  say(
    `A scrape (GET /metrics, ${series} series at this point): **${scrapeMs.toFixed(1)} ms** of server CPU (mean of 50, server otherwise idle; /proc ticks of 10 ms) — at a 15 s scrape interval ${((scrapeMs / 15_000) * 100).toFixed(3)}% of one core.`,
  );
  say();
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const say = (line = '') => {
    console.log(line);
    lines.push(line);
  };
  console.log('starting a throwaway PostgreSQL …');
  const loadAtStart = os.loadavg()[0];
  const db = await startThrowawayPostgres('fincoach_bench');
  postmasterPid = await findPostmaster(db.url);
  const servers: Server[] = [];
  try {
    // A long-lived server (tracking on) registers the bench user and serves section 3.
    const on = await startServer(db.url, { TRACKING_ENABLED: 'true' });
    servers.push(on);
    const reg = await json(`${on.url}/auth/register`, {
      method: 'POST',
      body: JSON.stringify({
        email: `bench-${Date.now()}@example.com`,
        password: 'BenchPass123',
        first_name: 'Bench',
        last_name: 'User',
      }),
    });
    const token: string = reg.access_token;
    const sections = chosenSections(process.argv.slice(2));

    say(`# Benchmarks`);
    say();
    say(
      `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), Node ${process.version}, embedded PostgreSQL (fsync off), loopback only. The load generator (autocannon) runs in a separate process from the API.`,
    );
    say();

    // Five weeks of history for the bench user: the transaction list and the recommendation read it.
    for (let d = 35; d >= 1; d--) {
      await json(`${on.url}/financial/transactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({
          amount: d % 7 === 0 ? 700 : -(10 + (d % 5) * 7),
          category: d % 7 === 0 ? 'income' : ['groceries', 'dine_out', 'transport', 'shopping', 'bills'][d % 5],
          description: 'bench',
        }),
      });
    }
    let dbDeltaUs: number | undefined;
    if (sections.has('tracking')) {
      // 1. Tracking on vs off in the same process, switched at run time by an admin
      // (PUT /admin/tracking), in adjacent pairs whose order flips every pair so drift hits both
      // sides alike; the figures are medians over pairs, with their spread. Separate processes
      // running identical code differed by up to 14% in throughput here, more than the target:
      // comparing two processes measured their luck as much as tracking. Switching within one
      // process removes that; several fresh processes sample it.
      const admin = await json(`${on.url}/auth/register`, {
        method: 'POST',
        body: JSON.stringify({
          email: `bench-admin-${Date.now()}@example.com`,
          password: 'BenchPass123',
          first_name: 'Bench',
          last_name: 'Admin',
        }),
      });
      await promoteToAdmin(db.url, admin.user.id);
      type Saturated = Awaited<ReturnType<typeof loadWithCpu>>;
      const pairs: Array<{ on: Saturated; off: Saturated }> = [];
      const closedLoop: Array<{ on: number; off: number }> = [];
      for (let p = 0; p < PROCESSES; p++) {
        const server = await startServer(db.url, { TRACKING_ENABLED: 'true' });
        servers.push(server);
        const setTracking = (side: 'on' | 'off') => switchTracking(server.url, admin.access_token, side === 'on');
        // Warm-up (JIT, pool) on both paths, so neither side's first window pays for compiling.
        for (const k of ['on', 'off'] as const) {
          await setTracking(k);
          await load(`${server.url}/auth/me`, token, 50, 2);
        }
        for (let i = 0; i < PAIRS_PER_PROCESS; i++) {
          const order = pairOrder(p + i);
          const pair = {} as (typeof pairs)[number];
          for (const k of order) {
            await setTracking(k);
            // Half a second unmeasured on each side first: after switching on, the pipeline reaches
            // its steady state (a batch in flight at each end of the window); after switching off,
            // the last batch is written before the window starts.
            await load(`${server.url}/auth/me`, token, 50, 0.5);
            if (k === 'off') await drained(server.url, admin.access_token);
            pair[k] = await loadWithCpu(server, token, 50, PAIR_SECONDS);
          }
          pairs.push(pair);
          // Latency without queueing: one connection, closed loop, so p99 is the request's own time.
          const p99 = {} as (typeof closedLoop)[number];
          for (const k of order) {
            await setTracking(k);
            p99[k] = await closedLoopP99Ms(`${server.url}/auth/me`, token, CLOSED_LOOP_SECONDS);
          }
          closedLoop.push(p99);
        }
        await stopServer(server);
      }
      const ratios = pairs.map((p) => p.on.rps / p.off.rps);
      const side = (k: 'on' | 'off', f: (x: Saturated) => number) => median(pairs.map((p) => f(p[k])));
      say(
        `## 1. Cost of behavioural tracking (GET /auth/me, 50 connections, ${PAIRS} adjacent on/off pairs of ${PAIR_SECONDS} s: ${PAIRS_PER_PROCESS} in each of ${PROCESSES} fresh processes, tracking switched at run time)`,
      );
      say();
      say(
        `| tracking | req/s | p50 ms | p99 ms | API CPU µs per request | PostgreSQL CPU µs per request |\n|---|---|---|---|---|---|`,
      );
      for (const k of ['off', 'on'] as const) {
        say(
          `| ${k} | ${side(k, (x) => x.rps).toFixed(0)} | ${side(k, (x) => x.p50).toFixed(2)} | ${side(k, (x) => x.p99).toFixed(2)} | ${side(k, (x) => x.cpuPerRequest * 1000).toFixed(0)} | ${side(k, (x) => x.dbCpuPerRequest * 1000).toFixed(0)} |`,
        );
      }
      say();
      const ratio = median(ratios);
      // Within a pair both sides share a process and a moment: the median of the pairs' differences is steadier than a difference of medians.
      const pairedDeltaUs = (f: (x: Saturated) => number) => median(pairs.map((p) => f(p.on) - f(p.off))) * 1000;
      const apiDeltaUs = pairedDeltaUs((x) => x.cpuPerRequest);
      dbDeltaUs = pairedDeltaUs((x) => x.dbCpuPerRequest);
      say(
        `Throughput on/off, median of the ${PAIRS} pair ratios: **${ratio.toFixed(3)}** — tracking costs **${((1 - ratio) * 100).toFixed(1)}%** at saturation (target < 5%: ${1 - ratio < 0.05 ? 'met' : '**not met**'}); middle half of the pairs ${pct(ratios, 0.25).toFixed(3)}–${pct(ratios, 0.75).toFixed(3)}, all ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}. Medians per column above; API and PostgreSQL CPU from /proc (the bench database's processes, exited ones included). Median of the pairs' CPU differences (on − off) per request: API **${apiDeltaUs >= 0 ? '+' : ''}${apiDeltaUs.toFixed(0)} µs**, PostgreSQL **${dbDeltaUs >= 0 ? '+' : ''}${dbDeltaUs.toFixed(0)} µs**.`,
      );
      say();
      const p99Diff = median(closedLoop.map((x) => x.on - x.off));
      say(
        `One connection, closed loop (no queueing; requests timed with hrtime), ${CLOSED_LOOP_SECONDS} s per side in each of the ${PAIRS} pairs: p99 **${median(closedLoop.map((x) => x.off)).toFixed(2)} ms** off vs **${median(closedLoop.map((x) => x.on)).toFixed(2)} ms** on — median difference **${p99Diff.toFixed(2)} ms** (target < 1 ms: ${p99Diff < 1 ? 'met' : '**not met**'}).`,
      );
      say();
      // The API's share measured directly, without the network or the database.
      const capture = await measureCapture();
      say(
        `Capturing one request event through EventCaptureService in a tight loop (mean of 100,000, written by the batcher to a counting sink every 400 events): **${capture.plain.toFixed(1)} µs** for a request without fields of its own (most requests) and **${capture.withFields.toFixed(1)} µs** for one with request fields; both take the one pipeline (privacy filter, validation, UUIDv7, encoding). Inside the running server the same code takes longer, because between requests it runs cold.`,
      );
      say();
    }
    if (sections.has('ingest')) {
      await settleDatabase(db.url);
      // 2. Sustained ingest through the batcher (production settings) into PostgreSQL.
      const config = loadConfig({ DATABASE_URL: db.url, DB_POOL_SIZE: '4' });
      const prisma = new PrismaService(config);
      const batcher = new EventBatcher(new PostgresEventSink(prisma), {
        batchSize: config.events.batchSize,
        flushIntervalMs: config.events.flushIntervalMs,
        queueCap: INGEST_EVENTS,
        baseBackoffMs: 200,
        maxBackoffMs: 5000,
        isTransient: isTransientDatabaseError,
      });
      const userId = reg.user.id as string;
      const started = performance.now();
      const dbBefore = postgresCpuMs();
      for (let i = 0; i < INGEST_EVENTS; i++) {
        batcher.enqueue(
          encodeEvent({
            id: uuid7(),
            userId,
            eventType: 'page_view',
            eventSubtype: 'bench',
            sessionId: 'bench',
            eventData: { page_url: '/bench', method: 'GET', status_code: 200, duration_ms: 1.5 },
            timestamp: new Date(),
          }),
        );
        if (i % 5000 === 4999) await new Promise((r) => setImmediate(r));
      }
      await batcher.shutdown(120_000);
      const seconds = (performance.now() - started) / 1000;
      const dbUsPerEvent = ((postgresCpuMs() - dbBefore) * 1000) / INGEST_EVENTS;
      const stats = batcher.stats();
      await prisma.$disconnect();
      say(
        `## 2. Event ingest through the batcher (batch ${config.events.batchSize}, one transaction with COPY per batch)`,
      );
      say();
      say(
        `${stats.written.toLocaleString('en')} events written in ${seconds.toFixed(2)} s: **${Math.round(stats.written / seconds).toLocaleString('en')} events/s** (target ≥ 20,000), ${stats.flushes} statements, dropped ${JSON.stringify(stats.dropped)}. PostgreSQL CPU: **${dbUsPerEvent.toFixed(1)} µs per event** written. ${dbDeltaUs === undefined ? '' : `Under the load of section 1, tracking added ${dbDeltaUs.toFixed(0)} µs of PostgreSQL CPU per request (${(dbDeltaUs / dbUsPerEvent).toFixed(1)}× this); PostgreSQL's CPU per request varies across identical runs by more than either figure.`}`,
      );
      say();
    }
    if (sections.has('recommendation')) {
      await settleDatabase(db.url);
      // 3. Recommendation endpoint, a user with five weeks of history: the long-lived server reuses the
      // recommendation while the data is unchanged (the default); a second one decides afresh every time.
      const route = '/coaching/recommendation';
      const afreshServer = await startServer(db.url, { TRACKING_ENABLED: 'true', RECOMMENDATION_REUSE: 'false' });
      servers.push(afreshServer);
      const measured: { label: string; connections: number; r: Awaited<ReturnType<typeof loadWithCpu>> }[] = [];
      for (const [label, server] of [
        ['decided afresh (RECOMMENDATION_REUSE=false)', afreshServer],
        ['reused (data unchanged; the default)', on],
      ] as const) {
        await load(`${server.url}${route}`, token, 1, 2);
        for (const connections of [1, 50]) {
          measured.push({ label, connections, r: await middleOfThree(server, token, connections, route) });
        }
      }
      // The same answers for a user with years of history: their cost should follow the state's window, not the history.
      const historyToken = await userWithHistory(db.url, on.url, HISTORY_DAYS);
      for (const [label, server, connections] of [
        [`decided afresh, ${HISTORY_DAYS} days of history`, afreshServer, 1],
        [`reused, ${HISTORY_DAYS} days of history`, on, 50],
      ] as const) {
        await load(`${server.url}${route}`, historyToken, 1, 2);
        measured.push({
          label,
          connections,
          r: await middleOfThree(server, historyToken, connections, route),
        });
      }
      await stopServer(afreshServer);
      say(
        `## 3. GET /coaching/recommendation (model served; a decision reads the state from the database and writes a history row, a reuse compares the data version the auth check read with the session, no query of its own; each row the middle of three runs of ${SECONDS} s by throughput)`,
      );
      say();
      say(
        `| answer | connections | req/s | p50 ms | p99 ms | API CPU µs per request | PostgreSQL CPU µs per request |\n|---|---|---|---|---|---|---|`,
      );
      for (const { label, connections, r } of measured) {
        say(
          `| ${label} | ${connections} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.cpuPerRequest * 1000).toFixed(0)} | ${(r.dbCpuPerRequest * 1000).toFixed(0)} |`,
        );
      }
      say();
      const afresh1 = measured[0].r;
      const reused50 = measured[3].r;
      say(
        `Targets: p99 < 10 ms at one connection for a fresh decision: ${afresh1.p99 < 10 ? 'met' : 'NOT met'} (${afresh1.p99.toFixed(2)} ms); ≥ 2,560 req/s at 50 connections (issue 17: twice its 1,280): ${reused50.rps >= 2560 ? 'met' : 'NOT met'} for reuse (${reused50.rps.toFixed(0)} req/s), fresh decisions ${measured[1].r.rps.toFixed(0)} req/s. At 50 concurrent clients latency is queueing on 2 cores shared by the load generator, the API and PostgreSQL.`,
      );
      say();
    }
    if (sections.has('inference')) {
      // 4. Inference alone.
      say(`## 4. Model inference alone (onnxruntime-node, batch 1, one thread, 2,000 runs each)`);
      say();
      say(`| model | p50 µs | p99 µs |\n|---|---|---|`);
      const manifest = JSON.parse(readFileSync(path.resolve('models/manifest.json'), 'utf8'));
      for (const [name, entry] of Object.entries<any>(manifest.models)) {
        const session = await ort.InferenceSession.create(path.resolve('models', entry.file), {
          intraOpNumThreads: 1,
          interOpNumThreads: 1,
        });
        const dims = Object.values<any[]>(entry.inputs)[0].map((d) => (typeof d === 'number' ? d : 1));
        const feeds = {
          [session.inputNames[0]]: new ort.Tensor(
            'float32',
            new Float32Array(dims.reduce((a: number, b: number) => a * b, 1)).fill(0.5),
            dims,
          ),
        };
        for (let i = 0; i < 100; i++) await session.run(feeds);
        const times: number[] = [];
        for (let i = 0; i < 2000; i++) {
          const t0 = process.hrtime.bigint();
          await session.run(feeds);
          times.push(Number(process.hrtime.bigint() - t0) / 1000);
        }
        say(`| ${name} | ${pct(times, 0.5).toFixed(0)} | ${pct(times, 0.99).toFixed(0)} |`);
        await session.release();
      }
      say();
    }
    if (sections.has('request-path')) await settleDatabase(db.url);
    if (sections.has('request-path')) await requestPathSection(db.url, on, token, reg.user.id, say, servers);
    if (sections.has('orm')) await ormSection(db.url, reg.user.id, say);
    if (sections.has('metrics')) await metricsSection(db.url, on, token, say);
    say(`## Reading these numbers`);
    say();
    say(
      `- These machines are shared and the load generator, the API and PostgreSQL run on the same 2 cores: single on/off pairs in section 1 vary by ±10–15%, and separate processes running identical code differ by up to 14% in throughput (JIT and placement luck), so tracking is switched on and off within each process (an admin's run-time switch) and only medians over many pairs are reported, with their spread. Every CPU cycle PostgreSQL spends writing events is a cycle the API does not get here; with the database on its own machine only the API's share would count.`,
    );
    say(
      `- Data access (section 6): Prisma's client costs several times the API CPU of the same query as a named pg statement, and even its \`$queryRaw\` about half as much as its query builder; PostgreSQL's share is in the same table. So every domain repository (auth, financial, products, behavioural reads) runs named pg statements on the shared pool, and Prisma stays the schema and migration source of truth (docs/architecture.md, data access). Prisma 7's query-plan cache was not measured here: its CLI needs a schema engine download this offline machine cannot make.`,
    );
    say(
      `- Section 5's ceiling is a bare Fastify route doing the wallet's query and nothing else; our endpoints add the JWT check and its session query (a second round trip: the guard's), NestJS's guards, interceptors and pipes, helmet, request ids and tracking. The 1-minute load average of the machine was ${loadAtStart.toFixed(1)} when this run started and ${os.loadavg()[0].toFixed(1)} at its end, on 2 cores shared with other work: absolute req/s are far below what an idle machine serves (issue 17 measured the same bare route at 13,358 req/s), which is why every figure there is a ratio taken within one round.`,
    );
    say(
      `- Where an authenticated read's API CPU goes (node --cpu-prof on the server, GET /auth/me at 50 connections for 10 s on 2026-12-01, not run by this script; on this contended machine): 43% of the server thread's samples in writev (socket writes, inflated by descheduling on shared cores), ~7% pg (protocol, row parsing), ~8% Fastify, NestJS and rxjs, ~2% jsonwebtoken/jws, ~1.7% helmet (@fastify/helmet rebuilt helmet's middleware on every request), garbage collection ~3%; none of our own functions above 1%. Since that profile, helmet's middleware is built once (src/infra/http/security-headers.ts), a verified token's claims are remembered until it expires (the session query still runs on every request), and the request id is set by a synchronous hook. The remaining gap to the ceiling is the framework and the second round trip (the auth check).`,
    );
    say(`- Model inference is not the bottleneck: tens of microseconds per call (section 4).`);
    say();
    if (sections.size === SECTIONS.length) {
      writeFileSync(path.resolve('docs/benchmarks.md'), `${lines.join('\n')}\n`);
      console.log('\nwritten to docs/benchmarks.md');
    }
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
