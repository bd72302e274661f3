import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import type { PoolClient } from 'pg';

import { EventCaptureService } from '../behavioral/event-capture.service';
import { Decimal, money } from '../common/money';
import { resolvePaging, type Paging } from '../common/paging';

import { toTransactionResponse, toWalletResponse } from './financial.mapper';
import { FinancialRepository, type TransactionChanges, type TransactionFilter } from './financial.repository';
import {
  dateBound,
  type ListTransactionsQuery,
  type TransactionCreateInput,
  type TransactionResponse,
  type TransactionUpdateInput,
} from './financial.schemas';
import { merchantKey } from './import/categorisation';
import { MerchantCategoryRepository } from './import/merchant-category.repository';
import { LedgerService, signedAmount } from './ledger.service';

export interface TransactionPage {
  items: TransactionResponse[];
  total: number;
  paging: Paging;
}

@Injectable()
export class TransactionsService {
  constructor(
    private readonly repository: FinancialRepository,
    private readonly ledger: LedgerService,
    private readonly events: EventCaptureService,
    private readonly merchantCategories: MerchantCategoryRepository,
  ) {}

  /** A read: the wallet was opened at registration (or by the migration for earlier users). */
  async wallet(userId: string) {
    const wallet = await this.repository.findWallet(userId);
    if (!wallet) throw new NotFoundException('Wallet not found: it is opened by the first transaction');
    return toWalletResponse(wallet);
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
    const { rows, total } = await this.repository.listTransactions(userId, listFilter(q), paging.limit, paging.offset);
    return { items: rows.map(toTransactionResponse), total, paging };
  }

  async get(userId: string, id: string): Promise<TransactionResponse> {
    return toTransactionResponse(await this.findOwned(undefined, userId, id));
  }

  /**
   * Edits descriptive fields (a new category also teaches the user's merchant memory); a new amount re-posts the difference on the wallet in the same
   * database transaction (overdraft refused). The row's balance_after moves by the same
   * difference; later rows keep the snapshot they were posted with.
   */
  async update(userId: string, id: string, input: TransactionUpdateInput): Promise<TransactionResponse> {
    return this.ledger.transaction(async (tx) => {
      const current = await this.findOwned(tx, userId, id);
      const changes: TransactionChanges = {
        category: input.category,
        description: input.description,
        merchantName: input.merchant_name,
        locationCity: input.location_city,
        locationCountry: input.location_country,
      };
      if (input.amount !== undefined) {
        const delta = new Decimal(input.amount).minus(signedAmount(current));
        if (!delta.isZero()) {
          if (current.source !== 'manual') {
            throw new BadRequestException(`The amount of a ${current.source} transaction cannot be changed`);
          }
          await this.ledger.applyDelta(tx, userId, delta.toFixed(2));
          const amount = delta.plus(signedAmount(current));
          changes.transactionType = amount.isNegative() ? 'debit' : 'credit';
          changes.amount = amount.abs().toFixed(2);
          changes.balanceAfter = delta.plus(current.balanceAfter).toFixed(2);
        }
      }
      if (input.category !== undefined && input.category !== current.category) {
        // The user corrected us: later imports give this merchant the same category.
        const key = merchantKey(input.merchant_name ?? current.merchantName ?? current.description);
        if (key) await this.merchantCategories.remember(tx, userId, key, input.category);
      }
      return toTransactionResponse(await this.repository.updateTransaction(tx, current.id, changes));
    });
  }

  /**
   * Deletes a transaction and reverses its effect on the wallet atomically; refused when
   * the reversal would overdraw (deleting an income the money of which is already spent).
   * Purchases are kept: they belong to the purchase history.
   */
  async remove(userId: string, id: string) {
    return this.ledger.transaction(async (tx) => {
      const current = await this.findOwned(tx, userId, id);
      if (current.source === 'purchase') {
        throw new BadRequestException('A purchase transaction cannot be deleted');
      }
      const wallet = await this.ledger.applyDelta(tx, userId, signedAmount(current).negated().toFixed(2));
      await this.repository.deleteTransaction(tx, current.id);
      return { message: 'Transaction deleted', id: current.id, balance: money(wallet.balance) };
    });
  }

  private async findOwned(tx: PoolClient | undefined, userId: string, id: string) {
    const row = await this.repository.findOwnedTransaction(userId, id, tx);
    if (!row) throw new NotFoundException('Transaction not found');
    return row;
  }
}

function listFilter(q: ListTransactionsQuery): TransactionFilter {
  const starts = [
    q.days ? new Date(Date.now() - q.days * 86_400_000) : undefined,
    q.start_date ? dateBound(q.start_date, 'start') : undefined,
  ].filter((d): d is Date => d !== undefined);
  return {
    // Both bounds apply: the later one is the one that counts.
    since: starts.length ? new Date(Math.max(...starts.map((d) => d.getTime()))) : undefined,
    until: q.end_date ? dateBound(q.end_date, 'end') : undefined,
    minAmount: q.min_amount,
    maxAmount: q.max_amount,
    categories: q.category,
    transactionType: q.transaction_type,
    search: q.search,
  };
}
