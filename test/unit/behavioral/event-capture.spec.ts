import type { EventSink } from '../../../src/behavioral/event-batcher';
import { EventCaptureService } from '../../../src/behavioral/event-capture.service';
import type { EncodedEvent } from '../../../src/behavioral/event-encoding';
import { classifyRequest, requestEventData, type TrackedRoute } from '../../../src/behavioral/event-types';
import type { PostgresEventSink } from '../../../src/behavioral/postgres-event-sink';
import { loadConfig } from '../../../src/infra/config/app-config';

const userId = '11111111-1111-4111-8111-111111111111';

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

const tracked = (method: string, route: string): TrackedRoute => ({ route, ...classifyRequest(method, route) });
const columns = (row: string): string[] => row.trimEnd().split('\t');

describe('EventCaptureService request events', () => {
  it('writes a request as one COPY line: UUIDv7 id, user, type, subtype, session, payload, time', async () => {
    const { capture, sink } = service();
    const before = Date.now();
    expect(capture.captureRequest(tracked('GET', '/financial/wallet'), 'GET', userId, 'sess-1', 200, 3.14159)).toBe(
      true,
    );
    expect(capture.depth).toBe(1);
    await capture.flush();
    expect(sink.rows).toHaveLength(1);
    const [id, user, type, subtype, session, json, time] = columns(sink.rows[0]);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([user, type, subtype, session]).toEqual([userId, 'page_view', 'wallet_view', 'sess-1']);
    expect(JSON.parse(json)).toEqual(requestEventData('/financial/wallet', 'GET', 200, 3.14159));
    expect(JSON.parse(json).duration_ms).toBe(3.14);
    expect(Date.parse(time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(time)).toBeLessThanOrEqual(Date.now());
  });

  it('escapes COPY specials in the route, the subtype and the session', async () => {
    const { capture, sink } = service();
    capture.captureRequest(tracked('GET', '/odd/back\\slash/tab\there'), 'GET', userId, 'tab\there', 200, 1);
    await capture.flush();
    const line = sink.rows[0];
    expect(line.split('\n')).toHaveLength(2); // one line, ended by its newline
    expect(line.trimEnd().split('\t')).toHaveLength(7);
    expect(line).toContain('tab\\there');
    expect(line).toContain('back\\\\\\\\slash'); // JSON escapes the backslash, COPY escapes both
  });

  it('makes a new session id (a UUID) for a request that names none, one per request', async () => {
    const { capture, sink } = service();
    const route = tracked('GET', '/financial/wallet');
    capture.captureRequest(route, 'GET', userId, null, 200, 1);
    capture.captureRequest(route, 'GET', userId, null, 200, 1);
    await capture.flush();
    const sessions = sink.rows.map((row) => columns(row)[4]);
    for (const session of sessions)
      expect(session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sessions[0]).not.toBe(sessions[1]);
  });

  it('privacy-filters the fields a request carries', async () => {
    const { capture, sink } = service();
    capture.captureRequest(tracked('GET', '/financial/wallet'), 'GET', userId, 's', 200, 1, {
      fields: { category: 'groceries', api_key: 'k-123' },
    });
    await capture.flush();
    expect(sink.rows).toHaveLength(1);
    expect(sink.rows[0]).toContain('"request":{"category":"groceries"}');
    expect(sink.rows[0]).not.toContain('k-123');
  });

  it('stores a duration JSON cannot hold as null, not as a broken line', async () => {
    const { capture, sink } = service();
    expect(capture.captureRequest(tracked('GET', '/financial/wallet'), 'GET', userId, 's', 200, Number.NaN)).toBe(true);
    await capture.flush();
    expect(sink.rows).toHaveLength(1);
    expect(sink.rows[0]).toContain('"duration_ms":null');
  });

  it('refuses (counted) an event the validator refuses: a route too long for the payload limit', async () => {
    const { capture, sink } = service({ EVENTS_MAX_PAYLOAD_BYTES: '256' });
    capture.captureRequest(tracked('GET', `/${'a'.repeat(300)}`), 'GET', userId, 's', 200, 1);
    await capture.flush();
    expect(sink.rows).toHaveLength(0);
    expect(capture.stats()).toMatchObject({ refused: { oversized: 1 } });
  });

  it('refuses and counts request events beyond the queue cap, and none when tracking is off', () => {
    const { capture } = service({ EVENTS_QUEUE_CAP: '10' });
    const route = tracked('GET', '/financial/wallet');
    const taken = Array.from({ length: 12 }, () => capture.captureRequest(route, 'GET', userId, 's', 200, 1));
    expect(taken.filter(Boolean)).toHaveLength(10);
    expect(capture.stats()).toMatchObject({ queue_depth: 10, intake_depth: 10, dropped: { queue_full: 2 } });
    const off = service({ TRACKING_ENABLED: 'false' }).capture;
    expect(off.captureRequest(route, 'GET', userId, 's', 200, 1)).toBe(false);
    expect(off.depth).toBe(0);
  });
});

describe('EventCaptureService critical events', () => {
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };
  const recommendationId = '22222222-2222-4222-8222-222222222222';

  it('writes feedback on a recommendation at once, without waiting for the intake or the batch', async () => {
    const { capture, sink } = service();
    capture.recommendationInteraction(userId, { recommendationId, interaction: 'helpful' });
    await turns(5);
    expect(sink.rows).toHaveLength(1);
    expect(columns(sink.rows[0]).slice(2, 4)).toEqual(['recommendation_interaction', 'recommendation_helpful']);
  });

  it("lets the server's own record of a recommendation view wait for the next batch", async () => {
    const { capture, sink } = service();
    capture.recommendationInteraction(userId, { recommendationId, interaction: 'view' });
    await turns(5);
    expect(sink.rows).toHaveLength(0);
    expect(capture.depth).toBe(1);
    await capture.flush();
    expect(columns(sink.rows[0]).slice(2, 4)).toEqual(['recommendation_interaction', 'recommendation_view']);
  });
});
