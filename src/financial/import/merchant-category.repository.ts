import { Injectable } from '@nestjs/common';

import type { Category } from '../../common/categories';
import { rows, type Queryable } from '../../infra/database/sql';
import { PrismaService } from '../../infra/prisma/prisma.service';

/** The per-user merchant → category memory (owner-scoped: every query names the user). */
@Injectable()
export class MerchantCategoryRepository {
  constructor(private readonly database: PrismaService) {}

  /** The user's latest choice for a merchant wins. */
  async remember(db: Queryable, userId: string, merchantKey: string, category: Category): Promise<void> {
    await db.query({
      name: 'merchant-category-remember',
      text: `INSERT INTO merchant_categories (user_id, merchant_key, category, updated_at)
             VALUES ($1::uuid, $2, $3::transaction_category, now())
             ON CONFLICT (user_id, merchant_key) DO UPDATE SET category = EXCLUDED.category, updated_at = now()`,
      values: [userId, merchantKey, category],
    });
  }

  async load(userId: string, db: Queryable = this.database.pool): Promise<Map<string, Category>> {
    const found = await rows<{ merchant_key: string; category: Category }>(db, {
      name: 'merchant-categories-of-user',
      text: `SELECT merchant_key, category::text AS category FROM merchant_categories WHERE user_id = $1::uuid`,
      values: [userId],
    });
    return new Map(found.map((r) => [r.merchant_key, r.category]));
  }
}
