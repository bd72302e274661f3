import type { EventType } from './event-types';

/**
 * Never tracked (contract): docs, ops/health probes, credential exchanges, static
 * files. Matched on the route pattern as a path segment prefix, so `/health` and
 * `/health/ready` are excluded but `/financial/health-summary` is a normal page.
 * `/coaching/health`, `/coaching/enhanced-health` and `/coaching/event-pipeline-health`
 * are operators' probes (public or admin, not user behaviour): excluded too.
 */
const EXCLUDED = [
  '/docs',
  '/openapi.json',
  '/health',
  '/info',
  '/metrics',
  '/auth/login',
  '/auth/register',
  '/auth/refresh',
  '/coaching/health',
  '/coaching/enhanced-health',
  '/coaching/event-pipeline-health',
];
const STATIC_FILE = /\.(css|js|mjs|map|png|jpe?g|gif|ico|svg|webp|woff2?|ttf|txt)$/i;

export function isTrackedRoute(route: string): boolean {
  if (route === '' || STATIC_FILE.test(route)) return false;
  for (const prefix of EXCLUDED) {
    if (route === prefix || route.startsWith(`${prefix}/`) || (prefix === '/health' && route.startsWith('/health'))) return false;
  }
  return true;
}

export interface Classification {
  type: EventType;
  subtype: string;
  /** The default interaction type (request events refine it, e.g. helpful/not_helpful). */
  interactionType: string;
}

// The reference system's endpoint names (§3.4) plus the rebuild's new routes, by METHOD + route pattern.
const NAMED: Record<string, { subtype: string; type?: EventType; interaction?: string }> = {
  'GET /coaching/recommendation': { subtype: 'recommendation_view', type: 'recommendation_interaction', interaction: 'view' },
  'GET /coaching/enhanced-recommendation': { subtype: 'enhanced_recommendation_view', type: 'recommendation_interaction', interaction: 'view' },
  'POST /coaching/feedback': { subtype: 'recommendation_feedback', type: 'recommendation_interaction', interaction: 'feedback' },
  'GET /coaching/financial-state': { subtype: 'financial_state_view' },
  'GET /coaching/insights': { subtype: 'insights_view' },
  'GET /coaching/history': { subtype: 'history_view' },
  'POST /coaching/goal-probability': { subtype: 'goal_probability_check' },
  'GET /financial/transactions': { subtype: 'transaction_view' },
  'POST /financial/transactions': { subtype: 'transaction_create', type: 'transaction_creation', interaction: 'create' },
  'GET /financial/transactions/:id': { subtype: 'transaction_detail_view' },
  'GET /financial/transaction/:id': { subtype: 'transaction_detail_view' },
  'PUT /financial/transactions/:id': { subtype: 'transaction_update', type: 'transaction_interaction', interaction: 'update' },
  'DELETE /financial/transactions/:id': { subtype: 'transaction_delete', type: 'transaction_interaction', interaction: 'delete' },
  'POST /financial/import': { subtype: 'statement_import', type: 'transaction_creation', interaction: 'import' },
  'GET /financial/wallet': { subtype: 'wallet_view' },
  'GET /financial/analytics/spending-by-category': { subtype: 'analytics_view' },
  'GET /financial/health-summary': { subtype: 'health_summary_view' },
  'GET /financial/balance-history': { subtype: 'balance_history_view' },
  'GET /financial/monthly-summary': { subtype: 'monthly_summary_view' },
  'GET /financial/spending-patterns': { subtype: 'spending_patterns_view' },
  'GET /products': { subtype: 'product_browse' },
  'GET /products/': { subtype: 'product_browse' },
  'GET /products/:id': { subtype: 'product_view' },
  'POST /products/purchase': { subtype: 'product_purchase', type: 'purchase', interaction: 'purchase' },
  'GET /products/categories': { subtype: 'category_browse' },
  'GET /products/popular': { subtype: 'popular_products_view' },
  'GET /products/search/:term': { subtype: 'product_search', type: 'search', interaction: 'search' },
  'GET /products/category/:category_id/products': { subtype: 'category_products_view' },
  'GET /products/purchases/history': { subtype: 'purchase_history_view' },
  'GET /auth/me': { subtype: 'account_view' },
  'GET /auth/profile': { subtype: 'profile_view' },
  'PUT /auth/profile': { subtype: 'profile_update' },
};

const METHOD_INTERACTION: Record<string, string> = { GET: 'view', HEAD: 'view', POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };

/**
 * The event a request stands for, from its METHOD and route pattern only. Named
 * routes keep the reference system's names as subtypes; the rest follow its prefix
 * rules: POST under /coaching is a recommendation interaction, any other GET a
 * page view, any other write a generic interaction. Unnamed routes get a subtype
 * derived from the pattern (`/auth/users/:id` PATCH → patch_auth_users_id).
 */
export function classifyRoute(method: string, route: string): Classification {
  const key = `${method} ${route}`;
  const named = NAMED[key];
  const interactionType = named?.interaction ?? METHOD_INTERACTION[method] ?? 'request';
  const subtype = named?.subtype ?? derivedSubtype(method, route);
  if (named?.type) return { type: named.type, subtype, interactionType };
  if (method === 'GET' || method === 'HEAD') return { type: 'page_view', subtype, interactionType };
  if (route.startsWith('/coaching/')) return { type: 'recommendation_interaction', subtype, interactionType };
  return { type: 'interaction', subtype, interactionType };
}

function derivedSubtype(method: string, route: string): string {
  const slug = route
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `${method.toLowerCase()}_${slug || 'root'}`.slice(0, 50);
}

/** Money in behavioural events is bucketed, never exact (design notes: privacy habits). */
export const AMOUNT_BUCKETS = [10, 50, 100, 500, 1000, 5000] as const;

export function amountBucket(amount: unknown): string | null {
  const n = typeof amount === 'number' ? amount : typeof amount === 'string' ? Number(amount) : Number.NaN;
  if (!Number.isFinite(n)) return null;
  const abs = Math.abs(n);
  let lower = 0;
  for (const upper of AMOUNT_BUCKETS) {
    if (abs < upper) return `${lower}-${upper}`;
    lower = upper;
  }
  return `${lower}+`;
}
