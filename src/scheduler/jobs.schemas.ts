import { z } from 'zod';

import { JOB_NAMES } from './scheduled-jobs.service';

/** What a job reports (its own figures: users refreshed, rows deleted, …). */
const jobDetailsSchema = z.record(z.string(), z.unknown());

export const jobsListResponseSchema = z.object({
  jobs: z.array(z.object({ name: z.enum(JOB_NAMES), running: z.boolean() })),
  runs: z.array(
    z.object({
      id: z.string(),
      job_name: z.string(),
      status: z.string(),
      started_at: z.string(),
      finished_at: z.string().nullable(),
      duration_ms: z.number().nullable().describe('null while the run is still going'),
      details: jobDetailsSchema.nullable(),
    }),
  ),
});

export const jobRunResponseSchema = z.object({
  status: z.enum(['succeeded', 'failed', 'skipped']),
  details: jobDetailsSchema,
});
