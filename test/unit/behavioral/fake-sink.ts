import type { EventSink } from '../../../src/behavioral/event-batcher';
import type { BehavioralEventRecord } from '../../../src/behavioral/event-validator';
import { uuid7 } from '../../../src/behavioral/uuid7';

/** An in-memory sink: records batches, can fail the next N calls, reject bad rows, or block until released. */
export class FakeSink implements EventSink {
  readonly batches: BehavioralEventRecord[][] = [];
  readonly calls: string[][] = [];
  failNext: unknown[] = [];
  failAlways: unknown = null;
  rejectRow: ((row: BehavioralEventRecord) => boolean) | null = null;
  inFlight = 0;
  maxInFlight = 0;
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  block(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = null;
  }

  get written(): BehavioralEventRecord[] {
    return this.batches.flat();
  }

  async write(rows: readonly BehavioralEventRecord[]): Promise<number> {
    this.calls.push(rows.map((r) => r.id));
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate;
      if (this.failAlways) throw this.failAlways;
      if (this.failNext.length > 0) throw this.failNext.shift();
      if (this.rejectRow && rows.some(this.rejectRow)) throw Object.assign(new Error('invalid input syntax'), { code: '22P02' });
      this.batches.push([...rows]);
      return rows.length;
    } finally {
      this.inFlight--;
    }
  }
}

export function event(i: number, critical = false): BehavioralEventRecord {
  return {
    id: uuid7(),
    userId: '0190a000-0000-7000-8000-000000000001',
    eventType: critical ? 'purchase' : 'page_view',
    eventSubtype: null,
    sessionId: null,
    json: JSON.stringify({ i }),
    timestamp: new Date(),
    critical,
  };
}

/** Polls until the condition holds (no timing assertion: fails only after 5 s). */
export async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets scheduled immediates and microtasks run. */
export const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};
