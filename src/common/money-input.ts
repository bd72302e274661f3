import { z } from 'zod';

/** The largest magnitude NUMERIC(12,2) holds. */
export const MAX_MONEY = 9_999_999_999.99;

/** True when a JS number has at most two decimal places (tolerant of binary float noise). */
function hasTwoDecimals(value: number): boolean {
  return Math.abs(Math.round(value * 100) - value * 100) < 1e-6;
}

/**
 * A money amount in a request body: a JSON number (or a decimal string), at most two
 * decimals, |value| ≤ MAX_MONEY; parsed to a two-decimal string so it never travels as a float.
 */
export function moneyInput(options: { allowZero?: boolean; positive?: boolean; zeroMessage?: string } = {}) {
  return z
    .union(
      [
        z.number(),
        z
          .string()
          .trim()
          .regex(/^-?\d+(\.\d+)?$/, 'must be a number'),
      ],
      'must be a number',
    )
    .transform((v) => (typeof v === 'string' ? Number(v) : v))
    .superRefine((v, ctx) => {
      const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
      if (!Number.isFinite(v)) return fail('must be a finite number');
      if (!options.allowZero && v === 0) return fail(options.zeroMessage ?? 'must not be zero');
      if (options.positive && v <= 0) return fail(options.zeroMessage ?? 'must be greater than zero');
      if (Math.abs(v) > MAX_MONEY) return fail(`must be at most ${MAX_MONEY.toLocaleString('en-US')} in magnitude`);
      if (!hasTwoDecimals(v)) return fail('must have at most 2 decimal places');
    })
    .transform((v) => v.toFixed(2));
}

/** A money bound in a query string (filters): non-negative, two decimals. */
export const moneyQuery = z.coerce
  .number('must be a number')
  .min(0)
  .max(MAX_MONEY)
  .transform((v) => v.toFixed(2));
