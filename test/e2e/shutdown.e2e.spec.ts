import { randomUUID } from 'node:crypto';

import { Client } from 'pg';

import { createScratchDatabase, startServerProcess, type ServerProcess } from '../helpers/server-process';

jest.setTimeout(180_000);

/**
 * SIGTERM under load against the real server process: every request it answered 2xx must have its
 * behavioural event stored, /health must say "draining" first, and the process must exit 0.
 */
describe('graceful stop under load (e2e, real server process)', () => {
  let server: ServerProcess | undefined;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createScratchDatabase('fincoach_shutdown');
    server = await startServerProcess({
      DATABASE_URL: databaseUrl,
      // Events stay queued until the stop unless a batch fills: the final flush must write them.
      EVENTS_FLUSH_INTERVAL_MS: '60000',
      SHUTDOWN_DRAIN_DELAY_MS: '700',
    });
  });
  afterAll(() => server?.kill());

  it('finishes accepted requests and stores every one of their events', async () => {
    const s = server!;
    const email = `drain-${randomUUID().slice(0, 8)}@example.com`;
    const reg = await fetch(`${s.baseUrl}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'TestPass123', first_name: 'D', last_name: 'R' }),
    });
    expect(reg.status).toBe(201);
    const token = ((await reg.json()) as { access_token: string }).access_token;

    const accepted: string[] = [];
    const refused: number[] = [];
    let stopSending = false;
    const worker = async () => {
      while (!stopSending) {
        const session = randomUUID().replace(/-/g, '');
        try {
          const res = await fetch(`${s.baseUrl}/auth/me`, {
            headers: { authorization: `Bearer ${token}`, 'x-session-id': session },
          });
          await res.arrayBuffer();
          if (res.status === 200) accepted.push(session);
          else refused.push(res.status);
        } catch {
          return; // connection refused: the server stopped accepting
        }
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    while (accepted.length < 200) await new Promise((r) => setTimeout(r, 20));
    const beforeSignal = accepted.length;

    process.kill(s.child.pid!, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 150));
    const health = await fetch(`${s.baseUrl}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'draining' });

    const code = await s.exited;
    stopSending = true;
    await Promise.all(workers);
    expect({ code, output: s.output() }).toEqual({ code: 0, output: expect.stringContaining('stopped') });
    // Requests kept being served while /health said draining, then the server stopped accepting.
    expect(accepted.length).toBeGreaterThan(beforeSignal);
    expect(refused.every((status) => status === 503)).toBe(true);

    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ session_id: string }>(
        `SELECT DISTINCT session_id FROM behavioral_events WHERE session_id = ANY($1::text[])`,
        [accepted],
      );
      const stored = new Set(rows.map((r) => r.session_id));
      expect(accepted.filter((session) => !stored.has(session))).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
