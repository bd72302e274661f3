import { Client } from 'pg';

import { AuthService } from '../../src/auth/auth.service';
import { EventCaptureService } from '../../src/behavioral/event-capture.service';
import { encodeEvent } from '../../src/behavioral/event-encoding';
import { PostgresEventSink, writeEventRows } from '../../src/behavioral/postgres-event-sink';
import { uuid7 } from '../../src/behavioral/uuid7';
import { runMigrations } from '../../src/infra/database/migrate';
import { rateRecommendation } from '../helpers/coaching';
import { createTestApp, registerAdmin, registerUser, type TestApp } from '../helpers/test-app';
import { postTransaction } from '../helpers/transactions';

/** Writes whatever the batcher holds (the interval is long in these tests, so flushes are explicit). */
async function flush(t: TestApp) {
  await t.app.get(EventCaptureService).flush();
}

describe('behavioural events (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ EVENTS_FLUSH_INTERVAL_MS: '60000' });
  });
  afterAll(async () => t.close());

  it('records tracked requests by route pattern, with session, status and duration', async () => {
    const user = await registerUser(t);
    await t.http().get('/auth/me').set(user.auth).set('x-session-id', 'sess-123').expect(200);
    await t.http().get('/financial/transaction/00000000-0000-4000-8000-000000000000').set(user.auth).expect(404);
    await t.http().get('/health').set(user.auth).expect(200);
    await flush(t);
    const events = await t.prisma.behavioralEvent.findMany({
      where: { userId: user.id },
      orderBy: { timestamp: 'asc' },
    });
    const pages = events.map((e) => (e.eventData as { page_url: string }).page_url);
    expect(pages).toEqual(['/auth/me', '/financial/transaction/:id']);
    expect(events[0]).toMatchObject({ eventType: 'page_view', sessionId: 'sess-123' });
    expect(events[1].eventData).toMatchObject({ status_code: 404, method: 'GET', duration_ms: expect.any(Number) });
    expect((events[1].eventData as { duration_ms: number }).duration_ms).toBeGreaterThan(0); // the request's time until its response was sent
    // Never the raw URL with ids.
    expect(JSON.stringify(events)).not.toContain('00000000-0000-4000-8000-000000000000');
  });

  it('leaves no trace of a password sent in a request body', async () => {
    const user = await registerUser(t);
    await t
      .http()
      .put('/auth/profile')
      .set(user.auth)
      .send({ risk_tolerance: 'low', password: 'SuperSecret-Pw-42', nested: { api_token: 'tok-abc-999' } })
      .expect(200);
    await flush(t);
    const rows = await t.prisma.$queryRaw<
      Array<{ dump: string }>
    >`SELECT event_data::text AS dump FROM behavioral_events WHERE user_id = ${user.id}::uuid`;
    expect(rows.length).toBeGreaterThan(0);
    const all = rows.map((r) => r.dump).join('\n');
    expect(all).not.toContain('SuperSecret-Pw-42');
    expect(all).not.toContain('tok-abc-999');
    expect(all).toContain('risk_tolerance');
  });

  it('records domain events from services and serves the analytics endpoints', async () => {
    const user = await registerUser(t);
    await postTransaction(t, user, { amount: -42.5, category: 'groceries', description: 'Weekly shop' });
    await rateRecommendation(t, user);
    await flush(t);
    const insights = await t.http().get('/coaching/behavioral-insights').set(user.auth).expect(200);
    const counts = insights.body.behavior_data.event_counts;
    expect(counts).toMatchObject({ transaction_creation: 1, recommendation_interaction: 2 });
    expect(counts.page_view).toBeGreaterThanOrEqual(3);
    expect(insights.body.behavior_data.interaction_patterns.recommendation_interaction).toEqual({
      view: 1,
      helpful: 1,
    });
    expect(insights.body.behavior_data.engagement_score).toBeGreaterThan(0.2);
    expect(insights.body.behavior_changes).toEqual([]);

    const events = await t
      .http()
      .get('/coaching/behavioral-events?days=7&event_type=transaction_creation&limit=5')
      .set(user.auth)
      .expect(200);
    expect(events.body.event_counts).toEqual({ transaction_creation: 1 });
    expect(events.body.recent_events.events[0].event_data).toMatchObject({
      amount_bucket: '10-50',
      category: 'groceries',
    });
    await t.http().get('/coaching/behavioral-events?days=0').set(user.auth).expect(422);

    const changes = await t.http().get('/coaching/behavior-changes').set(user.auth).expect(200);
    expect(changes.body).toMatchObject({ user_id: user.id, change_count: 0 });
  });

  it('never shows another user’s events', async () => {
    const a = await registerUser(t);
    const b = await registerUser(t);
    await t.http().get('/auth/me').set(a.auth).expect(200);
    await flush(t);
    const res = await t.http().get('/coaching/behavioral-events?days=30').set(b.auth).expect(200);
    expect(res.body.total_events).toBe(0);
    expect(res.body.recent_events.events).toEqual([]);
  });

  it('tracks an interaction with one of the user’s own transactions only', async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);
    const tx = await postTransaction(t, user, { amount: 100, category: 'income', description: 'Gift' });
    const ok = await t
      .http()
      .post(`/financial/track-transaction-event?transaction_id=${tx.body.id}&event_type=analyze`)
      .set(user.auth)
      .expect(200);
    expect(ok.body).toMatchObject({ transaction_id: tx.body.id, event_type: 'analyze' });
    await t
      .http()
      .post(`/financial/track-transaction-event?transaction_id=${tx.body.id}&event_type=analyze`)
      .set(other.auth)
      .expect(404);
    const bad = await t
      .http()
      .post(`/financial/track-transaction-event?transaction_id=nope&event_type=bogus`)
      .set(user.auth)
      .expect(422);
    expect(bad.body.detail.map((d: { loc: string[] }) => d.loc[1]).sort()).toEqual(['event_type', 'transaction_id']);
  });

  describe('account deletion (behavioral_events has no foreign key)', () => {
    const events = (userId: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: uuid7(),
        userId,
        eventType: 'page_view' as const,
        eventSubtype: 'race',
        sessionId: null,
        eventData: { page_url: '/x', i },
        timestamp: new Date(),
      }));
    const countFor = (userId: string) => t.prisma.behavioralEvent.count({ where: { userId } });

    it('deletes the account’s events, and events still queued for it are never written', async () => {
      const user = await registerUser(t);
      await t.http().get('/auth/me').set(user.auth).expect(200);
      await flush(t);
      expect(await countFor(user.id)).toBeGreaterThan(0);
      await t.http().get('/financial/wallet').set(user.auth).expect(200); // captured, not yet written
      const capture = t.app.get(EventCaptureService);
      capture.capture({ userId: user.id, type: 'page_view', data: { page_url: '/late' } });
      await t.http().delete('/auth/account').set(user.auth).send({ password: user.password }).expect(200);
      await flush(t);
      expect(capture.depth).toBe(0);
      expect(await countFor(user.id)).toBe(0);
    });

    it('a batch committing while the account is deleted leaves no orphan rows, in either order', async () => {
      const auth = t.app.get(AuthService);
      const db = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await db.connect();
      try {
        // The batch locks the user first: the deletion waits for it, then removes its rows.
        const first = await registerUser(t);
        await db.query('BEGIN');
        expect(
          await writeEventRows(
            db,
            events(first.id, 20).map((e) => encodeEvent(e)),
            false,
          ),
        ).toBe(20);
        const deletion = auth.deleteAccount(first.id);
        await new Promise((r) => setTimeout(r, 200));
        await db.query('COMMIT');
        await deletion;
        expect(await countFor(first.id)).toBe(0);

        // The deletion locks the user first: the batch waits for it, then finds the user gone.
        const second = await registerUser(t);
        await db.query('BEGIN');
        await db.query('DELETE FROM users WHERE id = $1', [second.id]);
        const batch = t.app.get(PostgresEventSink).write(
          events(second.id, 20).map((e) => encodeEvent(e)),
          false,
        );
        await new Promise((r) => setTimeout(r, 200));
        await db.query('DELETE FROM behavioral_events WHERE user_id = $1', [second.id]);
        await db.query('COMMIT');
        expect(await batch).toBe(0);
        expect(await countFor(second.id)).toBe(0);
      } finally {
        await db.query('ROLLBACK').catch(() => undefined);
        await db.end();
      }
    });
  });

  it('writes critical events at once and the rest at the flush interval, without an explicit flush', async () => {
    const fast = await createTestApp({ EVENTS_FLUSH_INTERVAL_MS: '300' });
    try {
      const user = await registerUser(fast);
      const capture = fast.app.get(EventCaptureService);
      await capture.flush();
      const count = (type: string) =>
        fast.prisma.behavioralEvent.count({ where: { userId: user.id, eventType: type } });
      capture.capture({ userId: user.id, type: 'page_view', data: { page_url: '/later' } });
      capture.purchase(user.id, { productId: '00000000-0000-4000-8000-000000000001', quantity: 1, total: 12 });
      await new Promise((r) => setTimeout(r, 100));
      expect(await count('purchase')).toBe(1); // critical: intake and queue are skipped through at once
      for (let i = 0; i < 30 && (await count('page_view')) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await count('page_view')).toBe(1);
      expect(capture.depth).toBe(0);
    } finally {
      await fast.close();
    }
  });

  it('stores the capture time to the millisecond', async () => {
    const user = await registerUser(t);
    const capture = t.app.get(EventCaptureService);
    const at = new Date('2026-01-02T03:04:05.678Z');
    capture.capture({ userId: user.id, type: 'page_view', subtype: 'clock', data: { page_url: '/clock' }, at });
    await capture.flush();
    const stored = await t.prisma.behavioralEvent.findFirstOrThrow({
      where: { userId: user.id, eventSubtype: 'clock' },
    });
    expect(stored.timestamp.toISOString()).toBe(at.toISOString());
  });

  it('stores awkward payloads exactly: quotes, backslashes, tabs, line breaks, non-Latin text', async () => {
    const user = await registerUser(t);
    const capture = t.app.get(EventCaptureService);
    const data = { page_url: '/x', note: 'say "hi"\n\tthen \\o/ — ünïcödé 💶', list: ['a\\b', 'c\td'] };
    // PostgreSQL refuses these two: the privacy filter makes them storable instead of losing the event.
    capture.capture({
      userId: user.id,
      type: 'page_view',
      subtype: 'tab\there',
      data: { ...data, nul: 'a\u0000b', half: 'x\ud83d' },
    });
    await capture.flush();
    const stored = await t.prisma.behavioralEvent.findFirstOrThrow({ where: { userId: user.id } });
    expect(stored.eventData).toEqual({ ...data, nul: 'ab', half: 'x\ufffd' });
    expect(stored.eventSubtype).toBe('tab\there');
  });

  it('a batch that committed but was reported as failed is retried without writing anything twice', async () => {
    const user = await registerUser(t);
    const sink = t.app.get(PostgresEventSink);
    const capture = t.app.get(EventCaptureService);
    const real = sink.write.bind(sink);
    let lostAcknowledgements = 0;
    // The commit goes through, then the connection dies before the acknowledgement arrives.
    sink.write = async (events, retry) => {
      const written = await real(events, retry);
      if (lostAcknowledgements++ === 0)
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' });
      return written;
    };
    try {
      const before = capture.stats() as { dropped: { permanent_error: number } };
      for (let i = 0; i < 7; i++)
        capture.capture({ userId: user.id, type: 'page_view', subtype: 'ambiguous', data: { page_url: '/x', i } });
      await capture.flush(); // written, but reported as failed: stays queued
      expect(capture.depth).toBe(7);
      // More events arrive meanwhile: the retried batch is the 7 already written plus 3 new ones.
      for (let i = 7; i < 10; i++)
        capture.capture({ userId: user.id, type: 'page_view', subtype: 'ambiguous', data: { page_url: '/x', i } });
      for (let i = 0; i < 40 && capture.depth > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        await capture.flush();
      }
      expect(capture.depth).toBe(0);
      expect(await t.prisma.behavioralEvent.count({ where: { userId: user.id, eventSubtype: 'ambiguous' } })).toBe(10);
      const after = capture.stats() as { dropped: { permanent_error: number } };
      expect(after.dropped.permanent_error).toBe(before.dropped.permanent_error); // nothing mistaken for bad data
    } finally {
      sink.write = real;
    }
  });

  it('an event the database refuses costs only itself: the rest of its batch is written', async () => {
    const user = await registerUser(t);
    const capture = t.app.get(EventCaptureService);
    const before = capture.stats() as { dropped: { permanent_error: number } };
    for (let i = 0; i < 9; i++)
      capture.capture({ userId: user.id, type: 'page_view', subtype: 'neighbour', data: { page_url: '/x', i } });
    // Nothing the capture path lets through is refused by PostgreSQL, so the bad row goes straight
    // into the queue: a timestamp PostgreSQL cannot read.
    const good = encodeEvent({
      id: uuid7(),
      userId: user.id,
      eventType: 'page_view',
      eventSubtype: 'bad',
      sessionId: null,
      eventData: {},
      timestamp: new Date(),
    });
    capture.processIntake();
    capture.batcher.enqueue(good.replace(/\t[^\t]+\n$/, '\tnot-a-time\n') as typeof good);
    await capture.flush();
    expect(await t.prisma.behavioralEvent.count({ where: { userId: user.id, eventSubtype: 'neighbour' } })).toBe(9);
    const after = capture.stats() as { dropped: { permanent_error: number } };
    expect(after.dropped.permanent_error - before.dropped.permanent_error).toBe(1);
  });

  it('an admin pauses and resumes tracking at run time; nobody else may', async () => {
    const user = await registerUser(t);
    const admin = await registerAdmin(t);
    await t.http().put('/admin/tracking').set(user.auth).send({ enabled: false }).expect(403);
    const bad = await t.http().put('/admin/tracking').set(admin.auth).send({ enabled: 'no' }).expect(422);
    expect(JSON.stringify(bad.body)).toContain('enabled');
    try {
      const paused = await t.http().put('/admin/tracking').set(admin.auth).send({ enabled: false }).expect(200);
      expect(paused.body).toMatchObject({ tracking_enabled: false, switched_by: admin.email });
      await t.http().get('/financial/wallet').set(user.auth).expect(200);
      const health = await t.http().get('/coaching/enhanced-health').set(admin.auth).expect(200);
      expect(JSON.stringify(health.body)).toContain('"tracking_enabled":false');
    } finally {
      await t.http().put('/admin/tracking').set(admin.auth).send({ enabled: true }).expect(200);
    }
    await t.http().get('/auth/me').set(user.auth).expect(200);
    await flush(t);
    const pages = (await t.prisma.behavioralEvent.findMany({ where: { userId: user.id } })).map(
      (e) => (e.eventData as { page_url: string }).page_url,
    );
    expect(pages).toEqual(['/auth/me']); // the wallet view while paused left nothing
  });

  it('reports the pipeline in /coaching/enhanced-health (to admins)', async () => {
    const admin = await registerAdmin(t);
    const res = await t.http().get('/coaching/enhanced-health').set(admin.auth).expect(200);
    expect(res.body.behavioral_service).toMatchObject({
      status: 'healthy',
      tracking_enabled: true,
      queue_depth: expect.any(Number),
      written: expect.any(Number),
      dropped: expect.any(Object),
      refused: expect.any(Object),
    });
  });

  it('a failing event sink never changes the user’s response, and nothing is lost once the database is back', async () => {
    const user = await registerUser(t);
    const sink = t.app.get(PostgresEventSink);
    const real = sink.write.bind(sink);
    const before = await t.http().get('/auth/me').set(user.auth).expect(200);
    let failures = 0;
    // The database "goes away" for a few attempts: connection errors, as pg reports them.
    sink.write = async (events, retry) => {
      if (failures < 3) {
        failures++;
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' });
      }
      return real(events, retry);
    };
    try {
      for (let i = 0; i < 5; i++) {
        const res = await t.http().get('/auth/me').set(user.auth).expect(200);
        expect(res.body).toEqual(before.body);
      }
      const capture = t.app.get(EventCaptureService);
      for (let i = 0; i < 40 && (capture.depth > 0 || failures < 3); i++) {
        await capture.flush();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(failures).toBe(3);
      expect(capture.stats().retried).toBeGreaterThanOrEqual(3);
      const count = await t.prisma.behavioralEvent.count({ where: { userId: user.id } });
      expect(count).toBe(6);
    } finally {
      sink.write = real;
    }
  });
});

describe('behavioural events: shutdown and limits (e2e)', () => {
  it('flushes a full queue on shutdown: nothing is lost', async () => {
    const t = await createTestApp({ EVENTS_FLUSH_INTERVAL_MS: '60000', EVENTS_BATCH_SIZE: '5000' });
    const user = await registerUser(t);
    const capture = t.app.get(EventCaptureService);
    for (let i = 0; i < 3000; i++)
      capture.capture({ userId: user.id, type: 'page_view', subtype: 'load_test', data: { page_url: '/x', i } });
    expect(capture.depth).toBeGreaterThanOrEqual(3000);
    const prisma = t.prisma;
    await t.close();
    // A fresh app (same database) counts what the closed one wrote.
    const check = await createTestApp();
    try {
      expect(await check.prisma.behavioralEvent.count({ where: { userId: user.id, eventSubtype: 'load_test' } })).toBe(
        3000,
      );
    } finally {
      await check.close();
    }
    void prisma;
  });

  it('drops and counts beyond the queue cap, and refuses oversized events', async () => {
    const t = await createTestApp({
      EVENTS_FLUSH_INTERVAL_MS: '60000',
      EVENTS_BATCH_SIZE: '1000',
      EVENTS_QUEUE_CAP: '100',
      EVENTS_MAX_PAYLOAD_BYTES: '1024',
    });
    try {
      const user = await registerUser(t);
      const capture = t.app.get(EventCaptureService);
      await capture.flush();
      const depth = capture.depth;
      for (let i = 0; i < 150; i++) capture.capture({ userId: user.id, type: 'page_view', data: { page_url: '/x' } });
      expect(capture.depth).toBe(100);
      expect(capture.stats()).toMatchObject({ dropped: { queue_full: 50 + depth } });
      await capture.flush();
      expect(capture.depth).toBe(0);
      capture.capture({
        userId: user.id,
        type: 'page_view',
        data: { page_url: '/x', blob: 'y'.repeat(400), more: Array.from({ length: 40 }, () => 'z'.repeat(100)) },
      });
      capture.processIntake();
      expect((capture.stats().refused as Record<string, number>).oversized).toBe(1);
      expect(capture.depth).toBe(0);
    } finally {
      await t.close();
    }
  });
});

describe('behavioural events: a real database outage (e2e)', () => {
  it('keeps events queued while PostgreSQL refuses connections and writes them all once it is back', async () => {
    // A database of its own, so taking it offline does not disturb the other tests.
    const base = new URL(process.env.TEST_DATABASE_URL!);
    const adminUrl = new URL(base.toString());
    adminUrl.pathname = '/postgres';
    const admin = new Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    const name = `fincoach_outage_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(base.toString());
    url.pathname = `/${name}`;
    await runMigrations(url.toString());
    const t = await createTestApp({ DATABASE_URL: url.toString(), EVENTS_FLUSH_INTERVAL_MS: '60000' }).catch(
      async (e) => {
        await admin.end();
        throw e;
      },
    );
    try {
      const user = await registerUser(t);
      const capture = t.app.get(EventCaptureService);
      await capture.flush();
      const writtenBefore = capture.stats().written as number;

      // Outage: no new connections, existing ones killed.
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
      for (let i = 0; i < 200; i++)
        capture.capture({ userId: user.id, type: 'page_view', subtype: 'outage', data: { page_url: '/x', i } });
      await capture.flush();
      await new Promise((r) => setTimeout(r, 300));
      await capture.flush();
      expect(capture.depth).toBe(200);
      expect(capture.stats().retried as number).toBeGreaterThanOrEqual(1);

      // Back online: the queued events are written, none twice, none lost.
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      for (let i = 0; i < 100 && capture.depth > 0; i++) {
        await capture.flush();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(capture.depth).toBe(0);
      expect((capture.stats().written as number) - writtenBefore).toBe(200);
      expect(await t.prisma.behavioralEvent.count({ where: { userId: user.id, eventSubtype: 'outage' } })).toBe(200);
    } finally {
      await t.close();
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  });
});
