import { z } from 'zod';
import { EVENT_TYPES, TRANSACTION_EVENT_ACTIONS } from './event-types';

export const behavioralEventsQuerySchema = z.object({
  days: z.coerce.number().int('days must be a whole number').min(1, 'days must be at least 1').max(365, 'days must be at most 365').default(7),
  event_type: z.enum(EVENT_TYPES, `event_type must be one of: ${EVENT_TYPES.join(', ')}`).optional(),
});
export type BehavioralEventsQuery = z.output<typeof behavioralEventsQuerySchema>;

export const trackTransactionEventQuerySchema = z.object({
  transaction_id: z.uuid('transaction_id must be a UUID'),
  event_type: z.enum(TRANSACTION_EVENT_ACTIONS, `event_type must be one of: ${TRANSACTION_EVENT_ACTIONS.join(', ')}`),
});
export type TrackTransactionEventQuery = z.output<typeof trackTransactionEventQuerySchema>;

const counts = z.record(z.string(), z.number().int());

export const behaviorAggregateSchema = z.object({
  user_id: z.uuid(),
  period_days: z.number().int(),
  total_events: z.number().int(),
  event_counts: counts.describe('events per type'),
  interaction_patterns: z.record(z.string(), counts).describe('per type: events per interaction_type ("unknown" when absent)'),
  behavior_diversity: z.number().int().describe('number of distinct event types'),
  engagement_score: z.number().min(0).max(1).describe('mean event weight / 5 (page_view 1, recommendation_interaction 3, goal_modification 4, purchase 5, others 1)'),
  generated_at: z.string().describe('ISO-8601 UTC'),
});

export const behaviorChangeSchema = z.object({
  type: z.enum(['increased_activity', 'decreased_activity', 'new_behavior_pattern']),
  event_type: z.string(),
  pattern: z.string().optional(),
  change_ratio: z.number().optional().describe('recent 7-day count / weekly average of days 8-37'),
  recent_count: z.number().int(),
  weekly_average: z.number().optional(),
  description: z.string(),
});

export const segmentInfoSchema = z
  .object({ segment_id: z.number().int(), segment_name: z.string(), confidence: z.number(), updated_at: z.string() })
  .nullable();

export const behavioralInsightsSchema = z.object({
  user_id: z.uuid(),
  behavior_data: behaviorAggregateSchema,
  behavior_changes: z.array(behaviorChangeSchema),
  segment_info: segmentInfoSchema,
  summary_generated_at: z.string(),
});

export const behaviorChangesResponseSchema = z.object({
  user_id: z.uuid(),
  behavior_changes: z.array(behaviorChangeSchema),
  change_count: z.number().int(),
  baseline_events: z.number().int().describe('events in days 8-37'),
  baseline_sufficient: z.boolean().describe('false below 10 baseline events: no change is reported for new users'),
  analysis_date: z.string(),
});

export const trackTransactionEventResponseSchema = z.object({
  message: z.string(),
  transaction_id: z.uuid(),
  event_type: z.enum(TRANSACTION_EVENT_ACTIONS),
  queued: z.boolean().describe('false when tracking is off or the event was refused (counted in the pipeline stats)'),
});

const reasons = z.record(z.string(), z.number().int());
export const pipelineStatsSchema = z.object({
  status: z.enum(['healthy', 'degraded', 'disabled']),
  tracking_enabled: z.boolean(),
  queue_depth: z.number().int(),
  in_flight: z.number().int(),
  queue_cap: z.number().int(),
  batch_size: z.number().int(),
  flush_interval_ms: z.number().int(),
  enqueued: z.number().int(),
  written: z.number().int(),
  skipped: z.number().int().describe('not inserted: duplicate id of a retried batch, or user deleted meanwhile'),
  retried: z.number().int(),
  flushes: z.number().int(),
  dropped: reasons,
  refused: reasons,
  consecutive_failures: z.number().int(),
  last_flush_at: z.string().nullable(),
  last_flush_duration_ms: z.number().nullable(),
  last_flush_rows: z.number().int().nullable(),
  last_error: z.string().nullable(),
  last_error_at: z.string().nullable(),
});
