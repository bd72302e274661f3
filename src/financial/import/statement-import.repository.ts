import { Inject, Injectable } from '@nestjs/common';

import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { PrismaService } from '../../infra/prisma/prisma.service';

type Tx = Prisma.TransactionClient;

const INSERT_BATCH = 2000;

export interface ImportAudit {
  userId: string;
  fileName: string | null;
  fileSha256: string;
  format: string;
  dryRun: boolean;
  rowsTotal: number;
  rowsImported: number;
  rowsSkipped: number;
}

/** The statement importer's SQL: every query is scoped to the importing user. */
@Injectable()
export class StatementImportRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaClient) {}

  /** One database transaction for the whole import: all rows or none. */
  inTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work, { maxWait: 15_000, timeout: 300_000 });
  }

  /** The wallet as it is, without creating it (a dry run writes no transactions or wallets). */
  peekWallet(tx: Tx, userId: string) {
    return tx.wallet.findUnique({ where: { userId }, select: { id: true, balance: true } });
  }

  async existingKeys(tx: Tx, userId: string, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await tx.$queryRaw<{ import_key: string }[]>`
      SELECT import_key FROM transactions WHERE user_id = ${userId}::uuid AND import_key = ANY(${keys}::text[])`;
    return new Set(rows.map((r) => r.import_key));
  }

  async hasHistory(tx: Tx, userId: string): Promise<boolean> {
    const rows = await tx.$queryRaw<{ any: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM transactions WHERE user_id = ${userId}::uuid) AS any`;
    return rows[0].any;
  }

  async insertTransactions(tx: Tx, data: Prisma.TransactionCreateManyInput[]): Promise<void> {
    for (let i = 0; i < data.length; i += INSERT_BATCH) {
      await tx.transaction.createMany({ data: data.slice(i, i + INSERT_BATCH) });
    }
  }

  async setWalletBalance(tx: Tx, walletId: string, balance: string): Promise<void> {
    await tx.$executeRaw`UPDATE wallets SET balance = ${balance}::numeric, updated_at = now() WHERE id = ${walletId}::uuid`;
  }

  async recordImport(tx: Tx, audit: ImportAudit): Promise<string> {
    const record = await tx.statementImport.create({ data: audit, select: { id: true } });
    return record.id;
  }
}
