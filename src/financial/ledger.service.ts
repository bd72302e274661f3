import { BadRequestException, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

import { Decimal, money, type MoneyLike } from '../common/money';
import { MAX_MONEY } from '../common/money-input';
import { STARTING_BALANCE } from '../common/wallet';
import type { TransactionCategory, TransactionSource } from '../generated/prisma/client';

import { FinancialRepository, type TransactionRow, type WalletRow } from './financial.repository';

export type { WalletRow };

export interface PostInput {
  userId: string;
  /** Signed two-decimal string: > 0 credit, < 0 debit. */
  amount: string;
  category: TransactionCategory;
  description: string;
  merchantName?: string | null;
  locationCity?: string | null;
  locationCountry?: string | null;
  source: TransactionSource;
}

/**
 * The one place that moves money: every balance change (manual transactions, purchases,
 * reversals, statement imports) goes through here, inside a database transaction, with
 * the wallet row locked by the conditional UPDATE so concurrent requests serialise.
 * Wallets are opened at registration (and by a migration for earlier users); a user without
 * one gets it with the starting balance on their first posting.
 */
@Injectable()
export class LedgerService {
  constructor(private readonly repository: FinancialRepository) {}

  /** Runs `work` in one database transaction (e.g. a purchase posting inside it). */
  transaction<T>(work: (tx: PoolClient) => Promise<T>): Promise<T> {
    return this.repository.transaction(work);
  }

  /**
   * Opens the user's wallet with the starting balance (registration), or with `opening` (the
   * seeded admin accounts); a no-op if it exists.
   */
  openWallet(tx: PoolClient, userId: string, opening: string = STARTING_BALANCE): Promise<void> {
    return this.repository.openWallet(tx, userId, opening);
  }

  /**
   * Closes recorded history (a bank statement's rows, a demo account's past): rows are history,
   * so there is no overdraft check; each carries the balance after it, computed by the caller,
   * and the wallet (locked by the caller's transaction) ends at `closing`, the last row's balance.
   */
  closeHistory(tx: PoolClient, walletId: string, closing: MoneyLike): Promise<void> {
    return this.repository.setBalance(tx, walletId, money(closing));
  }

  /** Posts one transaction in its own database transaction. */
  post(input: PostInput): Promise<TransactionRow> {
    return this.repository.transaction((tx) => this.postIn(tx, input));
  }

  /**
   * Posts inside the caller's transaction (e.g. a purchase): applies the amount to the
   * wallet (refusing overdraft) and records the row with the resulting balance.
   */
  async postIn(tx: PoolClient, input: PostInput): Promise<TransactionRow> {
    const wallet = await this.applyDelta(tx, input.userId, input.amount);
    const amount = new Decimal(input.amount);
    return this.repository.insertTransaction(tx, {
      userId: input.userId,
      walletId: wallet.id,
      transactionType: amount.isNegative() ? 'debit' : 'credit',
      amount: amount.abs().toFixed(2),
      category: input.category,
      description: input.description,
      merchantName: input.merchantName ?? null,
      locationCity: input.locationCity ?? null,
      locationCountry: input.locationCountry ?? null,
      balanceAfter: wallet.balance,
      source: input.source,
    });
  }

  /**
   * Adds a signed delta to the wallet atomically. The WHERE clause is the overdraft check,
   * evaluated on the locked, current row: no read-modify-write race.
   */
  async applyDelta(tx: PoolClient, userId: string, delta: MoneyLike): Promise<WalletRow> {
    const amount = delta.toString();
    const max = MAX_MONEY.toString();
    let wallet = await this.repository.applyDelta(tx, userId, amount, max);
    if (!wallet) {
      // Refused, or no wallet yet (a user from before wallets were opened at registration, or a
      // concurrent first posting that committed after our UPDATE looked): open it if missing and
      // try once more, on a fresh view of the row.
      await this.repository.openWallet(tx, userId);
      wallet = await this.repository.applyDelta(tx, userId, amount, max);
    }
    if (!wallet) {
      throw new BadRequestException(
        new Decimal(amount).isNegative()
          ? 'Insufficient funds'
          : 'Balance would exceed the maximum of 9,999,999,999.99',
      );
    }
    return wallet;
  }
}

/** The signed value of a stored transaction (amount is stored positive). */
export function signedAmount(t: { transactionType: 'debit' | 'credit'; amount: MoneyLike }): Decimal {
  const amount = new Decimal(t.amount.toString());
  return t.transactionType === 'debit' ? amount.negated() : amount;
}
