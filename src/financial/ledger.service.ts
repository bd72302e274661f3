import { BadRequestException, Injectable } from '@nestjs/common';

import { Decimal, money, type MoneyLike } from '../common/money';
import { MAX_MONEY } from '../common/money-input';
import { STARTING_BALANCE } from '../common/wallet';
import { Prisma, type Transaction, type TransactionCategory, type TransactionSource } from '../generated/prisma/client';
import { PrismaService } from '../infra/prisma/prisma.service';

/** A client that can run queries: the app's PrismaClient or an interactive transaction. */
export type Db = PrismaService | Prisma.TransactionClient;

/** Interactive transactions wait for a pooled connection under load instead of failing at Prisma's 2 s default. */
export const TX_OPTIONS = { maxWait: 15_000, timeout: 30_000 } as const;

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

export interface WalletRow {
  id: string;
  balance: Decimal;
}

/**
 * The one place that moves money: every balance change (manual transactions, purchases,
 * reversals, statement imports) goes through here, inside a database transaction, with
 * the wallet row locked by the conditional UPDATE so concurrent requests serialise.
 */
@Injectable()
export class LedgerService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The user's wallet, created on first access (race-safe: unique user_id) with the starting
   * balance, or with `opening` (the seeded admin accounts); an existing wallet is left as it is.
   */
  async ensureWallet(db: Db, userId: string, opening: string = STARTING_BALANCE): Promise<WalletRow> {
    await db.$executeRaw`
      INSERT INTO wallets (id, user_id, balance, currency, created_at, updated_at)
      VALUES (gen_random_uuid(), ${userId}::uuid, ${opening}::numeric, 'USD', now(), now())
      ON CONFLICT (user_id) DO NOTHING`;
    const rows = await db.$queryRaw<WalletRow[]>`SELECT id, balance FROM wallets WHERE user_id = ${userId}::uuid`;
    return rows[0];
  }

  /** Posts one transaction in its own database transaction. */
  post(input: PostInput): Promise<Transaction> {
    return this.prisma.$transaction((tx) => this.postIn(tx, input), TX_OPTIONS);
  }

  /**
   * Posts inside the caller's transaction (e.g. a purchase): applies the amount to the
   * wallet (refusing overdraft) and records the row with the resulting balance.
   */
  async postIn(tx: Prisma.TransactionClient, input: PostInput): Promise<Transaction> {
    const wallet = await this.applyDelta(tx, input.userId, input.amount);
    const amount = new Decimal(input.amount);
    return tx.transaction.create({
      data: {
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
      },
    });
  }

  /**
   * Adds a signed delta to the wallet atomically. The WHERE clause is the overdraft check,
   * evaluated on the locked, current row: no read-modify-write race.
   */
  async applyDelta(tx: Prisma.TransactionClient, userId: string, delta: MoneyLike): Promise<WalletRow> {
    await this.ensureWallet(tx, userId);
    const amount = delta.toString();
    const rows = await tx.$queryRaw<WalletRow[]>`
      UPDATE wallets SET balance = balance + ${amount}::numeric, updated_at = now()
      WHERE user_id = ${userId}::uuid
        AND balance + ${amount}::numeric >= 0
        AND balance + ${amount}::numeric <= ${MAX_MONEY}::numeric
      RETURNING id, balance`;
    if (rows.length === 0) {
      throw new BadRequestException(
        new Decimal(amount).isNegative()
          ? 'Insufficient funds'
          : 'Balance would exceed the maximum of 9,999,999,999.99',
      );
    }
    return rows[0];
  }

  /** Locks the wallet row for a multi-row operation (statement import) and returns it. */
  async lockWallet(tx: Prisma.TransactionClient, userId: string): Promise<WalletRow> {
    await this.ensureWallet(tx, userId);
    const rows = await tx.$queryRaw<
      WalletRow[]
    >`SELECT id, balance FROM wallets WHERE user_id = ${userId}::uuid FOR UPDATE`;
    return rows[0];
  }

  /**
   * Records past transactions (a bank statement's rows, a demo account's history), oldest
   * first, inside the caller's transaction with the wallet locked (lockWallet). Rows are
   * history, so there is no overdraft check: each carries the balance after it, computed by
   * the caller, and the wallet ends at `closing`, the last row's balance.
   */
  async recordHistory(
    tx: Prisma.TransactionClient,
    wallet: WalletRow,
    rows: Prisma.TransactionCreateManyInput[],
    closing: MoneyLike,
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += HISTORY_INSERT_BATCH) {
      await tx.transaction.createMany({ data: rows.slice(i, i + HISTORY_INSERT_BATCH) });
    }
    await tx.$executeRaw`
      UPDATE wallets SET balance = ${money(closing)}::numeric, updated_at = now() WHERE id = ${wallet.id}::uuid`;
  }
}

// Rows per INSERT when recording history: a statement holds thousands.
const HISTORY_INSERT_BATCH = 1000;

/** The signed value of a stored transaction (amount is stored positive). */
export function signedAmount(t: Pick<Transaction, 'transactionType' | 'amount'>): Decimal {
  const amount = new Decimal(t.amount.toString());
  return t.transactionType === 'debit' ? amount.negated() : amount;
}
