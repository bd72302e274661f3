import { z } from 'zod';

export const rootResponseSchema = z.object({
  message: z.string(),
  version: z.string(),
  description: z.string(),
  docs: z.string().optional().describe('The interactive docs; absent in production, where they are not served'),
  openapi: z.string().optional().describe('The OpenAPI document; absent in production, where it is not served'),
});

export const healthResponseSchema = z.object({
  status: z.enum(['healthy', 'unhealthy', 'draining']),
  service: z.string(),
  version: z.string(),
  database: z.object({ status: z.enum(['up', 'down']), latency_ms: z.number() }),
  uptime_seconds: z.number(),
  timestamp: z.string(),
});

export const infoResponseSchema = z.object({
  api_name: z.string(),
  version: z.string(),
  endpoints: z.record(z.string(), z.string()),
  features: z.array(z.string()),
});
