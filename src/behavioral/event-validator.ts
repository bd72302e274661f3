import { z } from 'zod';
import { CRITICAL_EVENT_TYPES, isEventType, type EventType } from './event-types';

/** What callers hand to the pipeline (before privacy filtering and validation). */
export interface EventInput {
  userId: string | null | undefined;
  eventType: string;
  eventSubtype?: string | null;
  sessionId?: string | null;
  data: Record<string, unknown>;
  timestamp?: Date;
}

/** An accepted event, ready for the batcher: payload already serialised (its size was checked on that string). */
export interface BehavioralEventRecord {
  id: string;
  userId: string;
  eventType: EventType;
  eventSubtype: string | null;
  sessionId: string | null;
  json: string;
  timestamp: Date;
  critical: boolean;
}

export const REFUSAL_REASONS = ['missing_user', 'unknown_type', 'invalid_payload', 'oversized', 'privacy_filter_failed', 'capture_failed'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

const name = z.string().min(1).max(50);
const base = z.looseObject({ interaction_type: name });
const route = z.string().startsWith('/').max(300);

/** What each type must carry (the reference EventValidator's intent, enforced; extra keys allowed). */
export const EVENT_DATA_SCHEMAS: Record<EventType, z.ZodType> = {
  page_view: base.extend({ route }),
  recommendation_interaction: base.extend({ recommendation_id: z.string().max(64).nullish() }),
  purchase: base.extend({ product_id: z.string().max(64).nullish(), quantity: z.number().int().min(0).nullish() }),
  goal_modification: base,
  transaction_creation: base.extend({ amount_bucket: z.string().max(20).nullish(), category: z.string().max(50).nullish() }),
  transaction_interaction: base.extend({ transaction_id: z.string().min(1).max(64) }),
  search: base.extend({ search_term: z.string().max(200) }),
  interaction: base.extend({ route }),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SUBTYPE = /^[a-z0-9_]{1,50}$/;

export type ValidationResult = { ok: true; record: Omit<BehavioralEventRecord, 'id'> } | { ok: false; reason: RefusalReason };

/**
 * Decides whether an event may be stored. Refusals are counted by reason and
 * never thrown: tracking must not be able to fail a request.
 */
export class EventValidator {
  private readonly refused: Record<RefusalReason, number> = Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])) as Record<RefusalReason, number>;

  constructor(private readonly maxPayloadBytes: number) {}

  validate(input: EventInput): ValidationResult {
    try {
      if (!input.userId || !UUID.test(input.userId)) return this.refuse('missing_user');
      if (!isEventType(input.eventType)) return this.refuse('unknown_type');
      const subtype = input.eventSubtype ?? null;
      if (subtype !== null && !SUBTYPE.test(subtype)) return this.refuse('invalid_payload');
      const session = input.sessionId ?? null;
      if (session !== null && (session.length === 0 || session.length > 64)) return this.refuse('invalid_payload');
      const timestamp = input.timestamp ?? new Date();
      if (Number.isNaN(timestamp.getTime())) return this.refuse('invalid_payload');
      if (!EVENT_DATA_SCHEMAS[input.eventType].safeParse(input.data).success) return this.refuse('invalid_payload');
      const json = JSON.stringify(input.data);
      // Size on the serialised form, in bytes (UTF-8), as PostgreSQL will store it.
      if (json.length > this.maxPayloadBytes || Buffer.byteLength(json) > this.maxPayloadBytes) return this.refuse('oversized');
      return {
        ok: true,
        record: {
          userId: input.userId,
          eventType: input.eventType,
          eventSubtype: subtype,
          sessionId: session,
          json,
          timestamp,
          critical: CRITICAL_EVENT_TYPES.has(input.eventType),
        },
      };
    } catch {
      // e.g. a payload JSON.stringify cannot serialise: refused, never thrown.
      return this.refuse('invalid_payload');
    }
  }

  /** Counts a refusal decided elsewhere in the pipeline (privacy filter or capture failure). */
  refuse(reason: RefusalReason): { ok: false; reason: RefusalReason } {
    this.refused[reason]++;
    return { ok: false, reason };
  }

  refusals(): Record<RefusalReason, number> {
    return { ...this.refused };
  }
}
