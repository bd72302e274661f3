import type { BehavioralEventRecord } from './event-validator';

/** One event as a line of COPY's text format, encoded once, when the event is queued. */
export type EncodedEvent = string & { readonly __encodedEvent: unique symbol };

/** The columns of an encoded line, in order. */
export const EVENT_COLUMNS = 'id, user_id, event_type, event_subtype, session_id, event_data, "timestamp"';

/**
 * Events wait in the queue already encoded (up to the flush interval, and longer while the
 * database is away). One flat string per event instead of a tree of objects: under load the
 * queued trees survived young-generation collections and were copied and promoted, which
 * more than doubled the API's garbage-collection time with tracking on (docs/benchmarks.md).
 * `json` is the payload's JSON when the caller already has it (the validator measured it).
 */
export function encodeEvent(e: BehavioralEventRecord, json: string = JSON.stringify(e.eventData)): EncodedEvent {
  // Array join builds one flat string; a template literal builds a rope of its parts, which every
  // later read (the user id at its offset, the batch's join) would flatten again.
  return [
    e.id,
    e.userId,
    e.eventType,
    copyField(e.eventSubtype),
    copyField(e.sessionId),
    jsonField(json),
    `${e.timestamp.toISOString()}\n`,
  ].join('\t') as EncodedEvent;
}

// Ids are validated UUIDs, so each line starts with `<id>\t<user id>\t` at fixed offsets.
const UUID_LENGTH = 36;
const USER_ID_OFFSET = UUID_LENGTH + 1;

export function userIdOf(row: EncodedEvent): string {
  return row.slice(USER_ID_OFFSET, USER_ID_OFFSET + UUID_LENGTH);
}

// Consecutive events mostly share a user: compare in place before cutting out and hashing an id.
export function distinctUserIds(rows: EncodedEvent[]): string[] {
  const ids = new Set<string>();
  let last = '';
  for (const row of rows) {
    if (last !== '' && row.startsWith(last, USER_ID_OFFSET)) continue;
    last = userIdOf(row);
    ids.add(last);
  }
  return [...ids];
}

// COPY text format: backslash, tab, newline and carriage return are escaped; \N is NULL.
const COPY_SPECIAL_ALL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * JSON text (JSON.stringify's) as a COPY field: JSON escapes every control character, tab and
 * line breaks included, so only its backslashes need doubling — one scan for one character.
 */
function jsonField(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/** A text column's value in COPY's text format. */
export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return hasCopySpecial(value) ? value.replace(COPY_SPECIAL_ALL, (ch) => COPY_ESCAPES[ch]) : value;
}

// The fields are short (a subtype, a session id): a loop over them costs less than calling a regex.
function hasCopySpecial(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 9 || c === 10 || c === 13) return true;
  }
  return false;
}
