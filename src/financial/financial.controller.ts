import type { MultipartFields } from '@fastify/multipart';
import { Controller, Delete, Get, HttpCode, HttpException, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { CurrentUser, Public, type AuthUser } from '../common/auth-user';
import { errorBodySchema } from '../infra/http/error-body';
import { parseOrThrow, RequestValidationError } from '../infra/http/validation';
import { ApiZodResponse, ZodBody, ZodParam, ZodQuery } from '../infra/openapi/zod-openapi';

import { AnalyticsService } from './analytics.service';
import {
  balanceHistorySchema,
  categoriesResponseSchema,
  daysQuerySchema,
  healthSummarySchema,
  importOptionsSchema,
  importResponseSchema,
  listTransactionsQuerySchema,
  monthlySummaryQuerySchema,
  monthlySummarySchema,
  recurringQuerySchema,
  recurringResponseSchema,
  spendingAnalyticsSchema,
  transactionCreateSchema,
  transactionResponseSchema,
  transactionUpdateSchema,
  walletResponseSchema,
  type ImportOptionsInput,
  type ListTransactionsQuery,
  type TransactionCreateInput,
  type TransactionUpdateInput,
} from './financial.schemas';
import { StatementImportService } from './import/statement-import.service';
import { drain } from './import/statement-reader';
import { RecurringService } from './recurring/recurring.service';
import { TransactionsService } from './transactions.service';

const transactionId = z.uuid('Invalid transaction ID format');
const deleteResponseSchema = z.object({ message: z.string(), id: z.uuid(), balance: z.string() });

@ApiTags('financial')
@ApiBearerAuth()
@Controller('financial')
export class FinancialController {
  constructor(
    private readonly transactions: TransactionsService,
    private readonly analytics: AnalyticsService,
    private readonly importer: StatementImportService,
    private readonly recurringPayments: RecurringService,
  ) {}

  @Get('wallet')
  @ApiOperation({ summary: 'The wallet (created with 1000.00 USD on first access)' })
  @ApiZodResponse(200, walletResponseSchema)
  wallet(@CurrentUser() user: AuthUser) {
    return this.transactions.wallet(user.id);
  }

  @Put('wallet')
  @ApiOperation({ summary: 'Refused: a balance changes only through transactions (405)' })
  @ApiZodResponse(405, errorBodySchema, 'Always: post a transaction instead')
  setWallet(): never {
    throw new HttpException(
      'The balance cannot be set directly: it changes only through transactions (POST /financial/transactions)',
      405,
    );
  }

  @Post('transactions')
  @ApiOperation({ summary: 'Post a transaction (amount > 0 credit, < 0 debit; overdraft refused)' })
  @ApiZodResponse(201, transactionResponseSchema, 'Created')
  createTransaction(@CurrentUser() user: AuthUser, @ZodBody(transactionCreateSchema) body: TransactionCreateInput) {
    return this.transactions.create(user.id, body);
  }

  @Get('transactions')
  @ApiOperation({
    summary: 'Transactions, newest first',
    description:
      'A plain array (the client wraps arrays); paging in the X-Total-Count, X-Page, X-Limit and X-Offset headers.',
  })
  @ApiZodResponse(200, z.array(transactionResponseSchema))
  async listTransactions(
    @CurrentUser() user: AuthUser,
    @ZodQuery(listTransactionsQuerySchema) query: ListTransactionsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const page = await this.transactions.list(user.id, query);
    reply.headers({
      'x-total-count': String(page.total),
      'x-page': String(page.paging.page),
      'x-limit': String(page.paging.limit),
      'x-offset': String(page.paging.offset),
    });
    return page.items;
  }

  @Get('transaction/:id')
  @ApiOperation({ summary: 'One transaction (the original singular path)' })
  @ApiZodResponse(200, transactionResponseSchema)
  getTransactionSingular(@CurrentUser() user: AuthUser, @ZodParam('id', transactionId) id: string) {
    return this.transactions.get(user.id, id);
  }

  @Get('transactions/:id')
  @ApiZodResponse(200, transactionResponseSchema)
  getTransaction(@CurrentUser() user: AuthUser, @ZodParam('id', transactionId) id: string) {
    return this.transactions.get(user.id, id);
  }

  @Put('transactions/:id')
  @ApiOperation({ summary: 'Edit a transaction; a new amount re-posts the difference (manual transactions only)' })
  @ApiZodResponse(200, transactionResponseSchema)
  updateTransaction(
    @CurrentUser() user: AuthUser,
    @ZodParam('id', transactionId) id: string,
    @ZodBody(transactionUpdateSchema) body: TransactionUpdateInput,
  ) {
    return this.transactions.update(user.id, id, body);
  }

  @Delete('transactions/:id')
  @ApiOperation({ summary: 'Delete a transaction and reverse its effect on the balance (refused if that overdraws)' })
  @ApiZodResponse(200, deleteResponseSchema)
  deleteTransaction(@CurrentUser() user: AuthUser, @ZodParam('id', transactionId) id: string) {
    return this.transactions.remove(user.id, id);
  }

  @Get('analytics/spending-by-category')
  @ApiZodResponse(200, z.array(spendingAnalyticsSchema))
  spendingByCategory(
    @CurrentUser() user: AuthUser,
    @ZodQuery(daysQuerySchema) query: z.output<typeof daysQuerySchema>,
  ) {
    return this.analytics.spendingByCategory(user.id, query.days);
  }

  @Get('health-summary')
  @ApiOperation({ summary: 'Last 7 days: spending, income, savings rate, top categories' })
  @ApiZodResponse(200, healthSummarySchema)
  healthSummary(@CurrentUser() user: AuthUser) {
    return this.analytics.healthSummary(user.id);
  }

  @Get('balance-history')
  @ApiOperation({ summary: 'One point per UTC day: end-of-day balance and the net movement of the day' })
  @ApiZodResponse(200, balanceHistorySchema)
  balanceHistory(@CurrentUser() user: AuthUser, @ZodQuery(daysQuerySchema) query: z.output<typeof daysQuerySchema>) {
    return this.analytics.balanceHistory(user.id, query.days);
  }

  @Get('monthly-summary')
  @ApiZodResponse(200, monthlySummarySchema)
  monthlySummary(
    @CurrentUser() user: AuthUser,
    @ZodQuery(monthlySummaryQuerySchema) query: z.output<typeof monthlySummaryQuerySchema>,
  ) {
    return this.analytics.monthlySummary(user.id, query.year, query.month);
  }

  @Get('recurring')
  @ApiOperation({
    summary: 'Recurring payments and income found in the history (subscriptions, bills, salary)',
    description:
      'Same merchant, a similar amount (within 25%), a regular interval (weekly, fortnightly, monthly, quarterly, ' +
      'yearly; a few days of drift and a skipped payment tolerated). Active series first.',
  })
  @ApiZodResponse(200, recurringResponseSchema)
  recurring(
    @CurrentUser() user: AuthUser,
    @ZodQuery(recurringQuerySchema) query: z.output<typeof recurringQuerySchema>,
  ) {
    return this.recurringPayments.list(user.id, query.active_only);
  }

  @Get('categories')
  @Public()
  @ApiZodResponse(200, categoriesResponseSchema)
  categories() {
    return this.analytics.categories();
  }

  @Post('import')
  @ApiOperation({
    summary: 'Import a bank statement (CSV of any common layout, OFX/QFX); idempotent',
    description:
      'multipart/form-data with one file field `file`. Format, delimiter, encoding, columns, date order and ' +
      'decimal mark are detected from the content; the query parameters below (or form fields of the same ' +
      'names sent before the file) override detection. 415 for non-text files, 413 above IMPORT_MAX_BYTES, ' +
      '422 naming what was expected and found, 429 when the user already runs 2 imports.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
  })
  @ApiZodResponse(200, importResponseSchema)
  @HttpCode(200)
  async importStatement(
    @CurrentUser() user: AuthUser,
    // Validated (and documented) here; validated again below together with the form fields.
    @ZodQuery(importOptionsSchema) _query: ImportOptionsInput,
    @Req() request: FastifyRequest,
  ) {
    // The request is used only to reach the upload stream; the service sees a plain Readable.
    const file = await request.file();
    if (!file || file.fieldname !== 'file') {
      if (file) await drain(file.file);
      throw new RequestValidationError([
        { type: 'missing', loc: ['body', 'file'], msg: 'Upload the statement in a file field named "file"' },
      ]);
    }
    let options: ImportOptionsInput;
    try {
      options = parseOrThrow(
        importOptionsSchema,
        { ...formFields(file.fields), ...(request.query as object) },
        'query',
      );
    } catch (error) {
      await drain(file.file);
      throw error;
    }
    return this.importer.importStatement(
      user.id,
      { stream: file.file, filename: file.filename, mimetype: file.mimetype, truncated: () => file.file.truncated },
      {
        dryRun: options.dry_run,
        format: options.format === 'auto' ? undefined : options.format,
        delimiter: options.delimiter,
        encoding: options.encoding,
        dateFormat: options.date_format,
        decimal: options.decimal,
        negate: options.negate,
        previewRows: options.preview_rows,
        columns: {
          date: options.date_column,
          amount: options.amount_column,
          debit: options.debit_column,
          credit: options.credit_column,
          direction: options.type_column,
          description: options.description_column,
          merchant: options.merchant_column,
          category: options.category_column,
          balance: options.balance_column,
        },
      },
    );
  }
}

/** The plain form fields of a multipart upload (those sent before the file part). */
function formFields(fields: MultipartFields): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, part] of Object.entries(fields)) {
    const first = Array.isArray(part) ? part[0] : part;
    if (first && first.type === 'field' && typeof first.value === 'string') values[name] = first.value;
  }
  return values;
}
