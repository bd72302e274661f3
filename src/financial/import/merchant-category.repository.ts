import { Inject, Injectable } from '@nestjs/common';

import type { Category } from '../../common/categories';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { PrismaService } from '../../infra/prisma/prisma.service';

type Db = PrismaClient | Prisma.TransactionClient;

/** The per-user merchant → category memory (owner-scoped: every query names the user). */
@Injectable()
export class MerchantCategoryRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaClient) {}

  /** The user's latest choice for a merchant wins. */
  async remember(db: Db, userId: string, merchantKey: string, category: Category): Promise<void> {
    await db.$executeRaw`
      INSERT INTO merchant_categories (user_id, merchant_key, category, updated_at)
      VALUES (${userId}::uuid, ${merchantKey}, ${category}::transaction_category, now())
      ON CONFLICT (user_id, merchant_key) DO UPDATE SET category = EXCLUDED.category, updated_at = now()`;
  }

  async load(userId: string, db: Db = this.prisma): Promise<Map<string, Category>> {
    const rows = await db.$queryRaw<{ merchant_key: string; category: Category }[]>`
      SELECT merchant_key, category::text AS category FROM merchant_categories WHERE user_id = ${userId}::uuid`;
    return new Map(rows.map((r) => [r.merchant_key, r.category]));
  }
}
