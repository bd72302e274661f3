import type { EventSink } from '../../../src/behavioral/event-batcher';
import { EventCaptureService } from '../../../src/behavioral/event-capture.service';
import { encodeEvent, type EncodedEvent } from '../../../src/behavioral/event-encoding';
import { classifyRequest } from '../../../src/behavioral/event-types';
import type { PostgresEventSink } from '../../../src/behavioral/postgres-event-sink';
import { requestEventData, RequestEventTemplate } from '../../../src/behavioral/request-events';
import { loadConfig } from '../../../src/infra/config/app-config';

const id = '0192f5a0-0000-7000-8000-000000000001';
const userId = '11111111-1111-4111-8111-111111111111';
const ROUTES: Array<[string, string]> = [
  ['GET', '/auth/me'],
  ['GET', '/products/:id'],
  ['DELETE', '/financial/transactions/:id'],
  ['GET', '/odd/"quoted"/back\\slash/tab\there/ünïcode/😀'],
];
const STATUSES = [200, 201, 204, 304, 400, 404, 500, 503];
const DURATIONS = [0, -0, 0.004, 0.005, 1.234567, 12.5, 999.999, 123456.789, 1e21, Number.MIN_VALUE];

describe('RequestEventTemplate', () => {
  it.each(ROUTES)(
    'encodes %s %s exactly as the general path does, for any status, duration and session',
    (method, route) => {
      const { type, subtype } = classifyRequest(method, route);
      const template = RequestEventTemplate.compile(type, subtype, route, method);
      expect(template).not.toBeNull();
      const at = Date.UTC(2026, 10, 25, 10, 0, 0, 7);
      for (const status of STATUSES) {
        for (const duration of DURATIONS) {
          for (const sessionId of ['0f3c2a9e-1111-4222-8333-444455556666', 'abc_DEF-123', 'tab\there\\']) {
            const general = encodeEvent({
              id,
              userId,
              eventType: type,
              eventSubtype: subtype,
              sessionId,
              eventData: requestEventData(route, method, status, duration),
              timestamp: new Date(at),
            });
            expect(template!.encode(id, userId, sessionId, status, duration, at)).toBe(general);
          }
        }
      }
    },
  );

  it('leaves numbers it cannot write as JSON to the general path', () => {
    const template = RequestEventTemplate.compile('page_view', 'profile_view', '/auth/me', 'GET')!;
    expect(template.accepts(200, 1.5)).toBe(true);
    expect(template.accepts(200, Number.NaN)).toBe(false);
    expect(template.accepts(200, Number.POSITIVE_INFINITY)).toBe(false);
    expect(template.accepts(0, 1)).toBe(false);
    expect(template.accepts(200.5, 1)).toBe(false);
  });
});

describe('EventCaptureService request events', () => {
  class RecordingSink implements EventSink<EncodedEvent> {
    rows: EncodedEvent[] = [];
    async write(rows: EncodedEvent[]): Promise<number> {
      this.rows.push(...rows);
      return rows.length;
    }
  }

  function service(env: Record<string, string> = {}): { capture: EventCaptureService; sink: RecordingSink } {
    const sink = new RecordingSink();
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgresql://unused/none', ...env });
    return { capture: new EventCaptureService(config, sink as unknown as PostgresEventSink), sink };
  }

  // The id column is made when the event is queued; everything after it must match.
  const withoutId = (row: string): string => row.slice(row.indexOf('\t'));

  it('queues the same row through the template as through capture()', async () => {
    const { capture, sink } = service();
    const route = capture.trackedRoute('GET', '/financial/wallet');
    expect(route).toMatchObject({ type: 'page_view', subtype: 'wallet_view' });
    expect(route.template).not.toBeNull();
    const before = Date.now();
    expect(capture.captureRequest(route, 'GET', userId, 'sess-1', 200, 3.14159)).toBe(true);
    expect(capture.depth).toBe(1);
    await capture.flush();
    expect(sink.rows).toHaveLength(1);
    const [row] = sink.rows;
    const at = Date.parse(row.trimEnd().split('\t')[6]);
    expect(at).toBeGreaterThanOrEqual(before);
    capture.capture({
      userId,
      type: 'page_view',
      subtype: 'wallet_view',
      sessionId: 'sess-1',
      data: requestEventData('/financial/wallet', 'GET', 200, 3.14159),
      at: new Date(at),
    });
    await capture.flush();
    expect(withoutId(sink.rows[0])).toBe(withoutId(sink.rows[1]));
    expect(sink.rows[0].slice(0, 36)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('gives no template to a route whose constants the privacy filter or the validator would change or refuse', () => {
    const { capture } = service({ EVENTS_MAX_PAYLOAD_BYTES: '256' });
    expect(capture.requestTemplate('page_view', 'x', `/${'a'.repeat(600)}`, 'GET')).toBeNull(); // truncated by the filter
    // A route whose usual events fit in 256 bytes but whose longest possible one (a 24-character duration) does not.
    const size = (route: string, duration: number): number =>
      JSON.stringify(requestEventData(route, 'GET', 200, duration)).length;
    let route = '/a';
    while (size(route, -Number.MAX_VALUE / 100) <= 256) route += 'a';
    expect(size(route, 12.5)).toBeLessThanOrEqual(256);
    expect(capture.requestTemplate('page_view', 'x', route, 'GET')).toBeNull();
    expect(capture.requestTemplate('page_view', 'x', route.slice(0, -1), 'GET')).not.toBeNull();
    expect(capture.requestTemplate('page_view', 'x'.repeat(51), '/short', 'GET')).toBeNull(); // subtype too long
    expect(capture.requestTemplate('page_view', 'x', '/short', 'GET')).not.toBeNull();
  });

  it('makes a new session id (a UUID) for a request that names none, one per request', async () => {
    const { capture, sink } = service();
    const route = capture.trackedRoute('GET', '/financial/wallet');
    capture.captureRequest(route, 'GET', userId, null, 200, 1);
    capture.captureRequest(route, 'GET', userId, null, 200, 1);
    await capture.flush();
    const sessions = sink.rows.map((row) => row.split('\t')[4]);
    for (const session of sessions)
      expect(session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sessions[0]).not.toBe(sessions[1]);
  });

  it('sends a request with fields of its own, or another method than its template’s, through the general path', async () => {
    const { capture, sink } = service();
    const route = capture.trackedRoute('GET', '/financial/wallet');
    capture.captureRequest(route, 'GET', userId, 's', 200, 1, { fields: { category: 'groceries', api_key: 'k-123' } });
    capture.captureRequest(route, 'HEAD', userId, 's', 200, 1);
    await capture.flush();
    expect(sink.rows).toHaveLength(2);
    expect(sink.rows[0]).toContain('"request":{"category":"groceries"}');
    expect(sink.rows[0]).not.toContain('k-123'); // privacy-filtered, as every general-path event
    expect(sink.rows[1]).toContain('"method":"HEAD"');
  });

  it('sends an event whose numbers the template cannot take through the general path', async () => {
    const { capture, sink } = service();
    const route = capture.trackedRoute('GET', '/financial/wallet');
    expect(capture.captureRequest(route, 'GET', userId, 'sess-1', 200, Number.NaN)).toBe(true);
    await capture.flush();
    expect(sink.rows).toHaveLength(1);
    expect(sink.rows[0]).toContain('"duration_ms":null');
  });

  it('refuses and counts request events beyond the queue cap, and none when tracking is off', () => {
    const { capture } = service({ EVENTS_QUEUE_CAP: '10' });
    const route = capture.trackedRoute('GET', '/financial/wallet');
    const taken = Array.from({ length: 12 }, () => capture.captureRequest(route, 'GET', userId, 's', 200, 1));
    expect(taken.filter(Boolean)).toHaveLength(10);
    expect(capture.stats()).toMatchObject({ queue_depth: 10, intake_depth: 10, dropped: { queue_full: 2 } });
    const off = service({ TRACKING_ENABLED: 'false' }).capture;
    expect(off.captureRequest(route, 'GET', userId, 's', 200, 1)).toBe(false);
    expect(off.depth).toBe(0);
  });
});
