import { z } from 'zod';

import { moneyInput, moneyQuery } from '../common/money-input';
import { pagingQuery, queryBoolean } from '../common/paging';
import { CATEGORIES } from '../financial/financial.schemas';

/**
 * The admin UI sends camelCase bodies (categoryId, merchantName, …), the shop snake_case:
 * camelCase keys are renamed before validation, so errors always name the snake_case field.
 */
function acceptingCamelCase<S extends z.ZodType>(schema: S, aliases: Record<string, string>) {
  return z.preprocess((value) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [camel, snake] of Object.entries(aliases)) {
      if (camel in out) {
        if (!(snake in out)) out[snake] = out[camel];
        delete out[camel];
      }
    }
    return out;
  }, schema);
}

const transactionCategory = z.enum(CATEGORIES, `Transaction category must be one of: ${CATEGORIES.join(', ')}`);
const description = z.string().trim().max(2000).nullish();

const categoryFields = z.object({
  name: z.string('name is required').trim().min(1, 'name must not be empty').max(100),
  description,
  transaction_category: transactionCategory,
});
const categoryAliases = { transactionCategory: 'transaction_category' };
export const categoryCreateSchema = acceptingCamelCase(categoryFields, categoryAliases);
export const categoryUpdateSchema = acceptingCamelCase(categoryFields.partial(), categoryAliases);
export type CategoryCreateInput = z.output<typeof categoryFields>;
export type CategoryUpdateInput = Partial<CategoryCreateInput>;

const productFields = z.object({
  name: z.string('name is required').trim().min(1, 'name must not be empty').max(255),
  description,
  price: moneyInput({ positive: true, zeroMessage: 'Price must be greater than zero' }),
  category_id: z.uuid('category_id must be a category id (UUID)'),
  merchant_name: z.string('merchant_name is required').trim().min(1, 'merchant_name must not be empty').max(255),
  stock_quantity: z.number().int().min(0, 'Stock quantity cannot be negative').max(1_000_000_000).default(100),
  image_url: z.url().max(500).nullish(),
  is_available: z.boolean().optional(),
});
const productAliases = {
  categoryId: 'category_id',
  merchantName: 'merchant_name',
  stockQuantity: 'stock_quantity',
  imageUrl: 'image_url',
  isAvailable: 'is_available',
};
export const productCreateSchema = acceptingCamelCase(productFields, productAliases);
export const productUpdateSchema = acceptingCamelCase(
  productFields.extend({ stock_quantity: productFields.shape.stock_quantity.removeDefault() }).partial(),
  productAliases,
);
export type ProductCreateInput = z.output<typeof productFields>;
export type ProductUpdateInput = Partial<ProductCreateInput>;

export const listProductsQuerySchema = z
  .object({
    category_id: z.uuid('category_id must be a UUID').optional(),
    search: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .describe('Case-insensitive, in name, description and merchant'),
    min_price: moneyQuery.optional(),
    max_price: moneyQuery.optional(),
    available_only: queryBoolean.default(true),
    ...pagingQuery(20, 100),
  })
  .refine((q) => !q.min_price || !q.max_price || Number(q.min_price) <= Number(q.max_price), {
    path: ['max_price'],
    message: 'max_price must not be below min_price',
  });
export type ListProductsQuery = z.output<typeof listProductsQuerySchema>;

export const limitQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });
export const popularQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(10),
  days: z.coerce.number().int().min(1).max(3650).default(30),
});

export const purchaseSchema = z.object({
  product_id: z.uuid('product_id must be a product id (UUID)'),
  quantity: z
    .number()
    .int()
    .min(1, 'Quantity must be at least 1')
    .max(10, 'Quantity cannot exceed 10 per purchase')
    .default(1),
});
export type PurchaseInput = z.output<typeof purchaseSchema>;

// ─── Responses ───────────────────────────────────────────────────────────────

export const productCategoryResponseSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  transaction_category: transactionCategory,
});

export const productResponseSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  price: z.string().describe('two-decimal string'),
  category_id: z.uuid().nullable(),
  merchant_name: z.string(),
  is_available: z.boolean(),
  stock_quantity: z.number().int(),
  image_url: z.string().nullable(),
});

export const purchaseResponseSchema = z.object({
  id: z.uuid(),
  product: productResponseSchema.nullable().describe('null if the product was deleted since'),
  quantity: z.number().int(),
  total_amount: z.string(),
  transaction_id: z.uuid(),
  purchase_date: z.string(),
});
