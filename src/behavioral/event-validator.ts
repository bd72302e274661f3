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

/**
 * The non-empty text fields each event type's payload must carry (the original EventValidator's
 * intent, enforced); other keys pass through untouched.
 */
export const REQUIRED_PAYLOAD_TEXT: Record<EventType, readonly string[]> = {
  page_view: ['page_url'],
  recommendation_interaction: ['interaction_type'],
  purchase: ['interaction_type'],
  goal_modification: ['interaction_type'],
  transaction_creation: [],
  transaction_interaction: ['transaction_id', 'interaction_type'],
  search: [],
};

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type RefusalReason = 'unknown_type' | 'missing_user' | 'oversized' | 'invalid_payload';

type CandidateEvent = Omit<Partial<BehavioralEventRecord>, 'eventType'> & { eventType?: string };

/**
 * Checks events before they are queued; refusals are counted by reason, never thrown.
 * The envelope (ids, subtype, session, timestamp) is the same for every type; the payload
 * must carry its type's required text fields. Plain code, no schema library: this runs for
 * every tracked request, and a schema parse builds a copy of each payload only to drop it.
 */
export class EventValidator {
  readonly refused: Record<RefusalReason, number> = {
    unknown_type: 0,
    missing_user: 0,
    oversized: 0,
    invalid_payload: 0,
  };

  constructor(private readonly maxPayloadBytes: number) {}

  /** The payload's JSON when the event may be stored (measured once, encoded as is); null when refused, counted. */
  accept(event: CandidateEvent): string | null {
    const result = this.examine(event);
    if (typeof result === 'string') return result;
    this.refused[result.reason]++;
    return null;
  }

  /** Why the event would be refused, or null; counts nothing. */
  refusalOf(event: CandidateEvent): RefusalReason | null {
    const result = this.examine(event);
    return typeof result === 'string' ? null : result.reason;
  }

  private examine(event: CandidateEvent): string | Refusal {
    if (!event.eventType || !KNOWN_TYPES.has(event.eventType)) return REFUSED.unknown_type;
    if (!event.userId) return REFUSED.missing_user;
    if (!validEnvelope(event)) return REFUSED.invalid_payload;
    let json: string;
    try {
      json = JSON.stringify(event.eventData);
    } catch {
      return REFUSED.invalid_payload;
    }
    // Length counts UTF-16 units; ×3 bounds the UTF-8 size, so only long payloads are measured exactly.
    const size = json.length * 3 <= this.maxPayloadBytes ? json.length : Buffer.byteLength(json);
    if (size > this.maxPayloadBytes) return REFUSED.oversized;
    if (!carriesRequiredText(event.eventData!, REQUIRED_PAYLOAD_TEXT[event.eventType as EventType]))
      return REFUSED.invalid_payload;
    return json;
  }
}

type Refusal = { readonly reason: RefusalReason };
const REFUSED: Record<RefusalReason, Refusal> = {
  unknown_type: { reason: 'unknown_type' },
  missing_user: { reason: 'missing_user' },
  oversized: { reason: 'oversized' },
  invalid_payload: { reason: 'invalid_payload' },
};

function validEnvelope(event: CandidateEvent): boolean {
  return (
    typeof event.id === 'string' &&
    UUID.test(event.id) &&
    typeof event.userId === 'string' &&
    UUID.test(event.userId) &&
    optionalText(event.eventSubtype, 50) &&
    optionalText(event.sessionId, 64) &&
    event.timestamp instanceof Date &&
    !Number.isNaN(event.timestamp.getTime()) &&
    typeof event.eventData === 'object' &&
    event.eventData !== null &&
    !Array.isArray(event.eventData)
  );
}

function optionalText(value: unknown, maxLength: number): boolean {
  return value === null || (typeof value === 'string' && value.length >= 1 && value.length <= maxLength);
}

function carriesRequiredText(payload: Record<string, unknown>, fields: readonly string[]): boolean {
  for (const field of fields) {
    const value = payload[field];
    if (typeof value !== 'string' || value.length === 0) return false;
  }
  return true;
}
