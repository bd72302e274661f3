import { randomUUID } from 'node:crypto';
import type { EventType } from './event-types';
import type { EventInput } from './event-validator';
import { amountBucket, classifyRoute } from './request-classifier';

/** What the interceptor knows about a finished request (no Fastify types: pure and unit-testable). */
export interface RequestView {
  method: string;
  route: string;
  statusCode: number;
  durationMs: number;
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

type Extract = (body: Record<string, unknown>, data: Record<string, unknown>) => { type?: EventType; interaction?: string } | void;

const PROFILE_FIELDS = ['monthly_income', 'savings_goal', 'risk_tolerance', 'financial_goals'];
const GOAL_FIELDS = new Set(['savings_goal', 'financial_goals']);
const SAFE_WORD = /^[a-z][a-z0-9_]{0,49}$/;
const ID = /^[A-Za-z0-9-]{1,64}$/;

const word = (v: unknown) => (typeof v === 'string' && SAFE_WORD.test(v) ? v : null);
const id = (v: unknown) => (typeof v === 'string' && ID.test(v) ? v : typeof v === 'number' && Number.isInteger(v) ? String(v) : null);

/**
 * The only request-body fields ever recorded, per route: everything else in a
 * body is ignored (auth bodies are never read at all). Amounts become buckets.
 */
const BODY_FIELDS: Record<string, Extract> = {
  'POST /financial/transactions': (b, d) => {
    d.amount_bucket = amountBucket(b.amount);
    const n = Number(b.amount);
    d.direction = Number.isFinite(n) && n !== 0 ? (n > 0 ? 'credit' : 'debit') : null;
    d.category = word(b.category);
  },
  'POST /products/purchase': (b, d) => {
    d.product_id = id(b.product_id);
    d.quantity = Number.isInteger(b.quantity) ? b.quantity : null;
  },
  'POST /coaching/feedback': (b, d) => {
    d.recommendation_id = id(b.recommendation_id);
    if (typeof b.helpful === 'boolean') return { interaction: b.helpful ? 'helpful' : 'not_helpful' };
  },
  'POST /coaching/goal-probability': (b, d) => {
    d.goal_amount_bucket = amountBucket(b.goal_amount);
    d.timeline_days = Number.isInteger(b.timeline_days) ? b.timeline_days : null;
  },
  'PUT /auth/profile': (b, d) => {
    const changed = PROFILE_FIELDS.filter((f) => b[f] !== undefined && b[f] !== null);
    d.changed_fields = changed;
    if (changed.some((f) => GOAL_FIELDS.has(f))) return { type: 'goal_modification', interaction: 'update' };
  },
};

const SEARCH_KEYS = ['search', 'q'];

function searchTerm(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const term = value.trim().toLowerCase().slice(0, 100);
  return term.length > 0 ? term : null;
}

/**
 * Builds the behavioural event of an authenticated request (before the privacy
 * filter, which runs on every event). Records the route pattern, never the raw URL.
 */
export function buildRequestEvent(view: RequestView, userId: string, sessionId: string | null, timestamp = new Date()): EventInput {
  const c = classifyRoute(view.method, view.route);
  let type = c.type;
  let interaction = c.interactionType;
  const data: Record<string, unknown> = {
    route: view.route,
    method: view.method,
    status_code: view.statusCode,
    outcome: view.statusCode >= 500 ? 'server_error' : view.statusCode >= 400 ? 'client_error' : 'success',
    duration_ms: Math.round(view.durationMs * 100) / 100,
  };

  const params = isRecord(view.params) ? { ...view.params } : undefined;
  if (params && 'term' in params) {
    data.search_term = searchTerm(params.term);
    delete params.term;
  }
  if (params && Object.keys(params).length > 0) data.params = params;

  if (isRecord(view.query)) {
    const query: Record<string, unknown> = {};
    for (const key of Object.keys(view.query)) {
      if (SEARCH_KEYS.includes(key)) {
        const term = searchTerm(view.query[key]);
        if (term) data.search_term = term;
      } else query[key] = view.query[key];
    }
    if (Object.keys(query).length > 0) data.query = query;
  }
  if (typeof data.search_term === 'string') {
    type = 'search';
    interaction = 'search';
  } else delete data.search_term;

  const extract = BODY_FIELDS[`${view.method} ${view.route}`];
  if (extract && isRecord(view.body)) {
    const refined = extract(view.body, data);
    if (refined?.type) type = refined.type;
    if (refined?.interaction) interaction = refined.interaction;
  }
  data.interaction_type = interaction;
  return { userId, eventType: type, eventSubtype: c.subtype, sessionId, data, timestamp };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SESSION_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const SESSION_COOKIE = /(?:^|;\s*)session_id=([^;]*)/;

/** `x-session-id` header, else the `session_id` cookie, else a new id (malformed values are ignored). */
export function sessionIdFrom(headers: Record<string, string | string[] | undefined>): string {
  const header = headers['x-session-id'];
  if (typeof header === 'string' && SESSION_ID.test(header)) return header;
  const cookie = headers.cookie;
  if (typeof cookie === 'string') {
    const match = SESSION_COOKIE.exec(cookie);
    if (match) {
      const value = safeDecode(match[1].trim());
      if (value && SESSION_ID.test(value)) return value;
    }
  }
  return randomUUID();
}

function safeDecode(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}
