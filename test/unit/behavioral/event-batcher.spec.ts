import { EventBatcher, type EventSink } from '../../../src/behavioral/event-batcher';
import type { BehavioralEventRecord } from '../../../src/behavioral/event-validator';
import { uuid7 } from '../../../src/behavioral/uuid7';

function event(): BehavioralEventRecord {
  return {
    id: uuid7(),
    userId: '11111111-1111-4111-8111-111111111111',
    eventType: 'page_view',
    eventSubtype: null,
    sessionId: null,
    eventData: { page_url: '/x' },
    timestamp: new Date(),
  };
}

/** Like the database: a batch is written whole or not at all; one bad event fails its batch; retries skip ids already written. */
class FakeSink implements EventSink<BehavioralEventRecord> {
  written: BehavioralEventRecord[] = [];
  statements = 0;
  retryFlags: boolean[] = [];
  failures: unknown[] = [];
  bad = new Set<string>();
  async write(events: BehavioralEventRecord[], retry: boolean): Promise<number> {
    this.retryFlags.push(retry);
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (events.some((e) => this.bad.has(e.id))) throw permanent;
    const fresh = events.filter((e) => !this.written.some((w) => w.id === e.id));
    if (fresh.length !== events.length && !retry) throw Object.assign(new Error('duplicate key'), { code: '23505' });
    this.statements++;
    this.written.push(...fresh);
    return fresh.length;
  }
}

const transient = Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' });
const permanent = Object.assign(new Error('invalid input syntax'), { code: '22P02' });
const options = (o: Partial<ConstructorParameters<typeof EventBatcher>[1]> = {}) => ({
  batchSize: 10,
  flushIntervalMs: 60_000,
  queueCap: 100,
  baseBackoffMs: 5,
  maxBackoffMs: 20,
  isTransient: (e: unknown) => (e as { code?: string }).code === '08006',
  ...o,
});
const waitFor = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('EventBatcher', () => {
  it('writes a full batch in one statement', async () => {
    const sink = new FakeSink();
    const batcher = new EventBatcher(sink, options());
    for (let i = 0; i < 10; i++) batcher.enqueue(event());
    await waitFor(() => sink.written.length === 10);
    expect(sink.statements).toBe(1);
    expect(batcher.stats()).toMatchObject({ written: 10, queue_depth: 0, flushes: 1 });
  });

  it('keeps a partial batch until the interval, but writes critical events at once', async () => {
    const sink = new FakeSink();
    const batcher = new EventBatcher(sink, options());
    batcher.enqueue(event());
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.written).toHaveLength(0);
    batcher.enqueue(event(), true);
    await waitFor(() => sink.written.length === 2);
    expect(sink.written).toHaveLength(2);
  });

  it('flushes on its interval', async () => {
    const sink = new FakeSink();
    const batcher = new EventBatcher(sink, options({ flushIntervalMs: 10 }));
    batcher.start();
    batcher.enqueue(event());
    await waitFor(() => sink.written.length === 1);
    await batcher.shutdown(100);
    expect(sink.written).toHaveLength(1);
  });

  it('retries transient failures with backoff and loses nothing', async () => {
    const sink = new FakeSink();
    sink.failures.push(transient, transient, transient);
    const batcher = new EventBatcher(sink, options());
    const events = Array.from({ length: 25 }, event);
    for (const e of events) batcher.enqueue(e);
    await waitFor(() => sink.written.length === 25);
    await batcher.flush();
    await batcher.shutdown(1000);
    expect(sink.written.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(batcher.stats().retried).toBe(3);
    expect(batcher.stats().dropped).toEqual({ queue_full: 0, permanent_error: 0, shutdown_timeout: 0 });
  });

  it('marks the attempt after a transient failure as a retry, and only that one', async () => {
    const sink = new FakeSink();
    sink.failures.push(transient);
    const batcher = new EventBatcher(sink, options());
    for (let i = 0; i < 20; i++) batcher.enqueue(event());
    await waitFor(() => sink.written.length === 20);
    expect(sink.retryFlags).toEqual([false, true, false]);
  });

  it('writes a batch refused for its data by halves: only the bad events are dropped (and counted)', async () => {
    const sink = new FakeSink();
    const batcher = new EventBatcher(sink, options({ batchSize: 64, queueCap: 1000 }));
    const events = Array.from({ length: 64 }, event);
    sink.bad.add(events[5].id).add(events[40].id);
    for (const e of events) batcher.enqueue(e);
    await waitFor(() => sink.written.length === 62);
    await batcher.flush();
    expect(sink.written.map((e) => e.id).sort()).toEqual(
      events
        .filter((_, i) => i !== 5 && i !== 40)
        .map((e) => e.id)
        .sort(),
    );
    expect(batcher.stats()).toMatchObject({ written: 62, queue_depth: 0, dropped: { permanent_error: 2 } });
    expect(sink.retryFlags.length).toBeLessThanOrEqual(1 + 2 * 2 * Math.log2(64)); // bisection, not one statement per event
  });

  it('keeps the whole batch queued when the database goes away while isolating a bad event, and loses nothing', async () => {
    const sink = new FakeSink();
    const batcher = new EventBatcher(sink, options({ batchSize: 8 }));
    const events = Array.from({ length: 8 }, event);
    sink.bad.add(events[7].id);
    const realWrite = sink.write.bind(sink);
    let calls = 0;
    // The first half is written, then the connection drops on the second half.
    sink.write = async (batch, retry) => (++calls === 3 ? Promise.reject(transient) : realWrite(batch, retry));
    for (const e of events) batcher.enqueue(e);
    await waitFor(() => sink.written.length === 7 && batcher.depth === 0);
    expect(sink.written.map((e) => e.id).sort()).toEqual(
      events
        .slice(0, 7)
        .map((e) => e.id)
        .sort(),
    );
    expect(batcher.stats()).toMatchObject({ written: 7, retried: 1, dropped: { permanent_error: 1 } });
  });

  it('drops and counts beyond the cap instead of growing', async () => {
    const sink = new FakeSink();
    sink.failures.push(...Array.from({ length: 1000 }, () => transient)); // the database is down
    const batcher = new EventBatcher(sink, options({ queueCap: 50, batchSize: 1000 }));
    const accepted = Array.from({ length: 80 }, () => batcher.enqueue(event())).filter(Boolean).length;
    expect(accepted).toBe(50);
    expect(batcher.stats()).toMatchObject({ queue_depth: 50, dropped: { queue_full: 30 } });
  });

  it('drains the whole queue on shutdown and refuses events afterwards', async () => {
    const sink = new FakeSink();
    const batcher = new EventBatcher(sink, options({ batchSize: 7, queueCap: 1000 }));
    for (let i = 0; i < 500; i++) batcher.enqueue(event());
    await batcher.shutdown(5000);
    expect(sink.written).toHaveLength(500);
    expect(batcher.enqueue(event())).toBe(false);
  });

  it('counts what a shutdown could not write', async () => {
    const sink = new FakeSink();
    sink.failures.push(...Array.from({ length: 1000 }, () => transient));
    const batcher = new EventBatcher(sink, options());
    for (let i = 0; i < 5; i++) batcher.enqueue(event());
    await batcher.shutdown(50);
    expect(batcher.stats().dropped.shutdown_timeout).toBe(5);
  });
  it('flush() writes what was queued while an earlier flush was in flight, and every batch of a long queue', async () => {
    const sink = new FakeSink();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const write = sink.write.bind(sink);
    sink.write = async (events, retry) => {
      await gate; // the first statement is still running when the next events arrive
      return write(events, retry);
    };
    const batcher = new EventBatcher(sink, options({ batchSize: 4 }));
    batcher.enqueue(event());
    const first = batcher.flush();
    for (let i = 0; i < 9; i++) batcher.enqueue(event()); // two full batches and a partial one behind it
    const second = batcher.flush();
    release();
    await Promise.all([first, second]);
    expect(sink.written).toHaveLength(10);
    expect(batcher.stats().queue_depth).toBe(0);
  });
});
