import { z } from 'zod';

/** The one JSON error shape (HttpExceptionFilter's ErrorBody), for OpenAPI. */
export const errorBodySchema = z.object({
  status_code: z.number(),
  error: z.string(),
  detail: z.union([
    z.string(),
    z.array(z.object({ type: z.string(), loc: z.array(z.union([z.string(), z.number()])), msg: z.string() })),
  ]),
  message: z.string(),
  request_id: z.string(),
});
