import { z } from 'zod';

/**
 * The one paging query of the API: `limit` plus either `offset` or the React client's
 * 1-based `page`. `offset` wins when both are sent.
 */
export function pagingQuery(defaultLimit: number, maxLimit: number) {
  return {
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
    offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
    page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  };
}

export interface Paging {
  limit: number;
  offset: number;
  page: number;
}

export function resolvePaging(q: { limit: number; offset?: number; page?: number }): Paging {
  const offset = q.offset ?? ((q.page ?? 1) - 1) * q.limit;
  return { limit: q.limit, offset, page: Math.floor(offset / q.limit) + 1 };
}

/** Query-string booleans as the clients send them. */
export const queryBoolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
