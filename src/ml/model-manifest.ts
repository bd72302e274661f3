import { z } from 'zod';

/** The four served models; keys of `models` in models/manifest.json. */
export const MODEL_NAMES = ['policy', 'segmentation', 'spending_forecast', 'goal'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

// Symbolic dimensions (batch) are written as null or a string by the exporter.
const shape = z.array(z.union([z.number().int(), z.string(), z.null()]));

const scaler = z.object({ mean: z.array(z.number()), scale: z.array(z.number()) });

export const modelEntrySchema = z
  .object({
    file: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    version: z.string().optional(),
    inputs: z.record(z.string(), shape),
    outputs: z.record(z.string(), shape),
    feature_names: z.array(z.string()).optional(),
    scaler: scaler.optional(),
    metrics: z.record(z.string(), z.unknown()).optional(),
    targets_met: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();
export type ModelEntry = z.output<typeof modelEntrySchema>;

/** Which coaching policy training chose to serve (models/reports/policy.md): the model, the rule or one constant action. */
export const servedPolicySchema = z.object({
  name: z.string(),
  kind: z.enum(['model', 'rule', 'constant']),
  action: z.number().int().min(0).max(4).optional(),
  reason: z.string(),
});
export type ServedPolicy = z.output<typeof servedPolicySchema>;

export const manifestSchema = z
  .object({
    version: z.string(),
    created_at: z.string(),
    feature_names: z.array(z.string()),
    models: z.record(z.string(), modelEntrySchema),
  })
  .loose();
export type Manifest = z.output<typeof manifestSchema>;
