import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

import { deleteOlderThan, firstRow, inTransaction, rows } from '../../infra/database/sql';
import { PrismaService } from '../../infra/prisma/prisma.service';
import type { TransactionFields, WalletRow } from '../financial.repository';

/** Rows per INSERT: each column travels as one array parameter, so a batch is one round trip. */
const INSERT_BATCH = 5000;

export interface ImportedTransaction extends TransactionFields {
  transactionDate: Date;
  /** False for a date-only row (every statement row today): no feature reads its hour. */
  timeKnown: boolean;
  importKey: string;
}

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

/** The statement importer's SQL (pg, like every domain repository): every query names the importing user. */
@Injectable()
export class StatementImportRepository {
  constructor(private readonly database: PrismaService) {}

  /** One database transaction for the whole import: all rows or none. */
  inTransaction<T>(work: (tx: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.database.pool, work);
  }

  /** The wallet as it is, without locking or creating it (a dry run writes nothing). */
  peekWallet(tx: PoolClient, userId: string): Promise<WalletRow | undefined> {
    return firstRow<WalletRow>(tx, {
      text: `SELECT id, balance FROM wallets WHERE user_id = $1::uuid`,
      values: [userId],
    });
  }

  /** Locks the (existing) wallet row until the import commits: concurrent imports of the user serialise here. */
  lockWallet(tx: PoolClient, userId: string): Promise<WalletRow | undefined> {
    return firstRow<WalletRow>(tx, {
      text: `SELECT id, balance FROM wallets WHERE user_id = $1::uuid FOR UPDATE`,
      values: [userId],
    });
  }

  async existingKeys(tx: PoolClient, userId: string, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const found = await rows<{ import_key: string }>(tx, {
      // A join, not `= ANY(array)`: with a long key list the array form can be planned as a scan testing every row against the whole list.
      text: `SELECT t.import_key FROM unnest($2::text[]) AS k(key)
             JOIN transactions t ON t.user_id = $1::uuid AND t.import_key = k.key`,
      values: [userId, keys],
    });
    return new Set(found.map((r) => r.import_key));
  }

  async hasHistory(tx: PoolClient, userId: string): Promise<boolean> {
    const row = await firstRow<{ any: boolean }>(tx, {
      text: `SELECT EXISTS (SELECT 1 FROM transactions WHERE user_id = $1::uuid) AS any`,
      values: [userId],
    });
    return row?.any ?? false;
  }

  /** Inserts in order (seq follows the list), as source 'import'. */
  async insertTransactions(
    tx: PoolClient,
    userId: string,
    walletId: string,
    items: ImportedTransaction[],
  ): Promise<void> {
    for (let i = 0; i < items.length; i += INSERT_BATCH) {
      const batch = items.slice(i, i + INSERT_BATCH);
      const column = <K extends keyof ImportedTransaction>(key: K) => batch.map((t) => t[key]);
      await tx.query({
        text: `INSERT INTO transactions (id, user_id, wallet_id, transaction_type, amount, category, description,
                 merchant_name, location_city, location_country, balance_after, transaction_date, time_known, source,
                 import_key, created_at, updated_at)
               SELECT gen_random_uuid(), $1::uuid, $2::uuid, r.type, r.amount, r.category, r.description,
                 r.merchant, r.city, r.country, r.balance, r.date, r.time_known, 'import', r.key, now(), now()
               FROM unnest($3::transaction_type[], $4::numeric[], $5::transaction_category[], $6::text[], $7::text[],
                 $8::text[], $9::text[], $10::numeric[], $11::timestamptz[], $12::text[], $13::boolean[])
                 WITH ORDINALITY AS r(type, amount, category, description, merchant, city, country, balance, date, key,
                   time_known, n)
               ORDER BY r.n`,
        values: [
          userId,
          walletId,
          column('transactionType'),
          column('amount'),
          column('category'),
          column('description'),
          column('merchantName'),
          column('locationCity'),
          column('locationCountry'),
          column('balanceAfter'),
          column('transactionDate'),
          column('importKey'),
          column('timeKnown'),
        ],
      });
    }
  }

  async recordImport(tx: PoolClient, audit: ImportAudit): Promise<string> {
    const row = await firstRow<{ id: string }>(tx, {
      text: `INSERT INTO statement_imports (id, user_id, file_name, file_sha256, format, dry_run, rows_total,
               rows_imported, rows_skipped, created_at)
             VALUES (gen_random_uuid(), $1::uuid, $2, $3, $4, $5, $6, $7, $8, now())
             RETURNING id`,
      values: [
        audit.userId,
        audit.fileName,
        audit.fileSha256,
        audit.format,
        audit.dryRun,
        audit.rowsTotal,
        audit.rowsImported,
        audit.rowsSkipped,
      ],
    });
    return row!.id;
  }

  /** Retention: deletes import audit rows older than `days` (the imported transactions stay). */
  purgeAuditOlderThan(days: number): Promise<number> {
    return deleteOlderThan(this.database.pool, 'statement_imports', 'created_at', days);
  }
}
