import { z } from 'zod';

import { offsetQuery } from '../common/paging';

export const behavioralEventsQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(365).default(7),
  event_type: z.string().trim().min(1).max(50).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: offsetQuery.default(0),
});

export const TRANSACTION_EVENT_TYPES = ['create', 'view', 'analyze', 'edit', 'categorize', 'dispute', 'share'] as const;

export const trackTransactionEventQuerySchema = z.object({
  transaction_id: z.uuid('transaction_id must be the id of one of your transactions'),
  event_type: z.enum(TRANSACTION_EVENT_TYPES, `event_type must be one of: ${TRANSACTION_EVENT_TYPES.join(', ')}`),
});

export const trackingSwitchSchema = z.object({
  enabled: z.boolean('enabled must be true or false'),
});
export type TrackingSwitchInput = z.infer<typeof trackingSwitchSchema>;

// ─── Responses ──────────────────────────────────────────────────────────────

export const trackingSwitchResponseSchema = z.object({
  tracking_enabled: z.boolean(),
  switched_at: z.string(),
  switched_by: z.string(),
});

export const behaviorAggregateSchema = z.object({
  user_id: z.string(),
  period_days: z.number(),
  total_events: z.number(),
  event_counts: z.record(z.string(), z.number()),
  interaction_patterns: z.record(z.string(), z.record(z.string(), z.number())),
  behavior_diversity: z.number(),
  engagement_score: z.number(),
  generated_at: z.string(),
});

export const behaviorChangeSchema = z.object({
  type: z.enum(['increased_activity', 'decreased_activity', 'new_behavior_pattern']),
  event_type: z.string(),
  change_ratio: z.number().nullable(),
  recent_count: z.number(),
  baseline_weekly_avg: z.number(),
  description: z.string(),
});

const behaviorSegmentSchema = z
  .object({ segment_id: z.number(), segment_name: z.string(), confidence: z.number(), updated_at: z.string() })
  .nullable();

const peerEngagementSchema = z
  .object({
    peer_count: z.number(),
    peer_avg_events_30d: z.number(),
    user_events_30d: z.number(),
    activity_percentile: z.number(),
  })
  .nullable();

export const behavioralInsightsResponseSchema = z.object({
  user_id: z.string(),
  behavior_data: behaviorAggregateSchema,
  behavior_changes: z.array(behaviorChangeSchema),
  segment_info: behaviorSegmentSchema,
  peer_engagement: peerEngagementSchema,
  summary_generated_at: z.string(),
});

export const behavioralEventsResponseSchema = behaviorAggregateSchema.extend({
  recent_events: z.object({
    total: z.number(),
    limit: z.number(),
    offset: z.number(),
    events: z.array(
      z.object({
        id: z.string(),
        event_type: z.string(),
        event_subtype: z.string().nullable(),
        session_id: z.string().nullable(),
        timestamp: z.string(),
        event_data: z.record(z.string(), z.unknown()),
      }),
    ),
  }),
});

export const behaviorChangesResponseSchema = z.object({
  user_id: z.string(),
  behavior_changes: z.array(behaviorChangeSchema),
  change_count: z.number(),
  analysis_date: z.string(),
});

export const trackTransactionEventResponseSchema = z.object({
  message: z.string(),
  transaction_id: z.string(),
  event_type: z.enum(TRANSACTION_EVENT_TYPES),
});
