import { z } from 'zod';

import { CATEGORIES } from '../common/categories';
import { moneyInput, moneyQuery } from '../common/money-input';
import { pagingQuery, queryBoolean } from '../common/paging';

import { dateOrderOf } from './import/statement-values';
import { isKnownEncoding } from './import/text-decoding';

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

const columnOption = (what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe(`The column holding ${what}: its header (any case) or its 1-based number`);

/**
 * Options of POST /financial/import, as query parameters or as form fields sent before the file
 * (the query wins). Everything is detected from the content when not given.
 */
export const importOptionsSchema = z.object({
  dry_run: queryBoolean.default(false).describe('Parse and report (preview, problem rows) without writing anything'),
  format: z
    .enum(['auto', 'csv', 'ofx'])
    .default('auto')
    .describe('auto: OFX/QFX when the file starts like one, else CSV'),
  delimiter: z
    .enum([',', ';', 'tab', '\t', '|', 'comma', 'semicolon', 'pipe'])
    .optional()
    .transform((v) =>
      v === undefined
        ? undefined
        : ({ ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\t': '\t', '|': '|', pipe: '|' } as const)[v],
    )
    .describe('CSV field delimiter; detected from the first lines when not given'),
  encoding: z
    .string()
    .trim()
    .max(40)
    .refine(
      isKnownEncoding,
      'encoding must be a WHATWG encoding label, e.g. utf-8, windows-1252, windows-1250, iso-8859-2',
    )
    .optional()
    .describe('Text encoding; default: a BOM decides, else UTF-8, falling back to Windows-1252 for non-UTF-8 bytes'),
  date_format: z
    .string()
    .trim()
    .max(40)
    .refine(
      (v) => dateOrderOf(v) !== undefined,
      'date_format must name day, month and year in order, e.g. DD/MM/YYYY, MM/DD/YYYY, YYYY-MM-DD, YYMMDD',
    )
    .optional()
    .describe('The order of day, month and year (separators are free); needed when every date reads both ways'),
  decimal: z
    .enum(['.', ',', 'dot', 'comma'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === ',' || v === 'comma' ? ',' : '.'))
    .describe('Decimal mark of the amounts; detected from the amounts when not given'),
  negate: queryBoolean
    .optional()
    .describe('Flip every sign: for card statements that list spending as positive amounts'),
  date_column: columnOption('the transaction date'),
  amount_column: columnOption('a signed amount (or a positive one with type_column)'),
  debit_column: columnOption('money out (with credit_column)'),
  credit_column: columnOption('money in (with debit_column)'),
  type_column: columnOption('debit/credit (DR/CR, in/out) for a positive amount column'),
  description_column: columnOption('the description'),
  merchant_column: columnOption('the merchant or payee'),
  category_column: columnOption("the file's own category"),
  balance_column: columnOption('the running balance'),
  preview_rows: z.coerce.number().int().min(0).max(200).default(20).describe('Rows shown as they would be stored'),
});
export type ImportOptionsInput = z.output<typeof importOptionsSchema>;

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

const categorySourceCounts = z.object({
  memory: z.number().int().describe("the user's own earlier re-categorisation of the merchant"),
  file: z.number().int().describe("the file's category column, through the format's label table"),
  rules: z.number().int().describe('rules on the description/merchant'),
  default: z.number().int().describe('no rule applied: income for money in, other for money out'),
});

export const importResponseSchema = z.object({
  import_id: z.uuid(),
  imported: z.number().int(),
  skipped: z.number().int().describe('invalid rows + rows already imported'),
  duplicates: z.number().int().describe('rows already imported earlier (same import key)'),
  total_rows: z.number().int(),
  dry_run: z.boolean(),
  file_sha256: z.string(),
  format: z
    .string()
    .describe('moneyvis | mint | debit_credit_columns | amount_with_type | signed_amount | ofx_sgml | ofx_xml'),
  encoding: z.string().describe('the text encoding used to read the file'),
  delimiter: z.string().nullable().describe('CSV delimiter (null for OFX)'),
  date_format: z.string().nullable().describe('the date order used, e.g. DD/MM/YYYY'),
  decimal: z.enum(['.', ',']),
  negate: z.boolean(),
  preamble_lines: z.number().int().describe('lines above the header that were skipped'),
  mapping: z.record(z.string(), z.string()).describe('our field → the column (or OFX element) read for it'),
  categories: z.object({
    by_source: categorySourceCounts,
    unknown_file_categories: z.array(z.object({ label: z.string(), rows: z.number().int() })),
    unknown_file_category_rows: z.number().int(),
  }),
  totals: z
    .object({ debits: moneyString, credits: moneyString })
    .describe('sums of the valid rows of the file (money out, money in), imported or already present'),
  preview: z
    .array(
      z.object({
        line: z.number().int(),
        date: z.string(),
        transaction_type: transactionTypeSchema,
        amount: moneyString,
        category: categorySchema,
        category_source: z.enum(['memory', 'file', 'rules', 'default']),
        description: z.string(),
        merchant_name: z.string().nullable(),
        balance_after: moneyString,
      }),
    )
    .describe('the first new rows as they are (or would be) stored, oldest first'),
  errors: z
    .array(
      z.object({
        row: z.number().int().describe('line in the file (the first line is 1); for OFX the transaction number'),
        reason: z.string(),
      }),
    )
    .describe('problem rows (all of them in a dry run, the first 100 otherwise), each skipped'),
  errors_total: z.number().int(),
  date_range: z.object({ from: z.string(), to: z.string() }).nullable(),
  opening_balance_set: z.boolean().describe('true when a fresh wallet took the statement opening balance'),
  closing_balance: moneyString.describe('wallet balance after the import (what it would be, for a dry run)'),
});
export type ImportResponse = z.output<typeof importResponseSchema>;

export const recurringQuerySchema = z.object({
  active_only: queryBoolean.default(false).describe('Only series still expected (the next date not long past)'),
});

export const recurringResponseSchema = z.object({
  as_of: z.string().nullable().describe('the newest day of the history, from which `active` is judged'),
  recurring: z.array(
    z.object({
      merchant: z.string().describe('as written in the newest occurrence'),
      kind: z.enum(['salary', 'income', 'bill', 'subscription', 'savings']),
      direction: transactionTypeSchema,
      cadence: z.enum(['weekly', 'biweekly', 'monthly', 'quarterly', 'yearly']),
      category: categorySchema.nullable(),
      expected_amount: moneyString.describe('median of the last three amounts'),
      next_expected_date: z.string().describe('YYYY-MM-DD'),
      last_date: z.string(),
      first_date: z.string(),
      occurrences: z.number().int(),
      active: z.boolean().describe('false once the next expected date passed by more than half an interval and a week'),
    }),
  ),
});
export type RecurringResponse = z.output<typeof recurringResponseSchema>;
