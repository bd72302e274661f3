import { EventPipeline } from '../../../src/behavioral/event-pipeline';
import { loadConfig } from '../../../src/infra/config/app-config';
import { FakeSink } from './fake-sink';

const USER = '0190a000-0000-7000-8000-000000000001';

function pipeline(env: Record<string, string> = {}) {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgresql://x@127.0.0.1:1/x', EVENTS_BATCH_SIZE: '1000', EVENTS_FLUSH_INTERVAL_MS: '60000', ...env });
  const sink = new FakeSink();
  return { p: new EventPipeline(config, sink), sink };
}

describe('EventPipeline', () => {
  it('filters before validating and storing: secrets never reach the sink', async () => {
    const { p, sink } = pipeline();
    expect(p.submit({ userId: USER, eventType: 'page_view', data: { route: '/x', interaction_type: 'view', access_token: 't', nested: [{ password: 'p' }] } })).toBe(true);
    await p.batcher.flush(1000);
    expect(JSON.parse(sink.written[0].json)).toEqual({ route: '/x', interaction_type: 'view', nested: [{}] });
    expect(sink.written[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('fails closed: an event the privacy filter cannot process is dropped and counted', () => {
    const { p } = pipeline();
    const hostile: Record<string, unknown> = { route: '/x', interaction_type: 'view' };
    Object.defineProperty(hostile, 'secretish', { enumerable: true, get: () => { throw new Error('boom'); } });
    Object.defineProperty(hostile, 'other', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(p.submit({ userId: USER, eventType: 'page_view', data: hostile })).toBe(false);
    expect(p.stats()).toMatchObject({ enqueued: 0, refused: { privacy_filter_failed: 1 } });
  });

  it('counts validator refusals in its stats', () => {
    const { p } = pipeline();
    p.submit({ userId: undefined, eventType: 'page_view', data: { route: '/x', interaction_type: 'view' } });
    p.submit({ userId: USER, eventType: 'nope', data: {} });
    expect(p.stats().refused).toMatchObject({ missing_user: 1, unknown_type: 1 });
  });

  it('does nothing when tracking is off', () => {
    const { p } = pipeline({ TRACKING_ENABLED: 'false' });
    expect(p.submit({ userId: USER, eventType: 'page_view', data: { route: '/x', interaction_type: 'view' } })).toBe(false);
    expect(p.stats()).toMatchObject({ status: 'disabled', enqueued: 0 });
  });
});
