/** Behavioural event types (contract); endpoint-specific names of the reference system are subtypes. */
export const EVENT_TYPES = [
  'page_view',
  'recommendation_interaction',
  'purchase',
  'goal_modification',
  'transaction_creation',
  'transaction_interaction',
  'search',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Written at once instead of waiting for the next batch (they also feed behaviour-change analysis). */
export const CRITICAL_EVENT_TYPES: ReadonlySet<EventType> = new Set([
  'purchase',
  'goal_modification',
  'recommendation_interaction',
]);

/**
 * Whether an event is written at once. A recommendation's view is the exception among critical
 * types: the server records it itself when it serves the recommendation, whose history row is
 * already stored by then, so it waits for the next batch like a request event instead of costing
 * every recommendation a transaction of its own.
 */
export function isCriticalEvent(type: string, subtype: string | null | undefined): boolean {
  return (
    CRITICAL_EVENT_TYPES.has(type as EventType) &&
    !(type === 'recommendation_interaction' && subtype === 'recommendation_view')
  );
}

/** Paths never tracked: docs, health/ops endpoints, credential exchanges, static files. */
const EXCLUDED_PREFIXES = [
  '/docs',
  '/openapi.json',
  '/health',
  '/info',
  '/metrics',
  '/auth/login',
  '/auth/register',
  '/auth/refresh',
  '/coaching/enhanced-health',
  '/coaching/health',
];
const STATIC_FILE = /\.(css|js|map|png|jpe?g|gif|ico|svg|woff2?)$/i;

export function isTracked(path: string): boolean {
  if (STATIC_FILE.test(path)) return false;
  return !EXCLUDED_PREFIXES.some(
    (prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`),
  );
}

// The reference system's endpoint names, keyed by route pattern (method-specific where it matters).
const SUBTYPES: Record<string, string> = {
  'GET /coaching/recommendation': 'recommendation_view',
  'GET /coaching/enhanced-recommendation': 'recommendation_view',
  'POST /coaching/feedback': 'recommendation_feedback',
  'GET /coaching/financial-state': 'financial_state_view',
  'GET /coaching/insights': 'insights_view',
  'GET /coaching/history': 'history_view',
  'POST /coaching/goal-probability': 'goal_check',
  'GET /financial/transactions': 'transaction_view',
  'POST /financial/transactions': 'transaction_create',
  'PUT /financial/transactions/:id': 'transaction_update',
  'DELETE /financial/transactions/:id': 'transaction_delete',
  'POST /financial/import': 'statement_import',
  'GET /financial/wallet': 'wallet_view',
  'GET /financial/analytics/spending-by-category': 'analytics_view',
  'GET /financial/health-summary': 'health_summary_view',
  'GET /financial/balance-history': 'balance_history_view',
  'GET /financial/monthly-summary': 'monthly_summary_view',
  'GET /products': 'product_browse',
  'GET /products/': 'product_browse',
  'GET /products/:id': 'product_view',
  'POST /products/purchase': 'product_purchase',
  'GET /products/categories': 'category_browse',
  'GET /products/popular': 'popular_products_view',
  'GET /products/search/:term': 'product_search',
  'GET /products/category/:category_id/products': 'category_products_view',
  'PUT /auth/profile': 'profile_update',
};

/**
 * Request events: every tracked request is a `page_view` whose subtype is the endpoint's
 * name (the reference system's names, by route pattern — never the raw URL). What the
 * request *did* (a purchase, a transaction, feedback, a goal change, a search) is recorded
 * by the service that did it, as a domain event with its details, so nothing counts twice.
 */
export function classifyRequest(method: string, route: string): { type: EventType; subtype: string } {
  const subtype =
    SUBTYPES[`${method} ${route}`] ??
    `${method.toLowerCase()}_${route.replace(/^\//, '').replace(/[/:]+/g, '_') || 'root'}`;
  return { type: 'page_view', subtype: subtype.slice(0, 50) };
}

/** How one tracked route's requests are recorded (worked out once per route by the interceptor). */
export interface TrackedRoute {
  readonly route: string;
  readonly type: EventType;
  readonly subtype: string;
}

/** The few request fields a request event may carry (then privacy-filtered); never whole bodies. */
export interface RequestExtras {
  fields?: Record<string, unknown>;
  searchTerm?: string;
}

/** The payload of a tracked request's event (contract: path, method, status, duration in ms to two decimals). */
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
    duration_ms: Math.round(durationMs * 100) / 100,
    interaction_type: 'request',
  };
  if (extras?.searchTerm) data.search_term = extras.searchTerm;
  if (extras?.fields) data.request = extras.fields;
  return data;
}
