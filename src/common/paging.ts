import { z } from 'zod';

/**
 * The deepest row any paged endpoint skips to, and the highest page number. OFFSET makes
 * PostgreSQL read and discard every skipped row, so an unbounded offset lets a cheap request cost a
 * full scan. Larger values answer 422 naming the field (documented in README, "Paging").
 */
export const MAX_OFFSET = 10_000;
export const MAX_PAGE = 1_000;

/** `offset` of every paged query string (0 … MAX_OFFSET). */
export const offsetQuery = z.coerce
  .number()
  .int()
  .min(0)
  .max(MAX_OFFSET, `offset must be at most ${MAX_OFFSET}: narrow the filters instead`);

/** 1-based `page` of every paged query string (1 … MAX_PAGE). */
export const pageQuery = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE, `page must be at most ${MAX_PAGE}: narrow the filters instead`);

/**
 * The one paging query of the API: `limit` plus either `offset` or the React client's
 * 1-based `page`. `offset` wins when both are sent.
 */
export function pagingQuery(defaultLimit: number, maxLimit: number) {
  return {
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
    offset: offsetQuery.optional(),
    page: pageQuery.optional(),
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
