import { Controller, Delete, Get, HttpCode, HttpException, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { CurrentUser, Public, type AuthUser } from '../common/auth-user';
import { errorBodySchema } from '../infra/http/error-body';
import { RequestValidationError } from '../infra/http/validation';
import { ApiZodResponse, ZodBody, ZodParam, ZodQuery } from '../infra/openapi/zod-openapi';

import { AnalyticsService } from './analytics.service';
import {
  balanceHistorySchema,
  categoriesResponseSchema,
  daysQuerySchema,
  healthSummarySchema,
  importQuerySchema,
  importResponseSchema,
  listTransactionsQuerySchema,
  monthlySummaryQuerySchema,
  monthlySummarySchema,
  spendingAnalyticsSchema,
  transactionCreateSchema,
  transactionResponseSchema,
  transactionUpdateSchema,
  walletResponseSchema,
  type ListTransactionsQuery,
  type TransactionCreateInput,
  type TransactionUpdateInput,
} from './financial.schemas';
import { StatementImportService } from './import/statement-import.service';
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

  @Get('categories')
  @Public()
  @ApiZodResponse(200, categoriesResponseSchema)
  categories() {
    return this.analytics.categories();
  }

  @Post('import')
  @ApiOperation({
    summary: 'Import a bank statement (MoneyVis CSV layout); idempotent',
    description: 'multipart/form-data with one file field `file`. 415 for non-CSV files, 413 above IMPORT_MAX_BYTES.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
  })
  @ApiZodResponse(200, importResponseSchema)
  @HttpCode(200)
  async importStatement(
    @CurrentUser() user: AuthUser,
    @ZodQuery(importQuerySchema) query: z.output<typeof importQuerySchema>,
    @Req() request: FastifyRequest,
  ) {
    // The request is used only to reach the upload stream; the service sees a plain Readable.
    const file = await request.file();
    if (!file || file.fieldname !== 'file') {
      throw new RequestValidationError([
        { type: 'missing', loc: ['body', 'file'], msg: 'Upload the CSV statement in a file field named "file"' },
      ]);
    }
    return this.importer.importStatement(
      user.id,
      { stream: file.file, filename: file.filename, mimetype: file.mimetype, truncated: () => file.file.truncated },
      { dryRun: query.dry_run },
    );
  }
}
