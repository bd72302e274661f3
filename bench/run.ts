/**
 * FinCoach benchmarks — `npm run bench`. Everything runs on loopback against a throwaway
 * embedded PostgreSQL, bounded in time; ratios are measured within this one run.
 *   1. tracking cost: the same authenticated GET with event tracking on vs off
 *   2. event ingest: sustained events/s through the batcher into PostgreSQL
 *   3. /coaching/recommendation latency (1 connection) and throughput (50 connections)
 *   4. model inference alone (onnxruntime-node, batch 1)
 * Results are printed and written to docs/benchmarks.md.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import autocannon from 'autocannon';
import * as ort from 'onnxruntime-node';
import pg from 'pg';

import { EventBatcher } from '../src/behavioral/event-batcher';
import { EventCaptureService } from '../src/behavioral/event-capture.service';
import { encodeEvent } from '../src/behavioral/event-encoding';
import { isTransientDatabaseError, PostgresEventSink } from '../src/behavioral/postgres-event-sink';
import { uuid7 } from '../src/behavioral/uuid7';
import { loadConfig } from '../src/infra/config/app-config';
import { startThrowawayPostgres } from '../src/infra/database/throwaway-postgres';
import { PrismaService } from '../src/infra/prisma/prisma.service';

import { json, startServer, stopServer, type Server } from './server';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 5);
const PAIRS_PER_PROCESS = Number(process.env.BENCH_PAIRS_PER_PROCESS ?? 6);
const PAIRS = PROCESSES * PAIRS_PER_PROCESS;
const PAIR_SECONDS = Number(process.env.BENCH_PAIR_SECONDS ?? 3);
const CLOSED_LOOP_SECONDS = 1;
const INGEST_EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);

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
 * validation, UUIDv7, encoding) and one without (captureRequest() from its route's template).
 */
function measureCapture(): { general: number; template: number } {
  const config = loadConfig({
    DATABASE_URL: 'postgresql://unused@127.0.0.1:1/unused',
    EVENTS_QUEUE_CAP: '1000000',
    EVENTS_BATCH_SIZE: '50000',
  });
  const sink = { write: async (events: unknown[]) => events.length } as unknown as PostgresEventSink;
  const capture = new EventCaptureService(config, sink);
  const userId = '11111111-1111-4111-8111-111111111111';
  const body = { category: 'groceries', quantity: 2, password: 'never-stored' };
  const route = capture.trackedRoute('GET', '/auth/me');
  if (!route.template) throw new Error('no template for GET /auth/me');
  const timed = (one: () => void) => {
    const run = (n: number) => {
      for (let i = 0; i < n; i++) one();
      capture.processIntake();
      void capture.batcher.flush();
    };
    run(10_000);
    const started = process.hrtime.bigint();
    for (let i = 0; i < 10; i++) run(10_000);
    return Number(process.hrtime.bigint() - started) / 1e3 / 100_000;
  };
  return {
    general: timed(() =>
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
    template: timed(() => capture.captureRequest(route, 'GET', userId, null, 200, 1.23)),
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

/** A load run plus the server's CPU milliseconds per request during it: robust to machine noise. */
async function loadWithCpu(server: Server, token: string, connections: number, seconds = SECONDS) {
  const before = cpuMs(server.child.pid!);
  const dbBefore = postgresCpuMs();
  const result = await load(`${server.url}/auth/me`, token, connections, seconds);
  return {
    ...result,
    cpuPerRequest: (cpuMs(server.child.pid!) - before) / result.requests,
    dbCpuPerRequest: (postgresCpuMs() - dbBefore) / result.requests,
  };
}

/**
 * CPU ms used by all PostgreSQL processes: each live process, plus the postmaster's reaped
 * children (connections that closed), so backends that exit mid-run are still counted.
 */
function postgresCpuMs(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = procStat(pid);
      if (stat.name !== 'postgres') continue;
      total += stat.ownMs;
      if (procStat(stat.ppid).name !== 'postgres') total += stat.childrenMs;
    } catch {
      // The process exited while we read it; the postmaster's children total covers it.
    }
  }
  return total;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** The bench's admin: registered like anyone, then promoted in the database (as an operator would). */
async function promoteToAdmin(databaseUrl: string, userId: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [userId]);
  } finally {
    await client.end();
  }
}

async function switchTracking(url: string, adminToken: string, enabled: boolean): Promise<void> {
  await json(`${url}/admin/tracking`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ enabled }),
  });
}

/** Waits until the server's event pipeline has written everything it captured. */
async function drained(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const health = await json(`${url}/coaching/enhanced-health`);
    if (health.behavioral_service?.queue_depth === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('event pipeline did not drain in 10 s');
}

/** Which side of an on/off pair runs first: flipped every pair, so drift hits both sides alike. */
const pairOrder = (pair: number) => (pair % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const));
const pct = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function main(): Promise<void> {
  const lines: string[] = [];
  const say = (line = '') => {
    console.log(line);
    lines.push(line);
  };
  console.log('starting a throwaway PostgreSQL …');
  const db = await startThrowawayPostgres('fincoach_bench');
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

    say(`# Benchmarks`);
    say();
    say(
      `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), Node ${process.version}, embedded PostgreSQL (fsync off), loopback only. The load generator (autocannon) runs in a separate process from the API.`,
    );
    say();

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
          if (k === 'off') await drained(server.url);
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
    const dbDeltaUs = pairedDeltaUs((x) => x.dbCpuPerRequest);
    say(
      `Throughput on/off, median of the ${PAIRS} pair ratios: **${ratio.toFixed(3)}** — tracking costs **${((1 - ratio) * 100).toFixed(1)}%** at saturation (target < 5%: ${1 - ratio < 0.05 ? 'met' : '**not met**'}); middle half of the pairs ${pct(ratios, 0.25).toFixed(3)}–${pct(ratios, 0.75).toFixed(3)}, all ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}. Medians per column above; API and PostgreSQL CPU from /proc (all PostgreSQL processes, exited ones included). Median of the pairs' CPU differences (on − off) per request: API **${apiDeltaUs >= 0 ? '+' : ''}${apiDeltaUs.toFixed(0)} µs**, PostgreSQL **${dbDeltaUs >= 0 ? '+' : ''}${dbDeltaUs.toFixed(0)} µs**.`,
    );
    say();
    const p99Diff = median(closedLoop.map((x) => x.on - x.off));
    say(
      `One connection, closed loop (no queueing; requests timed with hrtime), ${CLOSED_LOOP_SECONDS} s per side in each of the ${PAIRS} pairs: p99 **${median(closedLoop.map((x) => x.off)).toFixed(2)} ms** off vs **${median(closedLoop.map((x) => x.on)).toFixed(2)} ms** on — median difference **${p99Diff.toFixed(2)} ms** (target < 1 ms: ${p99Diff < 1 ? 'met' : '**not met**'}).`,
    );
    say();
    // The API's share measured directly, without the network or the database.
    const capture = measureCapture();
    say(
      `Capturing one request event through EventCaptureService in a tight loop (mean of 100,000): **${capture.template.toFixed(1)} µs** for a request without fields of its own, encoded from its route's template (most requests), and **${capture.general.toFixed(1)} µs** for one with request fields (privacy filter, validation and encoding per event). Inside the running server the same code takes several times as long, because between requests it runs cold (hrtime probes at 1,000 req/s on 2026-11-25, not run by this script: 3.5 µs in the response hook and 3.3 µs in the intake per request event, down from 5.1 and 8.7 µs before the templates and the 100 ms intake).`,
    );
    say();

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
      `${stats.written.toLocaleString('en')} events written in ${seconds.toFixed(2)} s: **${Math.round(stats.written / seconds).toLocaleString('en')} events/s** (target ≥ 20,000), ${stats.flushes} statements, dropped ${JSON.stringify(stats.dropped)}. PostgreSQL CPU: **${dbUsPerEvent.toFixed(1)} µs per event** written. Under the load of section 1, tracking added ${dbDeltaUs.toFixed(0)} µs of PostgreSQL CPU per request (${(dbDeltaUs / dbUsPerEvent).toFixed(1)}× this); measured per backend at 1,500 req/s (scratch probe, 2026-11-25), the connection writing the events used 7.7 µs per event there too, so the rest is in the backends answering the requests — whose CPU per request also varied between 110 and 153 µs across identical runs; how much of it tracking causes (interference, slower wake-ups while the API is busier) is not settled.`,
    );
    say();

    // 3. Recommendation endpoint: a user with five weeks of history.
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
    await load(`${on.url}/coaching/recommendation`, token, 1, 2);
    const single = await load(`${on.url}/coaching/recommendation`, token, 1, SECONDS * 2);
    const fifty = await load(`${on.url}/coaching/recommendation`, token, 50, SECONDS * 2);
    say(
      `## 3. GET /coaching/recommendation (model served; features from the database on every call, a history row written per call)`,
    );
    say();
    say(`| connections | req/s | p50 ms | p99 ms |\n|---|---|---|---|`);
    say(`| 1 | ${single.rps.toFixed(0)} | ${single.p50.toFixed(2)} | ${single.p99.toFixed(2)} |`);
    say(`| 50 | ${fifty.rps.toFixed(0)} | ${fifty.p50.toFixed(2)} | ${fifty.p99.toFixed(2)} |`);
    say();
    say(
      `Target p99 < 10 ms on a cache miss: ${single.p99 < 10 ? 'met' : 'NOT met'} with one client (p99 ${single.p99.toFixed(2)} ms). At 50 concurrent clients latency is queueing: 50 / ${fifty.rps.toFixed(0)} req/s ≈ ${((50 / fifty.rps) * 1000).toFixed(1)} ms per request on 2 cores.`,
    );
    say();

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
    say(`## Reading these numbers`);
    say();
    say(
      `- These machines are shared and the load generator, the API and PostgreSQL run on the same 2 cores: single on/off pairs in section 1 vary by ±10–15%, and separate processes running identical code differ by up to 14% in throughput (JIT and placement luck), so tracking is switched on and off within each process (an admin's run-time switch) and only medians over many pairs are reported, with their spread. Every CPU cycle PostgreSQL spends writing events is a cycle the API does not get here; with the database on its own machine only the API's share would count.`,
    );
    say(
      `- Most of a request's CPU is database access through Prisma: its offline-capable client (wasm query compiler) costs 1.5–3 ms per query against ~0.3 ms for the same query on pg. The hot paths (auth check, coaching state, recommendation insert, event batches) therefore use the shared pg pool directly; the rest still goes through Prisma.`,
    );
    say(`- Model inference is not the bottleneck: tens of microseconds per call (section 4).`);
    say();
    writeFileSync(path.resolve('docs/benchmarks.md'), `${lines.join('\n')}\n`);
    console.log('\nwritten to docs/benchmarks.md');
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
