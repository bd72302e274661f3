import { z } from 'zod';

export const behavioralEventsQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(365).default(7),
  event_type: z.string().trim().min(1).max(50).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
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
