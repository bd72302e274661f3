import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { EventPipelineStatsProvider } from '../common/pipeline-stats';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { EventBatcher, type BatcherStats, type EventSink } from './event-batcher';
import { EventValidator, type EventInput, type RefusalReason } from './event-validator';
import { classifyDatabaseError } from './postgres-event-sink';
import { PrivacyFilter } from './privacy-filter';
import { uuid7 } from './uuid7';

export const EVENT_SINK = Symbol('EVENT_SINK');

/** A sink that owns resources (the PostgreSQL sink's pool) closes them after the final flush. */
export type ClosableEventSink = EventSink & { close?: () => Promise<void> };

/** Generous: losing the tail on shutdown is what the design notes warn about (main.ts force-exits at 30 s). */
export const SHUTDOWN_FLUSH_TIMEOUT_MS = 20_000;
export const RETRY_BASE_MS = 100;
export const RETRY_MAX_MS = 5_000;

export type PipelineStats = BatcherStats & {
  status: 'healthy' | 'degraded' | 'disabled';
  tracking_enabled: boolean;
  refused: Record<RefusalReason, number>;
};

/**
 * privacy filter → validator → batcher → sink, plus the lifecycle: the interval
 * starts with the module; on shutdown the queue is flushed while requests may still
 * finish (onModuleDestroy), then, once the HTTP server is closed, new events are
 * refused, the rest is written with a hard timeout and the sink's pool closed.
 */
@Injectable()
export class EventPipeline implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown, EventPipelineStatsProvider {
  private readonly logger = new Logger('BehavioralEvents');
  readonly enabled: boolean;
  readonly filter = new PrivacyFilter();
  readonly validator: EventValidator;
  readonly batcher: EventBatcher;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(EVENT_SINK) private readonly sink: ClosableEventSink,
  ) {
    this.enabled = config.events.trackingEnabled;
    this.validator = new EventValidator(config.events.maxPayloadBytes);
    this.batcher = new EventBatcher(sink, {
      batchSize: config.events.batchSize,
      flushIntervalMs: config.events.flushIntervalMs,
      queueCap: config.events.queueCap,
      baseBackoffMs: RETRY_BASE_MS,
      maxBackoffMs: RETRY_MAX_MS,
      classify: classifyDatabaseError,
      onWarn: (message) => this.logger.warn(message),
    });
  }

  /**
   * Filters, validates and queues one event. Synchronous, no I/O, never throws:
   * false when tracking is off or the event was refused/dropped (counted).
   */
  submit(input: EventInput): boolean {
    if (!this.enabled) return false;
    let data: Record<string, unknown>;
    try {
      data = this.filter.filter(input.data);
    } catch {
      // Fail closed: an event the filter cannot clean is never stored.
      this.validator.refuse('privacy_filter_failed');
      return false;
    }
    try {
      const result = this.validator.validate({ ...input, data });
      if (!result.ok) return false;
      return this.batcher.enqueue({ id: uuid7(result.record.timestamp.getTime()), ...result.record });
    } catch {
      this.validator.refuse('capture_failed');
      return false;
    }
  }

  /** For the interceptor: a failure while building the event (counted, never thrown). */
  captureFailed(): void {
    this.validator.refuse('capture_failed');
  }

  stats(): PipelineStats {
    const b = this.batcher.stats();
    const recentlyFailing = b.consecutive_failures > 0 || b.queue_depth + b.in_flight >= b.queue_cap;
    return {
      status: !this.enabled ? 'disabled' : recentlyFailing ? 'degraded' : 'healthy',
      tracking_enabled: this.enabled,
      ...b,
      refused: this.validator.refusals(),
    };
  }

  onModuleInit(): void {
    if (this.enabled) this.batcher.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.batcher.flush(SHUTDOWN_FLUSH_TIMEOUT_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.batcher.stop(SHUTDOWN_FLUSH_TIMEOUT_MS);
    try {
      await this.sink.close?.();
    } catch (error) {
      this.logger.warn(`closing the event sink failed: ${(error as Error).message}`);
    }
  }
}
