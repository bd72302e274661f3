/**
 * Behavioural events benchmark (npm run bench:events).
 *
 * 1. Request overhead: the same server (dist/main.js) twice, as separate processes on
 *    127.0.0.1 — TRACKING_ENABLED=false and =true, RATE_LIMIT_PER_MINUTE=0 — hit with the
 *    same authenticated GET /auth/me by autocannon, alternating OFF/ON in ROUNDS rounds of
 *    DURATION s (order flipped each round, each run waits for a quiet machine): (a) saturated
 *    (throughput, CPU per request of the server and of PostgreSQL); (b) one connection, closed
 *    loop (latency without queueing; exact p99 from every response time).
 *    Plus the in-process CPU cost of capturing one request event (build + filter + validate + queue).
 * 2. Ingest: N events pushed straight into EventBatcher → PostgresEventSink → PostgreSQL
 *    (prebuilt records), and N through the full pipeline (privacy filter + zod
 *    validation + UUIDv7 + batcher). Events/s = N / time until the last row is written.
 *
 * Everything runs against a throwaway embedded PostgreSQL with default (durable)
 * settings. Results are printed and written to bench/results/events.json.
 * Env: BENCH_DURATION (s per run, default 5), BENCH_ROUNDS (6), BENCH_CONNECTIONS (20, saturated phase), BENCH_EVENTS (200000).
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { EventBatcher } from '../src/behavioral/event-batcher';
import { EventPipeline } from '../src/behavioral/event-pipeline';
import { buildRequestEvent } from '../src/behavioral/request-event';
import type { BehavioralEventRecord } from '../src/behavioral/event-validator';
import { classifyDatabaseError, PostgresEventSink } from '../src/behavioral/postgres-event-sink';
import { uuid7 } from '../src/behavioral/uuid7';
import { loadConfig } from '../src/infra/config/app-config';
import { startEmbeddedPostgres } from '../src/infra/database/embedded-postgres';
import { runMigrations } from '../src/infra/database/migrate';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const SATURATING = Number(process.env.BENCH_CONNECTIONS ?? 20);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const ROOT = path.resolve(__dirname, '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Server {
  url: string;
  child: ChildProcess;
}

async function startServer(databaseUrl: string, tracking: boolean): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      JWT_SECRET_KEY: 'bench-secret-bench-secret-0123456789',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SEED_ON_START: 'false',
      SCHEDULER_ENABLED: 'false',
      RATE_LIMIT_PER_MINUTE: '0',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
      PASSWORD_HASH_COST: '12',
      TRACKING_ENABLED: String(tracking),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`server exited with ${code ?? signal}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
  });
  child.stdout!.resume();
  // A server that dies mid-run would turn every later run into connection errors: stop loudly instead.
  child.once('exit', (code, signal) => {
    if (!stopping.has(child)) {
      console.error(`server (tracking ${tracking}) exited during the benchmark: ${code ?? signal}`);
      process.exit(2);
    }
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

const stopping = new Set<ChildProcess>();

async function stopServer(child: ChildProcess): Promise<void> {
  stopping.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** CPU time (user + system, ms) a process has used, from /proc/<pid>/stat. */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0; // exited meanwhile
  }
}

/** CPU time per PostgreSQL process (the event INSERTs run there, not in Node). */
function postgresCpu(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') byPid.set(Number(entry), cpuMsOf(Number(entry)));
    } catch {
      /* gone */
    }
  }
  return byPid;
}

/** CPU PostgreSQL used since `before`, per process (a process that exited meanwhile is not counted). */
function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of postgresCpu()) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Share of the machine busy over `ms` (from /proc/stat): other worktrees' builds and tests share these cores. */
async function machineBusy(ms = 500): Promise<number> {
  const read = () => {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + cpu[4];
    return { idle, total: cpu.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

/** Waits (up to 20 s) until the machine is quiet, so a run is not measured against someone's build. */
async function waitQuiet(): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 20_000 && (await machineBusy()) > 0.15) {
    /* keep sampling */
  }
  return Date.now() - started;
}

interface Run {
  rps: number;
  /** Server process CPU per request, and PostgreSQL's (all backends) per request. */
  node_cpu_ms_per_req: number;
  pg_cpu_ms_per_req: number;
  /** Machine busy share while the run was measured (100% = both cores). */
  busy_pct?: number;
  /** Exact percentiles from every response time (autocannon's own histogram rounds to whole ms). */
  p50: number;
  p99: number;
  mean: number;
  errors: number;
  non2xx: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function hammer(server: Server, token: string, duration: number, load: { connections: number; overallRate?: number }): Promise<Run> {
  const times: number[] = [];
  const url = server.url;
  const nodeBefore = cpuMsOf(server.child.pid!);
  const pgBefore = postgresCpu();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: `${url}/auth/me`, duration, ...load, headers: { authorization: `Bearer ${token}`, 'x-session-id': 'bench-session' } },
      (error, r) => {
        if (error) return reject(error);
        times.sort((a, b) => a - b);
        const mean = times.reduce((a, b) => a + b, 0) / times.length;
        const n = Math.max(1, times.length);
        resolve({
          rps: r.requests.average,
          node_cpu_ms_per_req: round3((cpuMsOf(server.child.pid!) - nodeBefore) / n),
          pg_cpu_ms_per_req: round3(postgresCpuSince(pgBefore) / n),
          p50: round2(percentile(times, 50)), p99: round2(percentile(times, 99)), mean: round2(mean), errors: r.errors, non2xx: r.non2xx });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => times.push(ms));
  });
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

type Mode = 'off' | 'on';

/** Alternating OFF/ON runs (order flipped each round, so drift favours neither); per-round ON/OFF pairs. */
async function alternate(servers: Record<Mode, Server>, token: string, label: string, load: { connections: number; overallRate?: number }) {
  const runs: Record<Mode, Run[]> = { off: [], on: [] };
  let waitedMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const order: Mode[] = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const mode of order) {
      waitedMs += await waitQuiet();
      const run = await hammer(servers[mode], token, DURATION, load);
      runs[mode].push(run);
      console.log(
        `  ${label} round ${round + 1} tracking ${mode.padEnd(3)}: ${run.rps.toFixed(0)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  mean ${run.mean} ms  ` +
          `cpu/req node ${run.node_cpu_ms_per_req} ms pg ${run.pg_cpu_ms_per_req} ms  errors ${run.errors} non2xx ${run.non2xx}`,
      );
    }
  }
  const cpu = (mode: Mode, key: 'node_cpu_ms_per_req' | 'pg_cpu_ms_per_req') => round3(median(runs[mode].map((r) => r[key])));
  return {
    runs,
    median_rps: { off: Math.round(median(runs.off.map((r) => r.rps))), on: Math.round(median(runs.on.map((r) => r.rps))) },
    median_p99_ms: { off: median(runs.off.map((r) => r.p99)), on: median(runs.on.map((r) => r.p99)) },
    /** Median over rounds of (1 − ON/OFF) within the round. */
    throughput_cost_pct: round2(median(runs.on.map((r, i) => (1 - r.rps / runs.off[i].rps) * 100))),
    /** Median over rounds of (ON p99 − OFF p99) within the round. */
    p99_diff_ms: round2(median(runs.on.map((r, i) => r.p99 - runs.off[i].p99))),
    mean_diff_ms: round2(median(runs.on.map((r, i) => r.mean - runs.off[i].mean))),
    /** Median CPU per request; the cost of tracking that contention cannot blur. */
    cpu_ms_per_req: {
      node: { off: cpu('off', 'node_cpu_ms_per_req'), on: cpu('on', 'node_cpu_ms_per_req') },
      postgres: { off: cpu('off', 'pg_cpu_ms_per_req'), on: cpu('on', 'pg_cpu_ms_per_req') },
    },
    cpu_cost_pct: round2(
      (100 * (cpu('on', 'node_cpu_ms_per_req') + cpu('on', 'pg_cpu_ms_per_req') - cpu('off', 'node_cpu_ms_per_req') - cpu('off', 'pg_cpu_ms_per_req'))) /
        (cpu('off', 'node_cpu_ms_per_req') + cpu('off', 'pg_cpu_ms_per_req')),
    ),
    waited_for_quiet_ms: waitedMs,
  };
}

function record(userId: string, i: number): BehavioralEventRecord {
  return {
    id: uuid7(),
    userId,
    eventType: 'page_view',
    eventSubtype: 'wallet_view',
    sessionId: 'bench-session',
    json: `{"route":"/financial/wallet","method":"GET","status_code":200,"outcome":"success","duration_ms":1.23,"interaction_type":"view","i":${i}}`,
    timestamp: new Date(),
    critical: false,
  };
}

/** Pushes `n` events as fast as the queue allows; resolves with events/s written. */
async function ingest(n: number, enqueue: (i: number) => boolean, batcher: EventBatcher, cap: number): Promise<number> {
  const started = performance.now();
  let i = 0;
  while (i < n) {
    // Producer faster than the database: stay just under the cap (nothing dropped), let the flusher run.
    while (i < n && batcher.depth < cap - 1000) {
      if (!enqueue(i)) throw new Error(`event ${i} refused`);
      i++;
    }
    await new Promise((r) => setImmediate(r));
  }
  if (!(await batcher.flush(120_000))) throw new Error('flush did not finish');
  const seconds = (performance.now() - started) / 1000;
  const s = batcher.stats();
  if (s.written < n) throw new Error(`only ${s.written}/${n} written`);
  return n / seconds;
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'fincoach-bench-'));
  chmodSync(root, 0o755);
  const db = await startEmbeddedPostgres({ dir: path.join(root, 'pg'), port: await freePort(), database: 'fincoach_bench', persistent: false });
  const servers: ChildProcess[] = [];
  try {
    await runMigrations(db.url);
    console.log('building dist/ …');
    // Non-incremental: a stale .tsbuildinfo would make tsc skip files missing from dist/.
    execSync('npx prisma generate && npx tsc -p tsconfig.build.json --incremental false', { cwd: ROOT, stdio: 'ignore' });

    // ── 1. request overhead ─────────────────────────────────────────────
    const off = await startServer(db.url, false);
    const on = await startServer(db.url, true);
    servers.push(off.child, on.child);
    const reg = await fetch(`${off.url}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `bench-${Date.now()}@example.com`, password: 'BenchPass123', first_name: 'Bench', last_name: 'User' }),
    });
    const { access_token: token, user } = (await reg.json()) as { access_token: string; user: { id: string } };

    const both = { off, on };
    console.log(`warm-up 5 s each; then ${ROUNDS} alternating rounds × ${DURATION} s per mode, GET /auth/me`);
    await waitQuiet();
    await hammer(off, token, 5, { connections: SATURATING });
    await hammer(on, token, 5, { connections: SATURATING });
    console.log(`(a) throughput, saturated: ${SATURATING} connections`);
    const saturated = await alternate(both, token, 'saturated', { connections: SATURATING });
    // Latency without queueing: one connection, one request at a time (the tracking work
    // that runs after a response is written delays the next request only if it is slow).
    console.log('(b) latency, unloaded: 1 connection, closed loop');
    const fixed = await alternate(both, token, 'one-connection', { connections: 1 });
    await stopServer(on.child); // graceful: flushes its queue
    await stopServer(off.child);
    servers.length = 0;

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM behavioral_events WHERE user_id = $1', [user.id]);
    await client.query('DELETE FROM behavioral_events');

    // ── 2. ingest throughput ───────────────────────────────────────────
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url });
    const cap = config.events.queueCap;
    const sinkA = new PostgresEventSink(db.url);
    const batcher = new EventBatcher(sinkA, { batchSize: config.events.batchSize, flushIntervalMs: config.events.flushIntervalMs, queueCap: cap, baseBackoffMs: 100, maxBackoffMs: 5000, classify: classifyDatabaseError });
    batcher.start();
    await waitQuiet();
    const rawRate = await ingest(EVENTS, (i) => batcher.enqueue(record(user.id, i)), batcher, cap);
    await batcher.stop(10_000);
    await sinkA.close();

    const sinkB = new PostgresEventSink(db.url);
    const pipeline = new EventPipeline(config, sinkB);
    pipeline.onModuleInit();
    const data = (i: number) => ({ route: '/financial/transactions', method: 'POST', status_code: 201, outcome: 'success', duration_ms: 2.5, amount_bucket: '10-50', direction: 'debit', category: 'groceries', interaction_type: 'create', i });
    await waitQuiet();
    const fullRate = await ingest(EVENTS, (i) => pipeline.submit({ userId: user.id, eventType: 'transaction_creation', eventSubtype: 'transaction_create', sessionId: 'bench', data: data(i) }), pipeline.batcher, cap);
    await pipeline.onApplicationShutdown();
    // In-process cost of capturing one request event, the only work tracking adds to a request's
    // event loop (the flush's statement building is amortised per batch and measured in the ingest above).
    const noop = new EventPipeline(loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, EVENTS_QUEUE_CAP: '10000000', EVENTS_BATCH_SIZE: '50000', EVENTS_FLUSH_INTERVAL_MS: '60000' }), {
      write: async (rows) => rows.length,
    });
    const view = { method: 'GET', route: '/financial/transactions', statusCode: 200, durationMs: 2.345, params: {}, query: { limit: '20', category: 'groceries' } };
    for (let i = 0; i < 20_000; i++) noop.submit(buildRequestEvent(view, user.id, 'bench-session'));
    const captures = 200_000;
    const t0 = performance.now();
    for (let i = 0; i < captures; i++) noop.submit(buildRequestEvent(view, user.id, 'bench-session'));
    const captureUs = ((performance.now() - t0) * 1000) / captures;
    await noop.onApplicationShutdown();

    const { rows: written } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM behavioral_events');
    await client.end();

    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      http: {
        endpoint: 'GET /auth/me',
        duration_s: DURATION,
        rounds: ROUNDS,
        saturated: { connections: SATURATING, ...saturated },
        one_connection: { connections: 1, ...fixed },
        events_written_by_tracking_server: rows[0].n,
      },
      ingest: {
        events: EVENTS,
        batch_size: config.events.batchSize,
        queue_cap: cap,
        batcher_events_per_s: Math.round(rawRate),
        full_pipeline_events_per_s: Math.round(fullRate),
        rows_in_table_after_full_pipeline: written[0].n,
      },
      capture_cpu_us_per_request_event: round2(captureUs),
    };
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/events.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log('\n── results ──');
    console.log(`saturated: tracking OFF ${saturated.median_rps.off} req/s, ON ${saturated.median_rps.on} req/s (medians); median per-round throughput cost ${saturated.throughput_cost_pct}% (target < 5%)`);
    console.log(`1 connection: p99 OFF ${fixed.median_p99_ms.off} ms, ON ${fixed.median_p99_ms.on} ms; median per-round p99 diff ${fixed.p99_diff_ms} ms (target < 1 ms), mean diff ${fixed.mean_diff_ms} ms`);
    console.log(`saturated p99 diff (queueing-dominated) ${saturated.p99_diff_ms} ms`);
    console.log(
      `CPU per request (saturated, medians): node OFF ${saturated.cpu_ms_per_req.node.off} ms ON ${saturated.cpu_ms_per_req.node.on} ms; ` +
        `postgres OFF ${saturated.cpu_ms_per_req.postgres.off} ms ON ${saturated.cpu_ms_per_req.postgres.on} ms → CPU cost ${saturated.cpu_cost_pct}%`,
    );
    console.log(`events recorded by the tracking server: ${rows[0].n}`);
    console.log(`capture CPU per request event (build + privacy filter + zod + UUIDv7 + enqueue): ${result.capture_cpu_us_per_request_event} µs`);
    console.log(`ingest: batcher ${result.ingest.batcher_events_per_s} events/s, full pipeline ${result.ingest.full_pipeline_events_per_s} events/s (target ≥ 20,000), batch ${result.ingest.batch_size}`);
  } finally {
    for (const child of servers) {
      stopping.add(child);
      child.kill('SIGKILL');
    }
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
