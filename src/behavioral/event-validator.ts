import { z } from 'zod';
import { EVENT_TYPES, type EventType } from './event-types';

/** An event ready for the batcher (already privacy-filtered). */
export interface BehavioralEventRecord {
  id: string;
  userId: string;
  eventType: EventType;
  eventSubtype: string | null;
  sessionId: string | null;
  eventData: Record<string, unknown>;
  timestamp: Date;
}

const common = {
  id: z.uuid(),
  userId: z.uuid(),
  eventSubtype: z.string().min(1).max(50).nullable(),
  sessionId: z.string().min(1).max(64).nullable(),
  timestamp: z.date(),
};
const data = z.record(z.string(), z.unknown());
// A payload that must carry these keys (others pass through): a loose object, cheaper than an intersection.
const carrying = (shape: Record<string, z.ZodType>) => z.object(shape).loose();
const name = z.string().min(1);

// What each type must carry (the original EventValidator's intent, enforced).
const schemas: Record<EventType, z.ZodType> = {
  page_view: z.object({ ...common, eventType: z.literal('page_view'), eventData: carrying({ page_url: name }) }),
  recommendation_interaction: z.object({
    ...common,
    eventType: z.literal('recommendation_interaction'),
    eventData: carrying({ interaction_type: name }),
  }),
  purchase: z.object({ ...common, eventType: z.literal('purchase'), eventData: carrying({ interaction_type: name }) }),
  goal_modification: z.object({ ...common, eventType: z.literal('goal_modification'), eventData: carrying({ interaction_type: name }) }),
  transaction_creation: z.object({ ...common, eventType: z.literal('transaction_creation'), eventData: data }),
  transaction_interaction: z.object({
    ...common,
    eventType: z.literal('transaction_interaction'),
    eventData: carrying({ transaction_id: name, interaction_type: name }),
  }),
  search: z.object({ ...common, eventType: z.literal('search'), eventData: data }),
};

export type RefusalReason = 'unknown_type' | 'missing_user' | 'oversized' | 'invalid_payload';

/** Checks events against their type's schema and size limit; refusals are counted by reason, never thrown. */
export class EventValidator {
  readonly refused: Record<RefusalReason, number> = { unknown_type: 0, missing_user: 0, oversized: 0, invalid_payload: 0 };

  constructor(private readonly maxPayloadBytes: number) {}

  validate(event: Omit<Partial<BehavioralEventRecord>, 'eventType'> & { eventType?: string }): event is BehavioralEventRecord {
    if (!event.eventType || !(EVENT_TYPES as readonly string[]).includes(event.eventType)) return this.refuse('unknown_type');
    if (!event.userId) return this.refuse('missing_user');
    let size: number;
    try {
      size = Buffer.byteLength(JSON.stringify(event.eventData ?? {}));
    } catch {
      return this.refuse('invalid_payload');
    }
    if (size > this.maxPayloadBytes) return this.refuse('oversized');
    if (!schemas[event.eventType as EventType].safeParse(event).success) return this.refuse('invalid_payload');
    return true;
  }

  private refuse(reason: RefusalReason): false {
    this.refused[reason]++;
    return false;
  }
}
