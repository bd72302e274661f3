import { EventCaptureService } from '../../src/behavioral/event-capture.service';
import { startKillablePostgres, type KillablePostgres } from '../helpers/killable-postgres';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/test-app';

/**
 * The database killed (SIGKILL: a crash, no shutdown) and restarted under load: while it is down
 * the API answers 503 with its JSON error body and no internals, it recovers without a restart of
 * its own, and every behavioural event it accepted below the queue cap is stored once the
 * database is back; events beyond the cap are refused and counted, never held.
 */
const QUEUE_CAP = 2000;
const WORKERS = 8;

interface Outcome {
  /** As of the request's start; 'restarting' while the server starts again (either answer is right then). */
  phase: 'up' | 'down' | 'restarting' | 'restarted';
  route: string;
  status: number;
  body: string;
  contentType: string;
}

describe('the database killed and restarted under load (e2e)', () => {
  let db: KillablePostgres;
  let t: TestApp;
  let base: string;
  let users: TestUser[];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    db = await startKillablePostgres();
    t = await createTestApp({
      DATABASE_URL: db.url,
      EVENTS_QUEUE_CAP: String(QUEUE_CAP),
      EVENTS_FLUSH_INTERVAL_MS: '100',
      DB_CONNECT_TIMEOUT_MS: '2000',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = await t.app.getUrl();
    users = [];
    for (let i = 0; i < 4; i++) users.push(await registerUser(t));
  });

  afterAll(async () => {
    await t?.close();
    await db?.stop();
    process.off('unhandledRejection', onUnhandled);
  });

  it('answers 503 while down, recovers by itself and stores every accepted event', async () => {
    const capture = t.app.get(EventCaptureService);
    const outcomes: Outcome[] = [];
    let phase: Outcome['phase'] = 'up';
    let running = true;
    // A mixed workload: reads, writes, a model-served recommendation, insights, the health check.
    const requests: Array<(u: TestUser, i: number) => [string, RequestInit]> = [
      (u) => ['/auth/me', { headers: u.auth }],
      (u) => ['/financial/wallet', { headers: u.auth }],
      (u) => ['/financial/transactions?limit=20', { headers: u.auth }],
      (u, i) => [
        '/financial/transactions',
        {
          method: 'POST',
          headers: { ...u.auth, 'content-type': 'application/json' },
          body: JSON.stringify({
            amount: i % 2 ? 25 : -3.5,
            category: i % 2 ? 'income' : 'groceries',
            description: 'load',
          }),
        },
      ],
      (u) => ['/coaching/recommendation', { headers: u.auth }],
      (u) => ['/coaching/insights', { headers: u.auth }],
      () => ['/health', {}],
    ];
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        const startedIn = phase;
        const [route, init] = requests[(w + i) % requests.length](users[w % users.length], i);
        const res = await fetch(`${base}${route}`, init);
        const body = await res.text();
        // Phase as of the request's start: one sent while the database was up may complete after the kill.
        outcomes.push({
          phase: startedIn,
          route,
          status: res.status,
          body,
          contentType: res.headers.get('content-type') ?? '',
        });
      }
    };
    const until = async (done: () => boolean) => {
      while (!done()) await new Promise((r) => setTimeout(r, 20));
    };
    const count = (p: Outcome['phase'], ok: (s: number) => boolean) =>
      outcomes.filter((o) => o.phase === p && ok(o.status)).length;
    const load = Array.from({ length: WORKERS }, (_, w) => worker(w));

    await until(() => count('up', (s) => s < 300) >= 40);
    await db.kill();
    phase = 'down';
    // Events captured while the database is down wait in the bounded queue; past the cap they are refused.
    const attempts = QUEUE_CAP + 300;
    let accepted = 0;
    for (let i = 0; i < attempts; i++) {
      const taken = capture.capture({
        userId: users[i % users.length].id,
        type: 'page_view',
        subtype: 'fault_probe',
        data: {
          page_url: '/fault-probe',
          method: 'GET',
          status_code: 200,
          duration_ms: 1,
          interaction_type: 'request',
        },
      });
      if (taken) accepted++;
    }
    await until(() => count('down', () => true) >= 40);
    phase = 'restarting';
    await db.restart();
    phase = 'restarted';
    await until(() => count('restarted', (s) => s < 300) >= 40);
    running = false;
    await Promise.all(load);

    // Down: every request started after the kill was refused with the API's JSON error body.
    const down = outcomes.filter((o) => o.phase === 'down');
    expect(down.length).toBeGreaterThanOrEqual(40);
    expect(down.filter((o) => o.status !== 503).map((o) => `${o.route} ${o.status} ${o.body}`)).toEqual([]);
    for (const o of down) {
      expect(o.contentType).toMatch(/application\/json/);
      const body = JSON.parse(o.body) as Record<string, unknown>;
      expect(body.status_code ?? (body.database as { status?: string })?.status).toBeDefined();
      expect(o.body).not.toMatch(/stack|\n\s+at |ECONNREFUSED|postgres|Connection terminated/i);
    }
    // Never a 500, in any phase; requests in flight at the kill may fail with 503 only.
    expect(outcomes.filter((o) => o.status >= 500 && o.status !== 503).map((o) => `${o.route} ${o.status}`)).toEqual(
      [],
    );
    expect(outcomes.filter((o) => o.status < 200 || (o.status >= 300 && o.status !== 503))).toEqual([]);
    // Recovered by itself: the same process serves every route again.
    const recoveredRoutes = new Set(
      outcomes.filter((o) => o.phase === 'restarted' && o.status < 300).map((o) => o.route),
    );
    expect(recoveredRoutes.size).toBe(requests.length);

    // The queue drains into the restarted database (its retries back off, so this may take seconds).
    await until(() => capture.depth === 0);
    const stats = capture.batcher.stats();
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(QUEUE_CAP);
    expect(stats.dropped.queue_full).toBeGreaterThanOrEqual(attempts - accepted);
    expect(stats.dropped.permanent_error).toBe(0);
    expect(stats.retried).toBeGreaterThan(0);
    const stored = await t.prisma.behavioralEvent.count({ where: { eventSubtype: 'fault_probe' } });
    expect(stored).toBe(accepted);
    // Every event the pipeline accepted, from requests and probes alike, is in the database exactly once.
    expect(await t.prisma.behavioralEvent.count()).toBe(stats.enqueued);
    expect(unhandled).toEqual([]);
  }, 180_000);
});
