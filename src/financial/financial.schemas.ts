import { z } from 'zod';

import { CATEGORIES } from '../common/categories';
import { moneyInput, moneyQuery } from '../common/money-input';
import { pagingQuery, queryBoolean } from '../common/paging';

export { CATEGORIES };

export const categorySchema = z.enum(CATEGORIES, `Category must be one of: ${CATEGORIES.join(', ')}`);
export const transactionTypeSchema = z.enum(['debit', 'credit'], 'transaction_type must be debit or credit');

const optionalText = (max: number) => z.string().trim().max(max).nullish();

export const transactionCreateSchema = z.object({
  amount: moneyInput({ zeroMessage: 'Transaction amount cannot be zero' }).describe('Signed: > 0 credit, < 0 debit'),
  category: categorySchema,
  description: z.string('description is required').trim().min(1, 'description must not be empty').max(500),
  merchant_name: optionalText(255),
  location_city: optionalText(100).transform((v) => v || 'Unknown'),
  location_country: optionalText(100).transform((v) => v || 'US'),
});
export type TransactionCreateInput = z.output<typeof transactionCreateSchema>;

/** Partial update; `amount` (signed) re-posts the difference on the wallet (manual transactions only). */
export const transactionUpdateSchema = z.object({
  amount: moneyInput({ zeroMessage: 'Transaction amount cannot be zero' }).optional(),
  category: categorySchema.optional(),
  description: z.string().trim().min(1, 'description must not be empty').max(500).optional(),
  merchant_name: optionalText(255),
  location_city: optionalText(100),
  location_country: optionalText(100),
});
export type TransactionUpdateInput = z.output<typeof transactionUpdateSchema>;

/** A calendar date or a timestamp; a bare date as an upper bound means "through that whole day". */
const dateParam = z.union([z.iso.date(), z.iso.datetime({ offset: true })], 'Use YYYY-MM-DD or an ISO-8601 timestamp');

export const listTransactionsQuerySchema = z
  .object({
    ...pagingQuery(50, 100),
    days: z.coerce.number().int().min(1).max(3650).optional().describe('Only the last N days'),
    category: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(categorySchema).min(1).max(11))
      .optional()
      .describe('One category or a comma-separated list'),
    transaction_type: transactionTypeSchema.optional(),
    start_date: dateParam.optional(),
    end_date: dateParam.optional(),
    min_amount: moneyQuery.optional().describe('Inclusive, on the (positive) amount'),
    max_amount: moneyQuery.optional(),
    search: z.string().trim().min(1).max(100).optional().describe('Case-insensitive, in description and merchant'),
  })
  .superRefine((q, ctx) => {
    if (q.start_date && q.end_date && dateBound(q.start_date, 'start') > dateBound(q.end_date, 'end')) {
      ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'end_date must not be before start_date' });
    }
    if (q.min_amount && q.max_amount && Number(q.min_amount) > Number(q.max_amount)) {
      ctx.addIssue({ code: 'custom', path: ['max_amount'], message: 'max_amount must not be below min_amount' });
    }
  });
export type ListTransactionsQuery = z.output<typeof listTransactionsQuerySchema>;

/** Start of a start_date; for a bare end_date, the first instant after that day. */
export function dateBound(value: string, side: 'start' | 'end'): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00Z`);
    return side === 'start' ? day : new Date(day.getTime() + 86_400_000 - 1);
  }
  return new Date(value);
}

export const daysQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(3650).default(30),
});

export const monthlySummaryQuerySchema = z.object({
  year: z.coerce.number('year is required').int().min(1970).max(2200),
  month: z.coerce.number('month is required').int().min(1, 'month must be 1-12').max(12, 'month must be 1-12'),
});

export const importQuerySchema = z.object({
  dry_run: queryBoolean.default(false).describe('Parse and report without writing transactions'),
});

// ─── Responses ───────────────────────────────────────────────────────────────

const moneyString = z.string().describe('two-decimal string, e.g. "12.34"');

export const walletResponseSchema = z.object({
  id: z.uuid(),
  balance: moneyString,
  currency: z.string(),
  updated_at: z.string(),
});

export const transactionResponseSchema = z.object({
  id: z.uuid(),
  transaction_type: transactionTypeSchema,
  amount: moneyString.describe('always positive; transaction_type carries the sign'),
  category: categorySchema,
  description: z.string(),
  merchant_name: z.string().nullable(),
  location_city: z.string().nullable(),
  location_country: z.string().nullable(),
  balance_after: moneyString,
  transaction_date: z.string(),
  source: z.enum(['manual', 'purchase', 'import', 'seed']),
});
export type TransactionResponse = z.output<typeof transactionResponseSchema>;

export const spendingAnalyticsSchema = z.object({
  category: categorySchema,
  total_amount: moneyString,
  transaction_count: z.number().int(),
  percentage: z.number(),
});
export type SpendingAnalytics = z.output<typeof spendingAnalyticsSchema>;

export const healthSummarySchema = z.object({
  current_balance: moneyString,
  weekly_spending: moneyString,
  weekly_income: moneyString,
  transaction_count: z.number().int(),
  savings_rate: z.number(),
  daily_spending_avg: moneyString,
  top_spending_categories: z.array(spendingAnalyticsSchema),
});

export const balanceHistorySchema = z.object({
  balance_history: z.array(
    z.object({
      date: z.string().describe('YYYY-MM-DD (UTC day)'),
      balance: z.number().describe('wallet balance at the end of the day'),
      transaction_type: transactionTypeSchema.describe("sign of the day's net change (credit when ≥ 0)"),
      amount: z.number().describe('absolute net change of the day'),
      transaction_count: z.number().int(),
    }),
  ),
});

export const monthlySummarySchema = z.object({
  month: z.number().int(),
  year: z.number().int(),
  total_income: z.number(),
  total_spending: z.number(),
  net_change: z.number(),
  transaction_count: z.number().int(),
  average_transaction: z.number().describe('mean debit amount (spending only); 0 without debits'),
});

export const categoriesResponseSchema = z.object({
  categories: z.array(z.object({ value: categorySchema, label: z.string(), description: z.string() })),
});

export const importResponseSchema = z.object({
  import_id: z.uuid(),
  imported: z.number().int(),
  skipped: z.number().int().describe('invalid rows + rows already imported'),
  duplicates: z.number().int().describe('rows already imported earlier (same import key)'),
  total_rows: z.number().int(),
  dry_run: z.boolean(),
  file_sha256: z.string(),
  errors: z.array(
    z.object({ row: z.number().int().describe('line in the file; the header is line 1'), reason: z.string() }),
  ),
  errors_total: z.number().int(),
  date_range: z.object({ from: z.string(), to: z.string() }).nullable(),
  opening_balance_set: z.boolean().describe('true when a fresh wallet took the statement opening balance'),
  closing_balance: moneyString.describe('wallet balance after the import (what it would be, for a dry run)'),
});
export type ImportResponse = z.output<typeof importResponseSchema>;
