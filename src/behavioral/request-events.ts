import { copyField, encodeEvent, encodeLine, type EncodedEvent, isoTime } from './event-encoding';
import { CRITICAL_EVENT_TYPES, type EventType } from './event-types';

/** The few request fields a request event may carry (then privacy-filtered); never whole bodies. */
export interface RequestExtras {
  fields?: Record<string, unknown>;
  searchTerm?: string;
}

/** How one tracked route's requests are recorded: its type and subtype, and its template when it can have one. */
export interface TrackedRoute {
  readonly route: string;
  readonly type: EventType;
  readonly subtype: string;
  readonly template: RequestEventTemplate | null;
}

/** Duration as stored: milliseconds to two decimals. */
export function roundDuration(durationMs: number): number {
  return Math.round(durationMs * 100) / 100;
}

/** The payload of a tracked request's event (contract: path, method, status, duration). */
export function requestEventData(
  route: string,
  method: string,
  status: number,
  durationMs: number,
  extras?: RequestExtras | null,
): Record<string, unknown> {
  const data: Record<string, unknown> = {
    page_url: route,
    method,
    status_code: status,
    duration_ms: roundDuration(durationMs),
    interaction_type: 'request',
  };
  if (extras?.searchTerm) data.search_term = extras.searchTerm;
  if (extras?.fields) data.request = extras.fields;
  return data;
}

/**
 * One tracked route's request events, encoded from a template. Most tracked requests carry
 * nothing from the user: their payload is the route's constants plus the status and the
 * duration, two numbers from Fastify. The capture service compiles a template only for a
 * route whose constants the privacy filter keeps unchanged and the validator accepts (the
 * check that would otherwise run on every one of its events), so an event encoded here is
 * the same line the general path writes — compile() verifies that on samples, and the unit
 * tests across routes, statuses and durations. Requests with fields of their own (a body,
 * a search term) take the general path.
 */
export class RequestEventTemplate {
  readonly critical: boolean;
  private readonly subtypeColumn: string;

  private constructor(
    readonly type: EventType,
    readonly subtype: string,
    readonly route: string,
    readonly method: string,
    /** The payload's JSON, COPY-escaped, around the status and the duration. */
    private readonly jsonHead: string,
    private readonly jsonTail: string,
  ) {
    this.critical = CRITICAL_EVENT_TYPES.has(type);
    this.subtypeColumn = copyField(subtype);
  }

  /** Null when the constants do not survive encoding unchanged (the general path then serves the route). */
  static compile(type: EventType, subtype: string, route: string, method: string): RequestEventTemplate | null {
    const sample = JSON.stringify(requestEventData(route, method, 0, 0));
    const cut = sample.indexOf(STATUS_AND_DURATION);
    if (cut < 0) return null;
    const template = new RequestEventTemplate(
      type,
      subtype,
      route,
      method,
      copyField(sample.slice(0, cut) + STATUS_KEY),
      copyField(sample.slice(cut + STATUS_AND_DURATION.length)),
    );
    return template.matchesGeneralPath() ? template : null;
  }

  /** Whether encode() can take these numbers; anything else goes through the general path. */
  accepts(status: number, durationMs: number): boolean {
    return Number.isInteger(status) && status >= 100 && status <= 999 && Number.isFinite(durationMs);
  }

  /** The event's line; `at` is its time in epoch ms. */
  encode(id: string, userId: string, sessionId: string, status: number, durationMs: number, at: number): EncodedEvent {
    const duration = roundDuration(durationMs);
    return encodeLine([
      id,
      userId,
      this.type,
      this.subtypeColumn,
      copyField(sessionId),
      `${this.jsonHead}${status}${DURATION_KEY}${duration}${this.jsonTail}`,
      isoTime(at),
    ]);
  }

  private matchesGeneralPath(): boolean {
    const id = '0192f5a0-0000-7000-8000-000000000001';
    const userId = '11111111-1111-4111-8111-111111111111';
    const at = Date.UTC(2026, 10, 25, 10, 0, 0, 123);
    return [
      [200, 1.234],
      [404, 0],
      [503, 98765.4321],
    ].every(([status, duration]) => {
      const general = encodeEvent({
        id,
        userId,
        eventType: this.type,
        eventSubtype: this.subtype,
        sessionId: 's\t1',
        eventData: requestEventData(this.route, this.method, status, duration),
        timestamp: new Date(at),
      });
      return this.accepts(status, duration) && this.encode(id, userId, 's\t1', status, duration, at) === general;
    });
  }
}

const STATUS_KEY = '"status_code":';
const DURATION_KEY = ',"duration_ms":';
// requestEventData(…, 0, 0) serializes the two numbers as this, in this order.
const STATUS_AND_DURATION = `${STATUS_KEY}0${DURATION_KEY}0`;
