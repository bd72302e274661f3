import { EventBatcher, type BatcherOptions } from '../../../src/behavioral/event-batcher';
import { classifyDatabaseError } from '../../../src/behavioral/postgres-event-sink';
import { event, FakeSink, ticks, waitFor } from './fake-sink';

const transient = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function make(sink: FakeSink, options: Partial<BatcherOptions> = {}) {
  const batcher = new EventBatcher(sink, {
    batchSize: 5,
    flushIntervalMs: 3_600_000,
    queueCap: 100,
    baseBackoffMs: 1,
    maxBackoffMs: 4,
    classify: classifyDatabaseError,
    ...options,
  });
  batcher.start();
  return batcher;
}

describe('EventBatcher', () => {
  const batchers: EventBatcher[] = [];
  const track = (b: EventBatcher) => (batchers.push(b), b);
  afterEach(async () => {
    for (const b of batchers.splice(0)) await b.stop(1000);
  });

  it('flushes when a batch is full, not before', async () => {
    const sink = new FakeSink();
    const b = track(make(sink));
    for (let i = 0; i < 4; i++) b.enqueue(event(i));
    await ticks();
    expect(sink.calls).toHaveLength(0);
    b.enqueue(event(4));
    await waitFor(() => sink.batches.length === 1, 'the size flush');
    expect(sink.batches[0].map((e) => JSON.parse(e.json).i)).toEqual([0, 1, 2, 3, 4]);
    expect(b.stats()).toMatchObject({ written: 5, queue_depth: 0, flushes: 1, last_flush_rows: 5 });
  });

  it('flushes a partial batch when the interval elapses', async () => {
    const sink = new FakeSink();
    const b = track(make(sink, { batchSize: 100, flushIntervalMs: 15 }));
    for (let i = 0; i < 3; i++) b.enqueue(event(i));
    await waitFor(() => sink.written.length === 3, 'the interval flush');
    expect(sink.batches).toHaveLength(1);
  });

  it('writes at once when a critical event arrives, with what was queued before it, in order', async () => {
    const sink = new FakeSink();
    const b = track(make(sink, { batchSize: 100 }));
    b.enqueue(event(0));
    b.enqueue(event(1));
    await ticks();
    expect(sink.calls).toHaveLength(0);
    b.enqueue(event(2, true));
    await waitFor(() => sink.batches.length === 1, 'the critical flush');
    expect(sink.batches[0].map((e) => JSON.parse(e.json).i)).toEqual([0, 1, 2]);
  });

  it('never has two writes in flight; what arrived meanwhile goes in the next statement', async () => {
    const sink = new FakeSink();
    const b = track(make(sink, { batchSize: 100 }));
    sink.block();
    b.enqueue(event(0, true));
    await waitFor(() => sink.inFlight === 1, 'the first write');
    for (let i = 1; i <= 10; i++) b.enqueue(event(i, true));
    await ticks(20);
    expect(sink.calls).toHaveLength(1);
    sink.release();
    await waitFor(() => sink.written.length === 11, 'the second write');
    expect(sink.maxInFlight).toBe(1);
    expect(sink.batches.map((x) => x.length)).toEqual([1, 10]);
  });

  it('drops the newest events beyond the cap, counts them, and does not grow', async () => {
    const sink = new FakeSink();
    const b = track(make(sink, { batchSize: 1000, queueCap: 100 }));
    const accepted = Array.from({ length: 1000 }, (_, i) => b.enqueue(event(i)));
    expect(accepted.filter(Boolean)).toHaveLength(100);
    expect(accepted.slice(0, 100).every(Boolean)).toBe(true);
    expect(b.stats()).toMatchObject({ queue_depth: 100, enqueued: 100, dropped: { queue_full: 900 } });
    expect(await b.flush(1000)).toBe(true);
    expect(sink.written.map((e) => JSON.parse(e.json).i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('counts events in flight against the cap while the database is down', async () => {
    const sink = new FakeSink();
    sink.failAlways = transient();
    const b = track(make(sink, { batchSize: 10, queueCap: 20 }));
    for (let i = 0; i < 10; i++) b.enqueue(event(i, true));
    await waitFor(() => b.stats().in_flight === 10, 'the batch to be in flight');
    for (let i = 10; i < 40; i++) b.enqueue(event(i));
    expect(b.stats()).toMatchObject({ in_flight: 10, queue_depth: 10, dropped: { queue_full: 20 } });
    sink.failAlways = null;
    expect(await b.flush(2000)).toBe(true);
    expect(sink.written).toHaveLength(20);
  });

  it('retries transient failures with jittered exponential backoff, keeping the same batch and everything queued meanwhile', async () => {
    const sink = new FakeSink();
    sink.failNext = [transient(), transient(), transient(), transient()];
    const delays: number[] = [];
    const b = track(make(sink, { baseBackoffMs: 10, maxBackoffMs: 50, random: () => 1, onRetry: (_n, ms) => delays.push(ms) }));
    for (let i = 0; i < 5; i++) b.enqueue(event(i));
    await waitFor(() => delays.length >= 1, 'the first retry');
    for (let i = 5; i < 8; i++) b.enqueue(event(i));
    expect(await b.flush(5000)).toBe(true);
    expect(delays).toEqual([10, 20, 40, 50]);
    // The first 5 calls carried the same ids (ON CONFLICT makes a retried write idempotent).
    expect(new Set(sink.calls.slice(0, 5).map((c) => c.join()))).toEqual(new Set([sink.calls[0].join()]));
    expect(sink.written.map((e) => JSON.parse(e.json).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(b.stats()).toMatchObject({ retried: 4, written: 8, consecutive_failures: 0, dropped: { queue_full: 0, permanent_error: 0 } });
    expect(b.stats().last_error).toContain('ECONNREFUSED');
  });

  it('jitters the wait between half and all of the exponential step', async () => {
    const sink = new FakeSink();
    sink.failNext = [transient(), transient()];
    const delays: number[] = [];
    const b = track(make(sink, { baseBackoffMs: 40, maxBackoffMs: 1000, random: () => 0, onRetry: (_n, ms) => delays.push(ms) }));
    b.enqueue(event(0, true));
    expect(await b.flush(5000)).toBe(true);
    expect(delays).toEqual([20, 40]);
  });

  it('isolates rows that fail permanently by bisecting: only they are dropped and counted', async () => {
    const sink = new FakeSink();
    sink.rejectRow = (row) => [3, 11].includes(JSON.parse(row.json).i);
    const b = track(make(sink, { batchSize: 16 }));
    for (let i = 0; i < 16; i++) b.enqueue(event(i));
    expect(await b.flush(2000)).toBe(true);
    const written = sink.written.map((e) => JSON.parse(e.json).i).sort((x, y) => x - y);
    expect(written).toEqual(Array.from({ length: 16 }, (_, i) => i).filter((i) => i !== 3 && i !== 11));
    expect(b.stats()).toMatchObject({ written: 14, retried: 0, dropped: { permanent_error: 2 } });
    expect(b.stats().last_error).toMatch(/^22P02/);
  });

  it('does not count a bad row twice when a transient failure interrupts the bisection', async () => {
    const sink = new FakeSink();
    sink.rejectRow = (row) => JSON.parse(row.json).i === 0;
    const b = track(make(sink, { batchSize: 4 }));
    const write = sink.write.bind(sink);
    let calls = 0;
    // Call 1: whole batch → 22P02; call 2: half [0,1] → 22P02; call 3: [0] → 22P02 (dropped);
    // call 4: [1] → transient; then the batch (without row 0) is retried.
    jest.spyOn(sink, 'write').mockImplementation(async (rows) => {
      calls++;
      if (calls === 4) throw transient();
      return write(rows);
    });
    for (let i = 0; i < 4; i++) b.enqueue(event(i));
    expect(await b.flush(2000)).toBe(true);
    expect(sink.written.map((e) => JSON.parse(e.json).i).sort()).toEqual([1, 2, 3]);
    expect(b.stats()).toMatchObject({ written: 3, retried: 1, dropped: { permanent_error: 1 } });
  });

  it('writes everything queued on stop(), then refuses (and counts) new events', async () => {
    const sink = new FakeSink();
    const b = make(sink, { batchSize: 1000, queueCap: 10_000 });
    for (let i = 0; i < 2500; i++) b.enqueue(event(i));
    await b.stop(5000);
    expect(sink.written).toHaveLength(2500);
    expect(sink.batches.map((x) => x.length)).toEqual([1000, 1000, 500]);
    expect(b.enqueue(event(9999))).toBe(false);
    expect(b.stats()).toMatchObject({ queue_depth: 0, dropped: { stopped: 1, shutdown_timeout: 0 } });
  });

  it('keeps retrying during stop() until the database is back', async () => {
    const sink = new FakeSink();
    sink.failNext = Array.from({ length: 5 }, transient);
    const b = make(sink, { batchSize: 100 });
    for (let i = 0; i < 50; i++) b.enqueue(event(i));
    await b.stop(5000);
    expect(sink.written).toHaveLength(50);
    expect(b.stats().dropped.shutdown_timeout).toBe(0);
  });

  it('counts what could not be written when the shutdown timeout expires', async () => {
    const sink = new FakeSink();
    sink.failAlways = transient();
    const warnings: string[] = [];
    const b = make(sink, { batchSize: 10, onWarn: (m) => warnings.push(m) });
    for (let i = 0; i < 25; i++) b.enqueue(event(i));
    await b.stop(50);
    expect(b.stats()).toMatchObject({ queue_depth: 0, in_flight: 0, dropped: { shutdown_timeout: 25 } });
    expect(warnings.join()).toContain('25 behavioural event(s) could not be written');
  });
});

describe('classifyDatabaseError', () => {
  it.each([
    ['08006', 'transient'],
    ['08001', 'transient'],
    ['40001', 'transient'],
    ['40P01', 'transient'],
    ['57P01', 'transient'],
    ['53300', 'transient'],
    ['57014', 'transient'],
    ['ECONNRESET', 'transient'],
    ['22P02', 'permanent'],
    ['22P05', 'permanent'],
    ['23503', 'permanent'],
    ['23505', 'permanent'],
    ['42P01', 'permanent'],
  ])('%s → %s', (code, kind) => {
    expect(classifyDatabaseError(Object.assign(new Error('x'), { code }))).toBe(kind);
  });

  it('retries code-less connection errors (pg: "Connection terminated unexpectedly")', () => {
    expect(classifyDatabaseError(new Error('Connection terminated unexpectedly'))).toBe('transient');
  });
});
