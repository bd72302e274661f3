import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

import type { TransactionCategory } from '../generated/prisma/client';
import { containsPattern, firstRow, rows } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';

/**
 * Every query of the marketplace (categories, products, purchases), on the shared pg pool with
 * plain parameterised SQL (docs/architecture.md, data access). Purchases run inside the
 * ledger's transaction, whose connection the caller passes in.
 */

export interface CategoryRow {
  id: string;
  name: string;
  description: string | null;
  transactionCategory: TransactionCategory;
}

export interface ProductRow {
  id: string;
  name: string;
  description: string | null;
  price: string;
  categoryId: string | null;
  merchantName: string;
  isAvailable: boolean;
  stockQuantity: number;
  imageUrl: string | null;
}

export interface PurchaseRow {
  id: string;
  quantity: number;
  totalAmount: string;
  transactionId: string;
  purchaseDate: Date;
  product: ProductRow | null;
}

export interface ProductFilter {
  availableOnly?: boolean;
  categoryId?: string;
  search?: string;
  minPrice?: string;
  maxPrice?: string;
}

export type ProductFields = Partial<Omit<ProductRow, 'id'>>;

const CATEGORY_COLUMNS = `id, name, description, transaction_category AS "transactionCategory"`;
const PRODUCT_COLUMNS = `p.id, p.name, p.description, p.price, p.category_id AS "categoryId", p.merchant_name AS "merchantName",
  p.is_available AS "isAvailable", p.stock_quantity AS "stockQuantity", p.image_url AS "imageUrl"`;
/** A purchase with its product as one JSON value (null once the product is gone). */
const PURCHASE_COLUMNS = `up.id, up.quantity, up.total_amount AS "totalAmount", up.transaction_id AS "transactionId",
  up.purchase_date AS "purchaseDate",
  CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object('id', p.id, 'name', p.name, 'description', p.description,
    'price', p.price::text, 'categoryId', p.category_id, 'merchantName', p.merchant_name, 'isAvailable', p.is_available,
    'stockQuantity', p.stock_quantity, 'imageUrl', p.image_url) END AS product`;

/** Product columns a caller may set, and their SQL casts. */
const PRODUCT_FIELDS: Record<keyof ProductFields, string> = {
  name: 'name',
  description: 'description',
  price: 'price::numeric',
  categoryId: 'category_id::uuid',
  merchantName: 'merchant_name',
  isAvailable: 'is_available::boolean',
  stockQuantity: 'stock_quantity::int',
  imageUrl: 'image_url',
};

@Injectable()
export class ProductsRepository {
  constructor(private readonly database: PrismaService) {}

  // ─── Categories ────────────────────────────────────────────────────────────

  categories(): Promise<CategoryRow[]> {
    return rows<CategoryRow>(this.database.pool, {
      text: `SELECT ${CATEGORY_COLUMNS} FROM product_categories ORDER BY name`,
    });
  }

  findCategory(id: string): Promise<CategoryRow | undefined> {
    return firstRow<CategoryRow>(this.database.pool, {
      text: `SELECT ${CATEGORY_COLUMNS} FROM product_categories WHERE id = $1::uuid`,
      values: [id],
    });
  }

  /** Throws SQLSTATE 23505 for a taken name. */
  async insertCategory(c: Omit<CategoryRow, 'id'>): Promise<CategoryRow> {
    return (await firstRow<CategoryRow>(this.database.pool, {
      text: `INSERT INTO product_categories (id, name, description, transaction_category, created_at)
             VALUES (gen_random_uuid(), $1, $2, $3::transaction_category, now()) RETURNING ${CATEGORY_COLUMNS}`,
      values: [c.name, c.description, c.transactionCategory],
    }))!;
  }

  /** Fields left undefined keep their value; undefined when there is no such category. */
  updateCategory(id: string, c: Partial<Omit<CategoryRow, 'id'>>): Promise<CategoryRow | undefined> {
    return firstRow<CategoryRow>(this.database.pool, {
      text: `UPDATE product_categories SET name = COALESCE($2, name),
               description = CASE WHEN $3::boolean THEN $4 ELSE description END,
               transaction_category = COALESCE($5::transaction_category, transaction_category)
             WHERE id = $1::uuid RETURNING ${CATEGORY_COLUMNS}`,
      values: [id, c.name ?? null, c.description !== undefined, c.description ?? null, c.transactionCategory ?? null],
    });
  }

  /** Whether a category was deleted; its products stay, uncategorised (ON DELETE SET NULL). */
  async deleteCategory(id: string): Promise<boolean> {
    const result = await this.database.pool.query({
      text: 'DELETE FROM product_categories WHERE id = $1::uuid',
      values: [id],
    });
    return (result.rowCount ?? 0) > 0;
  }

  // ─── Products ──────────────────────────────────────────────────────────────

  listProducts(filter: ProductFilter, limit: number, offset: number): Promise<ProductRow[]> {
    const values: unknown[] = [limit, offset];
    const where: string[] = [];
    const add = (value: unknown, condition: (p: string) => string) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    if (filter.availableOnly) where.push('p.is_available');
    if (filter.categoryId) add(filter.categoryId, (p) => `p.category_id = ${p}::uuid`);
    if (filter.search) {
      add(
        containsPattern(filter.search),
        (p) => `(p.name ILIKE ${p} OR p.description ILIKE ${p} OR p.merchant_name ILIKE ${p})`,
      );
    }
    if (filter.minPrice) add(filter.minPrice, (p) => `p.price >= ${p}::numeric`);
    if (filter.maxPrice) add(filter.maxPrice, (p) => `p.price <= ${p}::numeric`);
    return rows<ProductRow>(this.database.pool, {
      text: `SELECT ${PRODUCT_COLUMNS} FROM products p ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
             ORDER BY p.name, p.id LIMIT $1 OFFSET $2`,
      values,
    });
  }

  /** A category's available products by name, in one round trip; undefined when there is no such category. */
  async availableInCategory(categoryId: string, limit: number): Promise<ProductRow[] | undefined> {
    const found = await rows<ProductRow & { found: boolean }>(this.database.pool, {
      name: 'products-available-in-category',
      text: `SELECT true AS found, p.*
             FROM product_categories c
             LEFT JOIN LATERAL (
               SELECT ${PRODUCT_COLUMNS} FROM products p
               WHERE p.category_id = c.id AND p.is_available ORDER BY p.name, p.id LIMIT $2
             ) p ON true
             WHERE c.id = $1::uuid`,
      values: [categoryId, limit],
    });
    if (!found.length) return undefined;
    return found[0].id ? found.map(({ found: _found, ...product }) => product) : [];
  }

  /** Most purchased (by number of purchases) available products since `since`. */
  popularProducts(since: Date, limit: number): Promise<ProductRow[]> {
    return rows<ProductRow>(this.database.pool, {
      text: `SELECT ${PRODUCT_COLUMNS}
             FROM user_purchases up JOIN products p ON p.id = up.product_id
             WHERE up.purchase_date >= $1 AND p.is_available
             GROUP BY p.id
             ORDER BY COUNT(*) DESC, SUM(up.quantity) DESC, p.name
             LIMIT $2`,
      values: [since, limit],
    });
  }

  /** Inside a transaction (`tx`) the row is locked until it ends (a purchase's stock check). */
  findProduct(
    id: string,
    tx?: PoolClient,
  ): Promise<(ProductRow & { transactionCategory: TransactionCategory | null }) | undefined> {
    return firstRow(tx ?? this.database.pool, {
      text: `SELECT ${PRODUCT_COLUMNS}, c.transaction_category AS "transactionCategory"
             FROM products p LEFT JOIN product_categories c ON c.id = p.category_id
             WHERE p.id = $1::uuid${tx ? ' FOR UPDATE OF p' : ''}`,
      values: [id],
    });
  }

  async insertProduct(fields: Omit<ProductRow, 'id'>): Promise<ProductRow> {
    const { columns, params, values } = productAssignments(fields, 0);
    return (await firstRow<ProductRow>(this.database.pool, {
      text: `INSERT INTO products AS p (id, ${columns.join(', ')}, created_at, updated_at)
             VALUES (gen_random_uuid(), ${params.join(', ')}, now(), now()) RETURNING ${PRODUCT_COLUMNS}`,
      values,
    }))!;
  }

  /** Fields left undefined keep their value; undefined when there is no such product. */
  updateProduct(id: string, fields: ProductFields): Promise<ProductRow | undefined> {
    const { columns, params, values } = productAssignments(fields, 1);
    const sets = columns.map((column, i) => `${column} = ${params[i]}`);
    return firstRow<ProductRow>(this.database.pool, {
      text: `UPDATE products AS p SET ${[...sets, 'updated_at = now()'].join(', ')}
             WHERE p.id = $1::uuid RETURNING ${PRODUCT_COLUMNS}`,
      values: [id, ...values],
    });
  }

  async decrementStock(tx: PoolClient, id: string, quantity: number): Promise<void> {
    await tx.query({
      text: 'UPDATE products SET stock_quantity = stock_quantity - $2, updated_at = now() WHERE id = $1::uuid',
      values: [id, quantity],
    });
  }

  // ─── Purchases ─────────────────────────────────────────────────────────────

  async insertPurchase(
    tx: PoolClient,
    p: { userId: string; productId: string; transactionId: string; quantity: number; totalAmount: string },
  ): Promise<PurchaseRow> {
    return (await firstRow<PurchaseRow>(tx, {
      text: `WITH up AS (
               INSERT INTO user_purchases (id, user_id, product_id, transaction_id, quantity, total_amount, purchase_date)
               VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, $4, $5::numeric, now()) RETURNING *
             )
             SELECT ${PURCHASE_COLUMNS} FROM up LEFT JOIN products p ON p.id = up.product_id`,
      values: [p.userId, p.productId, p.transactionId, p.quantity, p.totalAmount],
    }))!;
  }

  purchaseHistory(userId: string, limit: number): Promise<PurchaseRow[]> {
    return rows<PurchaseRow>(this.database.pool, {
      text: `SELECT ${PURCHASE_COLUMNS} FROM user_purchases up LEFT JOIN products p ON p.id = up.product_id
             WHERE up.user_id = $1::uuid ORDER BY up.purchase_date DESC, up.id DESC LIMIT $2`,
      values: [userId, limit],
    });
  }
}

/** The columns, placeholders (numbered after `offset` leading values) and values of the fields given. */
function productAssignments(fields: ProductFields, offset: number) {
  const columns: string[] = [];
  const params: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const [column, cast] = PRODUCT_FIELDS[key as keyof ProductFields].split('::');
    values.push(value);
    columns.push(column);
    params.push(`$${offset + values.length}${cast ? `::${cast}` : ''}`);
  }
  return { columns, params, values };
}
