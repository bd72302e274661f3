import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';

import { EventCaptureService } from '../behavioral/event-capture.service';
import { Decimal, money } from '../common/money';
import { resolvePaging, type Paging } from '../common/paging';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import { PrismaService } from '../infra/prisma/prisma.service';

import { toTransactionResponse, toWalletResponse } from './financial.mapper';
import {
  dateBound,
  type ListTransactionsQuery,
  type TransactionCreateInput,
  type TransactionResponse,
  type TransactionUpdateInput,
} from './financial.schemas';
import { merchantKey } from './import/categorisation';
import { MerchantCategoryRepository } from './import/merchant-category.repository';
import { LedgerService, signedAmount, TX_OPTIONS } from './ledger.service';

export interface TransactionPage {
  items: TransactionResponse[];
  total: number;
  paging: Paging;
}

@Injectable()
export class TransactionsService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaClient,
    private readonly ledger: LedgerService,
    private readonly events: EventCaptureService,
    private readonly merchantCategories: MerchantCategoryRepository,
  ) {}

  async wallet(userId: string) {
    await this.ledger.ensureWallet(this.prisma, userId);
    return toWalletResponse(await this.prisma.wallet.findUniqueOrThrow({ where: { userId } }));
  }

  async create(userId: string, input: TransactionCreateInput): Promise<TransactionResponse> {
    const row = await this.ledger.post({
      userId,
      amount: input.amount,
      category: input.category,
      description: input.description,
      merchantName: input.merchant_name,
      locationCity: input.location_city,
      locationCountry: input.location_country,
      source: 'manual',
    });
    this.events.transactionCreated(userId, {
      id: row.id,
      amount: Number(row.amount),
      category: row.category,
      type: row.transactionType,
    });
    return toTransactionResponse(row);
  }

  async list(userId: string, q: ListTransactionsQuery): Promise<TransactionPage> {
    const paging = resolvePaging(q);
    const where = listWhere(userId, q);
    const [rows, total] = await Promise.all([
      this.prisma.transaction.findMany({
        where,
        // seq breaks ties between rows stamped in the same microsecond (newest first).
        orderBy: [{ transactionDate: 'desc' }, { seq: 'desc' }],
        skip: paging.offset,
        take: paging.limit,
      }),
      this.prisma.transaction.count({ where }),
    ]);
    return { items: rows.map(toTransactionResponse), total, paging };
  }

  async get(userId: string, id: string): Promise<TransactionResponse> {
    return toTransactionResponse(await this.findOwned(this.prisma, userId, id));
  }

  /**
   * Edits descriptive fields (a new category also teaches the user's merchant memory); a new amount re-posts the difference on the wallet in the same
   * database transaction (overdraft refused). The row's balance_after moves by the same
   * difference; later rows keep the snapshot they were posted with.
   */
  async update(userId: string, id: string, input: TransactionUpdateInput): Promise<TransactionResponse> {
    return this.prisma.$transaction(async (tx) => {
      const current = await this.findOwned(tx, userId, id, true);
      const data: Prisma.TransactionUpdateInput = {};
      if (input.category !== undefined) data.category = input.category;
      if (input.description !== undefined) data.description = input.description;
      if (input.merchant_name !== undefined) data.merchantName = input.merchant_name;
      if (input.location_city !== undefined) data.locationCity = input.location_city;
      if (input.location_country !== undefined) data.locationCountry = input.location_country;
      if (input.amount !== undefined) {
        const delta = new Decimal(input.amount).minus(signedAmount(current));
        if (!delta.isZero()) {
          if (current.source !== 'manual') {
            throw new BadRequestException(`The amount of a ${current.source} transaction cannot be changed`);
          }
          await this.ledger.applyDelta(tx, userId, delta.toFixed(2));
          const amount = delta.plus(signedAmount(current));
          data.transactionType = amount.isNegative() ? 'debit' : 'credit';
          data.amount = amount.abs().toFixed(2);
          data.balanceAfter = delta.plus(current.balanceAfter.toString()).toFixed(2);
        }
      }
      if (input.category !== undefined && input.category !== current.category) {
        // The user corrected us: later imports give this merchant the same category.
        const key = merchantKey(input.merchant_name ?? current.merchantName ?? current.description);
        if (key) await this.merchantCategories.remember(tx, userId, key, input.category);
      }
      return toTransactionResponse(await tx.transaction.update({ where: { id: current.id }, data }));
    }, TX_OPTIONS);
  }

  /**
   * Deletes a transaction and reverses its effect on the wallet atomically; refused when
   * the reversal would overdraw (deleting an income the money of which is already spent).
   * Purchases are kept: they belong to the purchase history.
   */
  async remove(userId: string, id: string) {
    return this.prisma.$transaction(async (tx) => {
      const current = await this.findOwned(tx, userId, id, true);
      if (current.source === 'purchase') {
        throw new BadRequestException('A purchase transaction cannot be deleted');
      }
      const wallet = await this.ledger.applyDelta(tx, userId, signedAmount(current).negated().toFixed(2));
      await tx.transaction.delete({ where: { id: current.id } });
      return { message: 'Transaction deleted', id: current.id, balance: money(wallet.balance) };
    }, TX_OPTIONS);
  }

  /** Ownership in the query: another user's id is simply not found. */
  private async findOwned(db: PrismaClient | Prisma.TransactionClient, userId: string, id: string, lock = false) {
    if (lock) {
      // Serialises concurrent edits/deletes of the same row.
      await db.$queryRaw`SELECT id FROM transactions WHERE id = ${id}::uuid AND user_id = ${userId}::uuid FOR UPDATE`;
    }
    const row = await db.transaction.findFirst({ where: { id, userId } });
    if (!row) throw new NotFoundException('Transaction not found');
    return row;
  }
}

function listWhere(userId: string, q: ListTransactionsQuery): Prisma.TransactionWhereInput {
  const and: Prisma.TransactionWhereInput[] = [];
  if (q.days) and.push({ transactionDate: { gte: new Date(Date.now() - q.days * 86_400_000) } });
  if (q.start_date) and.push({ transactionDate: { gte: dateBound(q.start_date, 'start') } });
  if (q.end_date) and.push({ transactionDate: { lte: dateBound(q.end_date, 'end') } });
  if (q.min_amount) and.push({ amount: { gte: q.min_amount } });
  if (q.max_amount) and.push({ amount: { lte: q.max_amount } });
  if (q.search) {
    and.push({
      OR: [
        { description: { contains: q.search, mode: 'insensitive' } },
        { merchantName: { contains: q.search, mode: 'insensitive' } },
      ],
    });
  }
  return {
    userId,
    ...(q.category ? { category: { in: q.category } } : {}),
    ...(q.transaction_type ? { transactionType: q.transaction_type } : {}),
    AND: and,
  };
}
