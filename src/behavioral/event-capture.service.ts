import { randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';

import type { EventPipelineStatsProvider } from '../common/pipeline-stats';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';

import { EventBatcher } from './event-batcher';
import { encodeEvent, type EncodedEvent } from './event-encoding';
import {
  isCriticalEvent,
  requestEventData,
  type EventType,
  type RequestExtras,
  type TrackedRoute,
} from './event-types';
import { type BehavioralEventRecord, EventValidator } from './event-validator';
import { isTransientDatabaseError, PostgresEventSink } from './postgres-event-sink';
import { PrivacyFilter } from './privacy-filter';
import { uuid7 } from './uuid7';

export interface CaptureInput {
  userId: string;
  type: EventType | string;
  subtype?: string | null;
  sessionId?: string | null;
  data?: Record<string, unknown>;
  at?: Date;
}

// Captured events are filtered, validated, encoded and queued together, every INTAKE_INTERVAL_MS:
// in a loop the code runs warm, once per request it runs cold and cost about twice the CPU
// (docs/behavioral-events.md). Raw payloads stay in memory that long, never longer, and are never stored.
const INTAKE_INTERVAL_MS = 100;

// Generous: a shutdown should drain a full queue, not race a short timer (Segment lost the tail that way).
const SHUTDOWN_TIMEOUT_MS = 20_000;

/** Money amounts are stored as buckets in behavioural events, never as exact values. */
export function amountBucket(amount: number): string {
  const a = Math.abs(amount);
  if (a < 10) return '<10';
  if (a < 50) return '10-50';
  if (a < 100) return '50-100';
  if (a < 500) return '100-500';
  if (a < 1000) return '500-1000';
  return '1000+';
}

/**
 * The one entry point for behavioural events, from the tracking interceptor and from
 * services (domain events). One pipeline for every event: capture() puts it in the intake;
 * processIntake() filters it for privacy, validates it, encodes it as a COPY line and
 * queues it in the batcher, which writes batches with COPY (PostgresEventSink). Nothing
 * here awaits I/O; a failure is counted and swallowed, never the user's problem.
 */
@Injectable()
export class EventCaptureService implements OnModuleInit, OnModuleDestroy, EventPipelineStatsProvider {
  private readonly logger = new Logger('EventPipeline');
  private readonly privacy = new PrivacyFilter();
  readonly validator: EventValidator;
  readonly batcher: EventBatcher<EncodedEvent>;
  private filterFailures = 0;
  // Captured events and their times (ms), side by side: the times are plain numbers in one array,
  // not an object per event that would outlive young-generation collections until the intake runs.
  private intake: CaptureInput[] = [];
  private intakeTimes: number[] = [];
  private intakeTimer: NodeJS.Timeout | null = null;
  private intakeImmediate: NodeJS.Immediate | null = null;
  // Set by an admin at run time (PUT /admin/tracking); until then TRACKING_ENABLED decides.
  private switchedAt: { enabled: boolean; at: Date; by: string } | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    sink: PostgresEventSink,
  ) {
    this.validator = new EventValidator(config.events.maxPayloadBytes);
    this.batcher = new EventBatcher(sink, {
      batchSize: config.events.batchSize,
      flushIntervalMs: config.events.flushIntervalMs,
      queueCap: config.events.queueCap,
      baseBackoffMs: 200,
      maxBackoffMs: 30_000,
      isTransient: isTransientDatabaseError,
      onWarn: (message) => this.logger.warn(message),
    });
  }

  get enabled(): boolean {
    return this.switchedAt?.enabled ?? this.config.events.trackingEnabled;
  }

  /**
   * Starts or pauses capturing, without a restart (an operator's switch: an incident, database
   * maintenance, a privacy concern). Events captured before a pause are still written; while
   * paused, requests pass untracked and nothing is counted as dropped.
   */
  setEnabled(enabled: boolean, by: string): { tracking_enabled: boolean; switched_at: string; switched_by: string } {
    if (enabled !== this.enabled) this.logger.warn(`behavioural tracking ${enabled ? 'resumed' : 'paused'} by ${by}`);
    this.switchedAt = { enabled, at: new Date(), by };
    return { tracking_enabled: enabled, switched_at: this.switchedAt.at.toISOString(), switched_by: by };
  }

  onModuleInit(): void {
    this.batcher.start();
  }

  // onModuleDestroy runs before PrismaService disconnects (onApplicationShutdown): the queue drains first.
  async onModuleDestroy(): Promise<void> {
    this.processIntake();
    await this.batcher.shutdown(SHUTDOWN_TIMEOUT_MS);
  }

  /**
   * Takes one event: it waits, raw, in the intake for up to INTAKE_INTERVAL_MS (critical
   * events: until the next turn of the event loop), then is privacy-filtered, validated and
   * queued with the others captured meanwhile. Returns false when the pipeline is full or
   * stopped (counted as dropped). Never throws, never awaits.
   */
  capture(input: CaptureInput): boolean {
    if (!this.admits()) return false;
    this.intake.push(input);
    this.intakeTimes.push(input.at?.getTime() ?? Date.now());
    this.scheduleIntake(isCriticalEvent(input.type, input.subtype));
    return true;
  }

  /**
   * Takes the event of a tracked request (route pattern, method, status, duration, and the few
   * allowed request fields). `sessionId` null: the request named no session, a new id is made.
   */
  captureRequest(
    route: TrackedRoute,
    method: string,
    userId: string,
    sessionId: string | null,
    status: number,
    durationMs: number,
    extras: RequestExtras | null = null,
  ): boolean {
    if (!this.enabled) return false;
    return this.capture({
      userId,
      type: route.type,
      subtype: route.subtype,
      sessionId: sessionId ?? this.newSessionId(),
      data: requestEventData(route.route, method, status, durationMs, extras),
    });
  }

  private admits(): boolean {
    if (!this.enabled) return false;
    if (!this.batcher.accepting || this.depth >= this.config.events.queueCap) return this.batcher.refuse();
    return true;
  }

  private scheduleIntake(critical: boolean): void {
    if (critical) {
      this.intakeImmediate ??= setImmediate(() => this.processIntake());
    } else if (!this.intakeTimer) {
      this.intakeTimer = setTimeout(() => this.processIntake(), INTAKE_INTERVAL_MS);
      this.intakeTimer.unref();
    }
  }

  /** Events captured but not yet written: the intake plus the batcher's queue. */
  get depth(): number {
    return this.intake.length + this.batcher.depth;
  }

  /** Filters, validates, encodes and queues everything in the intake, in one loop. */
  processIntake(): void {
    if (this.intakeTimer) clearTimeout(this.intakeTimer);
    if (this.intakeImmediate) clearImmediate(this.intakeImmediate);
    this.intakeTimer = null;
    this.intakeImmediate = null;
    const inputs = this.intake;
    const times = this.intakeTimes;
    this.intake = [];
    this.intakeTimes = [];
    for (let i = 0; i < inputs.length; i++) this.prepareAndQueue(inputs[i], times[i]);
  }

  /** Writes everything captured so far (the interval does this on its own; tests and tools call it). */
  async flush(): Promise<void> {
    this.processIntake();
    await this.batcher.flush();
  }

  /** The pipeline for one event: privacy filter → validation → COPY line → batcher. */
  private prepareAndQueue(input: CaptureInput, atMs: number): void {
    try {
      let data: Record<string, unknown>;
      try {
        data = this.privacy.filter(input.data ?? {}) as Record<string, unknown>;
      } catch {
        // Fail closed: an event we cannot clean is not stored.
        this.filterFailures++;
        return;
      }
      const event = {
        id: uuid7(atMs),
        userId: input.userId,
        eventType: input.type as EventType,
        eventSubtype: input.subtype ?? null,
        sessionId: input.sessionId ?? null,
        eventData: data,
        timestamp: new Date(atMs),
      };
      const json = this.validator.accept(event);
      if (json !== null)
        this.batcher.enqueue(
          encodeEvent(event as BehavioralEventRecord, json),
          isCriticalEvent(event.eventType, event.eventSubtype),
        );
    } catch (error) {
      this.logger.error(`event capture failed: ${String(error)}`);
    }
  }

  // ── Domain events, for services ────────────────────────────────────────────

  transactionCreated(
    userId: string,
    t: { id: string; amount: number; category: string; type: 'debit' | 'credit'; source?: string },
  ): void {
    this.capture({
      userId,
      type: 'transaction_creation',
      subtype: 'transaction_created',
      data: {
        transaction_id: t.id,
        amount_bucket: amountBucket(t.amount),
        category: t.category,
        transaction_type: t.type,
        source: t.source ?? 'manual',
      },
    });
  }

  purchase(userId: string, p: { productId: string; quantity: number; total: number; category?: string | null }): void {
    this.capture({
      userId,
      type: 'purchase',
      subtype: 'product_purchase',
      data: {
        interaction_type: 'purchase',
        product_id: p.productId,
        quantity: p.quantity,
        amount_bucket: amountBucket(p.total),
        category: p.category ?? null,
      },
    });
  }

  recommendationInteraction(
    userId: string,
    r: {
      recommendationId: string;
      interaction: 'view' | 'click' | 'dismiss' | 'implement' | 'helpful' | 'not_helpful';
      actionType?: string;
      source?: string;
    },
  ): void {
    this.capture({
      userId,
      type: 'recommendation_interaction',
      subtype: `recommendation_${r.interaction}`,
      data: {
        interaction_type: r.interaction,
        recommendation_id: r.recommendationId,
        action_type: r.actionType ?? null,
        decision_source: r.source ?? null,
      },
    });
  }

  goalModification(userId: string, g: { interaction: string; goalAmount?: number; timelineDays?: number }): void {
    this.capture({
      userId,
      type: 'goal_modification',
      subtype: `goal_${g.interaction}`,
      data: {
        interaction_type: g.interaction,
        goal_amount_bucket: g.goalAmount !== undefined ? amountBucket(g.goalAmount) : null,
        timeline_days: g.timelineDays ?? null,
      },
    });
  }

  search(userId: string, s: { term: string; results: number }): void {
    this.capture({
      userId,
      type: 'search',
      subtype: 'product_search',
      data: { interaction_type: 'search', search_term: s.term.slice(0, 100), results: s.results },
    });
  }

  stats(): Record<string, unknown> {
    return {
      tracking_enabled: this.enabled,
      tracking_switched: this.switchedAt
        ? { enabled: this.switchedAt.enabled, at: this.switchedAt.at.toISOString(), by: this.switchedAt.by }
        : null,
      ...this.batcher.stats(),
      queue_depth: this.depth,
      intake_depth: this.intake.length,
      refused: { ...this.validator.refused, privacy_filter_failed: this.filterFailures },
      batch_size: this.config.events.batchSize,
      flush_interval_ms: this.config.events.flushIntervalMs,
    };
  }

  newSessionId(): string {
    return randomUUID();
  }
}
