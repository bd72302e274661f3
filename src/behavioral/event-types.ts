/** Behavioural event types (contract); the reference system's endpoint-specific names are subtypes. */
export const EVENT_TYPES = [
  'page_view',
  'recommendation_interaction',
  'purchase',
  'goal_modification',
  'transaction_creation',
  'transaction_interaction',
  'search',
  /** Any other authenticated action (PUT/POST/DELETE) that is not one of the above. */
  'interaction',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && EVENT_TYPE_SET.has(value);
}

/** Written at once instead of waiting for the batch (contract: they feed behaviour-change analysis). */
export const CRITICAL_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>(['purchase', 'goal_modification', 'recommendation_interaction']);

/** Engagement weights (contract); any other type weighs 1. */
export const ENGAGEMENT_WEIGHTS: Readonly<Record<string, number>> = {
  page_view: 1,
  recommendation_interaction: 3,
  goal_modification: 4,
  purchase: 5,
};
export const MAX_ENGAGEMENT_WEIGHT = 5;

/** The actions F14 accepts (the reference documented create/view/analyze; the rest are the ledger's verbs). */
export const TRANSACTION_EVENT_ACTIONS = ['create', 'view', 'analyze', 'update', 'delete', 'categorize', 'export'] as const;

/** Recommendation actions the coaching module reports through EventCaptureService. */
export const RECOMMENDATION_ACTIONS = ['view', 'click', 'dismiss', 'implement', 'helpful', 'not_helpful'] as const;
