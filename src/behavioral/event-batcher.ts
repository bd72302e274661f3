import type { BehavioralEventRecord } from './event-validator';

/** Where batches go: PostgreSQL in production, a fake in unit tests. Resolves to the rows actually inserted. */
export interface EventSink {
  write(events: readonly BehavioralEventRecord[]): Promise<number>;
}

export type ErrorKind = 'transient' | 'permanent';

export interface BatcherOptions {
  batchSize: number;
  flushIntervalMs: number;
  /** Events queued + in flight; beyond it new events are dropped (counted). */
  queueCap: number;
  /** Backoff after a transient failure: full jitter over base·2^(n-1), capped. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  classify: (error: unknown) => ErrorKind;
  random?: () => number;
  now?: () => number;
  onWarn?: (message: string) => void;
  /** Called before each backoff wait (observability, tests). */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export const DROP_REASONS = ['queue_full', 'permanent_error', 'shutdown_timeout', 'stopped'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export type BatcherStats = {
  queue_depth: number;
  in_flight: number;
  queue_cap: number;
  batch_size: number;
  flush_interval_ms: number;
  enqueued: number;
  written: number;
  /** Accepted by the database but not inserted: duplicate id (a retried batch) or user deleted meanwhile. */
  skipped: number;
  retried: number;
  flushes: number;
  dropped: Record<DropReason, number>;
  consecutive_failures: number;
  last_flush_at: string | null;
  last_flush_duration_ms: number | null;
  last_flush_rows: number | null;
  last_error: string | null;
  last_error_at: string | null;
};

const WARN_EVERY_MS = 10_000;
// Compact the array once this many consumed slots sit at its front.
const COMPACT_AT = 4096;

/**
 * In-process, bounded event batcher.
 *
 * - enqueue() is synchronous and O(1); it never throws and never does I/O.
 * - A flush writes at most batchSize events in ONE sink call; one flush is in
 *   flight at a time, and the loop re-checks the queue after each write.
 * - Flush triggers: batchSize queued, the interval, a critical event, drain/stop.
 * - Transient failures keep the batch (in flight) and retry with jittered
 *   exponential backoff; events keep queueing meanwhile. Only the cap drops:
 *   the NEWEST event is refused (O(1), keeps what waited longest, preserves order).
 * - Permanent failures bisect the batch so only the offending rows are dropped.
 */
export class EventBatcher {
  private queue: BehavioralEventRecord[] = [];
  private head = 0;
  private inflight: BehavioralEventRecord[] | null = null;
  private running: Promise<void> | null = null;
  private kickScheduled = false;
  private urgent = false;
  private accepting = true;
  private deadline: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastWarnAt = -Infinity;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly s = {
    enqueued: 0,
    written: 0,
    skipped: 0,
    retried: 0,
    flushes: 0,
    dropped: { queue_full: 0, permanent_error: 0, shutdown_timeout: 0, stopped: 0 } as Record<DropReason, number>,
    consecutive_failures: 0,
    last_flush_at: null as string | null,
    last_flush_duration_ms: null as number | null,
    last_flush_rows: null as number | null,
    last_error: null as string | null,
    last_error_at: null as string | null,
  };

  constructor(
    private readonly sink: EventSink,
    private readonly options: BatcherOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Starts the interval flush (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.depth > 0) {
        this.urgent = true;
        this.kick();
      }
    }, this.options.flushIntervalMs);
    this.timer.unref();
  }

  get depth(): number {
    return this.queue.length - this.head;
  }

  /** Queues an event. False when refused (stopped, or at the cap: dropped and counted). */
  enqueue(event: BehavioralEventRecord): boolean {
    if (!this.accepting) {
      this.s.dropped.stopped++;
      return false;
    }
    if (this.depth + (this.inflight?.length ?? 0) >= this.options.queueCap) {
      this.s.dropped.queue_full++;
      this.warn(`behavioural event queue full (cap ${this.options.queueCap}): ${this.s.dropped.queue_full} event(s) dropped so far`);
      return false;
    }
    this.queue.push(event);
    this.s.enqueued++;
    if (event.critical) {
      this.urgent = true;
      this.kick();
    } else if (this.depth >= this.options.batchSize) {
      this.kick();
    }
    return true;
  }

  stats(): BatcherStats {
    return {
      queue_depth: this.depth,
      in_flight: this.inflight?.length ?? 0,
      queue_cap: this.options.queueCap,
      batch_size: this.options.batchSize,
      flush_interval_ms: this.options.flushIntervalMs,
      ...this.s,
      dropped: { ...this.s.dropped },
    };
  }

  /**
   * Writes everything queued (partial batches too), retrying transient failures,
   * until empty or `timeoutMs` elapses. Keeps accepting events. Resolves true when empty.
   */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = this.now() + timeoutMs;
    this.deadline = deadline;
    try {
      while (this.depth > 0 || this.inflight) {
        const left = deadline - this.now();
        if (left <= 0) return false;
        this.urgent = true;
        const run = this.running ?? this.startPump();
        const timeout = cancellableSleep(left);
        await Promise.race([run, timeout.promise]);
        timeout.cancel();
      }
      return true;
    } finally {
      if (this.deadline === deadline) this.deadline = null;
    }
  }

  /**
   * Shutdown: refuses new events, writes what is queued with a hard timeout, and
   * counts whatever could not be written as dropped (shutdown_timeout).
   */
  async stop(timeoutMs: number): Promise<void> {
    this.accepting = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (await this.flush(timeoutMs)) return;
    const lost = this.depth + (this.inflight?.length ?? 0);
    this.s.dropped.shutdown_timeout += lost;
    this.queue = [];
    this.head = 0;
    this.inflight = null;
    this.warn(`shutdown: ${lost} behavioural event(s) could not be written before the timeout`, true);
  }

  // Deferred so a request (or a service calling EventCaptureService) never pays for building the statement.
  private kick(): void {
    if (this.running || this.kickScheduled) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      if (!this.running) this.startPump();
    });
  }

  private startPump(): Promise<void> {
    this.running = this.pump().finally(() => {
      this.running = null;
      // Events that arrived during the last write may already fill a batch.
      if (this.depth >= this.options.batchSize || (this.urgent && this.depth > 0)) this.kick();
    });
    return this.running;
  }

  private async pump(): Promise<void> {
    for (;;) {
      if (!this.inflight) {
        if (this.depth === 0) {
          this.urgent = false;
          return;
        }
        if (this.depth < this.options.batchSize && !this.urgent) return;
        this.inflight = this.take(this.options.batchSize);
      }
      const batch = this.inflight;
      const started = performance.now();
      try {
        const written = await this.writeBisecting(batch);
        this.s.written += written;
        this.s.flushes++;
        this.s.consecutive_failures = 0;
        this.s.last_flush_at = new Date(this.now()).toISOString();
        this.s.last_flush_duration_ms = Math.round((performance.now() - started) * 100) / 100;
        this.s.last_flush_rows = written;
        this.inflight = null;
      } catch (error) {
        // Transient: the batch stays in flight (minus rows already dropped as bad) and is retried.
        this.inflight = batch.filter((e) => !this.droppedRows.has(e));
        this.droppedRows.clear();
        this.noteError(error);
        this.s.retried++;
        this.s.consecutive_failures++;
        let wait = this.backoffMs();
        if (this.deadline !== null) {
          const left = this.deadline - this.now();
          if (left <= 0) return;
          wait = Math.min(wait, left);
        }
        this.options.onRetry?.(this.s.consecutive_failures, wait, error);
        await sleep(wait);
      }
    }
  }

  private readonly droppedRows = new Set<BehavioralEventRecord>();

  /** Writes a batch; on a permanent error splits it in halves until the bad rows are isolated and dropped. */
  private async writeBisecting(rows: readonly BehavioralEventRecord[]): Promise<number> {
    try {
      const written = await this.sink.write(rows);
      this.s.skipped += rows.length - written;
      return written;
    } catch (error) {
      if (this.options.classify(error) === 'transient') throw error;
      this.noteError(error);
      if (rows.length === 1) {
        this.s.dropped.permanent_error++;
        this.droppedRows.add(rows[0]);
        this.warn(`dropped a behavioural event after a permanent database error: ${this.s.last_error}`, true);
        return 0;
      }
      const mid = rows.length >>> 1;
      return (await this.writeBisecting(rows.slice(0, mid))) + (await this.writeBisecting(rows.slice(mid)));
    }
  }

  private take(n: number): BehavioralEventRecord[] {
    const end = Math.min(this.queue.length, this.head + n);
    const batch = this.queue.slice(this.head, end);
    this.head = end;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AT && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private backoffMs(): number {
    const cap = Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** Math.max(0, this.s.consecutive_failures - 1));
    // Full jitter with a floor, so many instances do not retry in lockstep yet never spin.
    return Math.max(1, Math.round(cap / 2 + (this.random() * cap) / 2));
  }

  private noteError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown })?.code;
    this.s.last_error = `${typeof code === 'string' ? `${code}: ` : ''}${message}`.slice(0, 300);
    this.s.last_error_at = new Date(this.now()).toISOString();
  }

  // Drops must be visible (a silent cap hides data loss): warn, but at most every 10 s.
  private warn(message: string, always = false): void {
    const now = this.now();
    if (!always && now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.options.onWarn?.(message);
  }
}

// Not unref'd: during shutdown a pending retry must keep the process alive until written.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function cancellableSleep(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}
