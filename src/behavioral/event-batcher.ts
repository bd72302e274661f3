/**
 * Where batches go (PostgreSQL in production, a fake in unit tests). Returns rows written.
 * T is whatever form the sink wants queued events in (PostgreSQL's: one encoded row each).
 * `retry` is true when an earlier attempt at these events failed and may have been written
 * after all (the connection died around the commit): the sink must then skip events it
 * already has instead of failing on them.
 */
export interface EventSink<T> {
  write(events: T[], retry: boolean): Promise<number>;
}

export interface BatcherOptions {
  batchSize: number;
  flushIntervalMs: number;
  queueCap: number;
  /** First retry delay after a transient failure; doubles (with jitter) up to maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  isTransient: (error: unknown) => boolean;
  onWarn?: (message: string) => void;
}

export interface BatcherStats {
  queue_depth: number;
  queue_cap: number;
  enqueued: number;
  written: number;
  retried: number;
  flushes: number;
  dropped: { queue_full: number; permanent_error: number; shutdown_timeout: number };
  consecutive_failures: number;
  last_flush_at: string | null;
  last_flush_ms: number | null;
  last_error: string | null;
}

/**
 * In-process event batcher. Events wait in a bounded queue and are written in one
 * statement per batch when the batch is full, when the interval elapses, or at once
 * for critical events. A batch leaves the queue only once written: transient
 * database failures keep it queued and retry with jittered exponential backoff,
 * so nothing is lost below the cap; at the cap new events are dropped and counted
 * (never unbounded memory). A batch refused for its data is written again by halves,
 * so a bad event costs only itself, not the batch around it. One flush runs at a
 * time. shutdown() drains the queue.
 */
export class EventBatcher<T> {
  private queue: T[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly counters = {
    enqueued: 0,
    written: 0,
    retried: 0,
    flushes: 0,
    dropped: { queue_full: 0, permanent_error: 0, shutdown_timeout: 0 },
    consecutive_failures: 0,
    last_flush_at: null as string | null,
    last_flush_ms: null as number | null,
    last_error: null as string | null,
  };

  constructor(
    private readonly sink: EventSink<T>,
    private readonly options: BatcherOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues an event; false when the queue is at its cap (the event is dropped and counted). Never throws. */
  enqueue(event: T, critical = false): boolean {
    if (this.stopped || this.queue.length >= this.options.queueCap) return this.refuse();
    this.queue.push(event);
    this.counters.enqueued++;
    if (critical || this.queue.length >= this.options.batchSize) setImmediate(() => void this.flush());
    return true;
  }

  /** Counts an event dropped because the queue is at its cap or shut down (also for producers in front of it). */
  refuse(): false {
    this.counters.dropped.queue_full++;
    if (this.counters.dropped.queue_full === 1 || this.counters.dropped.queue_full % 1000 === 0) {
      this.options.onWarn?.(
        `event queue full (${this.options.queueCap}): ${this.counters.dropped.queue_full} event(s) dropped so far`,
      );
    }
    return false;
  }

  /** False once shutdown() has begun. */
  get accepting(): boolean {
    return !this.stopped;
  }

  get depth(): number {
    return this.queue.length;
  }

  stats(): BatcherStats {
    return { queue_depth: this.queue.length, queue_cap: this.options.queueCap, ...structuredClone(this.counters) };
  }

  /**
   * Writes every event queued before the call, in batches, unless a failure asks to back off.
   * A drain already in flight took its batch before the later events arrived, so it is joined and
   * the rest written after it; events queued after the call are left to the next flush.
   */
  async flush(): Promise<void> {
    const lastQueued = this.counters.enqueued;
    // Every event ever queued is either still queued or has left (written, or dropped by a write or at shutdown).
    const left = () => this.counters.enqueued - this.queue.length;
    while (left() < lastQueued && this.queue.length > 0 && Date.now() >= this.retryAt) {
      this.flushing ??= this.drain().finally(() => (this.flushing = null));
      await this.flushing;
    }
  }

  /**
   * Stops accepting events and writes everything queued, retrying transient failures
   * until `timeoutMs`; whatever is still queued then is counted as dropped.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      this.retryAt = Math.min(this.retryAt, Date.now());
      await this.flush();
      if (this.queue.length > 0) await sleep(Math.min(this.backoffMs(), Math.max(0, deadline - Date.now())));
    }
    if (this.queue.length > 0) {
      this.counters.dropped.shutdown_timeout += this.queue.length;
      this.options.onWarn?.(`shutdown timeout: ${this.queue.length} event(s) could not be written`);
      this.queue = [];
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.options.batchSize);
      const started = performance.now();
      try {
        await this.writeIsolatingBadEvents(batch, this.counters.consecutive_failures > 0);
        this.queue.splice(0, batch.length);
        this.counters.flushes++;
        this.counters.consecutive_failures = 0;
        this.counters.last_flush_at = new Date().toISOString();
        this.counters.last_flush_ms = Math.round((performance.now() - started) * 100) / 100;
        this.retryAt = 0;
        // A partial batch is written by the interval (or a critical event), not in a tight loop.
        if (this.queue.length < this.options.batchSize && !this.stopped) return;
      } catch (error) {
        // Only transient failures get here: the whole batch stays queued and is retried.
        this.counters.last_error = errorMessage(error);
        this.counters.retried++;
        this.counters.consecutive_failures++;
        this.retryAt = Date.now() + this.backoffMs();
        this.scheduleRetry();
        return;
      }
    }
  }

  /**
   * Writes a batch; when the database refuses it for its data (which cannot succeed on retry),
   * writes its halves instead, down to single events, and drops and counts only those refused
   * alone. Halves go the sink's idempotent way (`retry` = true), as does the whole batch when a
   * transient failure, thrown to the caller, keeps it queued: halves already written are
   * counted now and skipped then.
   */
  private async writeIsolatingBadEvents(batch: T[], retry: boolean): Promise<void> {
    try {
      this.counters.written += await this.sink.write(batch, retry);
    } catch (error) {
      if (this.options.isTransient(error)) throw error;
      this.counters.last_error = errorMessage(error);
      if (batch.length === 1) {
        this.counters.dropped.permanent_error++;
        this.options.onWarn?.(`dropped an event the database refused: ${this.counters.last_error}`);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.writeIsolatingBadEvents(batch.slice(0, half), true);
      await this.writeIsolatingBadEvents(batch.slice(half), true);
    }
  }

  private backoffMs(): number {
    const exp = Math.min(
      this.options.maxBackoffMs,
      this.options.baseBackoffMs * 2 ** Math.max(0, this.counters.consecutive_failures - 1),
    );
    return Math.round(exp / 2 + (Math.random() * exp) / 2);
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        // The timer is the backoff. Timers run on the event loop's clock, which can be a millisecond
        // behind Date.now(): gated on retryAt, an early firing skipped the retry and left the queue
        // waiting for the next interval flush.
        this.retryAt = 0;
        void this.flush();
      },
      Math.max(0, this.retryAt - Date.now()),
    );
    this.retryTimer.unref();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 300) : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
