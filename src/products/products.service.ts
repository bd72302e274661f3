import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';

import { EventCaptureService } from '../behavioral/event-capture.service';
import { Decimal } from '../common/money';
import { resolvePaging } from '../common/paging';
import { LedgerService, TX_OPTIONS } from '../financial/ledger.service';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { PrismaService } from '../infra/prisma/prisma.service';

import { toCategoryResponse, toProductResponse, toPurchaseResponse } from './products.mapper';
import type {
  CategoryCreateInput,
  CategoryUpdateInput,
  ListProductsQuery,
  ProductCreateInput,
  ProductUpdateInput,
  PurchaseInput,
} from './products.schemas';

const isUniqueViolation = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';
const isNotFound = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2025';

@Injectable()
export class ProductsService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaClient,
    private readonly ledger: LedgerService,
    private readonly events: EventCaptureService,
  ) {}

  // ─── Categories ────────────────────────────────────────────────────────────

  async categories() {
    return (await this.prisma.productCategory.findMany({ orderBy: { name: 'asc' } })).map(toCategoryResponse);
  }

  async createCategory(input: CategoryCreateInput) {
    const row = await this.prisma.productCategory
      .create({
        data: {
          name: input.name,
          description: input.description ?? null,
          transactionCategory: input.transaction_category,
        },
      })
      .catch(rethrowCategory);
    return toCategoryResponse(row);
  }

  async updateCategory(id: string, input: CategoryUpdateInput) {
    const row = await this.prisma.productCategory
      .update({
        where: { id },
        data: { name: input.name, description: input.description, transactionCategory: input.transaction_category },
      })
      .catch(rethrowCategory);
    return toCategoryResponse(row);
  }

  /** Deletes the category; its products stay, uncategorised (their purchases are history). */
  async deleteCategory(id: string) {
    await this.prisma.productCategory.delete({ where: { id } }).catch(rethrowCategory);
    return { message: 'Category deleted', id };
  }

  // ─── Products ──────────────────────────────────────────────────────────────

  async list(q: ListProductsQuery) {
    const paging = resolvePaging(q);
    const rows = await this.prisma.product.findMany({
      where: {
        ...(q.available_only ? { isAvailable: true } : {}),
        ...(q.category_id ? { categoryId: q.category_id } : {}),
        ...(q.search ? { OR: searchFilter(q.search) } : {}),
        price: { ...(q.min_price ? { gte: q.min_price } : {}), ...(q.max_price ? { lte: q.max_price } : {}) },
      },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      skip: paging.offset,
      take: paging.limit,
    });
    return rows.map(toProductResponse);
  }

  async byCategory(categoryId: string, limit: number) {
    const category = await this.prisma.productCategory.findUnique({ where: { id: categoryId } });
    if (!category) throw new NotFoundException('Category not found');
    return this.list({ category_id: categoryId, available_only: true, limit });
  }

  /** Search by name/description/merchant; a signed-in user's search is recorded as a behavioural event. */
  async search(term: string, limit: number, userId?: string) {
    const results = await this.list({ search: term, available_only: true, limit });
    if (userId) this.events.search(userId, { term, results: results.length });
    return results;
  }

  /** Most purchased (by number of purchases) available products over the last `days` days. */
  async popular(limit: number, days: number) {
    const since = new Date(Date.now() - days * 86_400_000);
    const ranked = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT p.id
      FROM user_purchases up JOIN products p ON p.id = up.product_id
      WHERE up.purchase_date >= ${since} AND p.is_available
      GROUP BY p.id, p.name
      ORDER BY COUNT(*) DESC, SUM(up.quantity) DESC, p.name
      LIMIT ${limit}`;
    const products = await this.prisma.product.findMany({ where: { id: { in: ranked.map((r) => r.id) } } });
    const byId = new Map(products.map((p) => [p.id, p]));
    return ranked.flatMap((r) => (byId.has(r.id) ? [toProductResponse(byId.get(r.id)!)] : []));
  }

  async get(id: string) {
    const row = await this.prisma.product.findUnique({ where: { id } });
    if (!row) throw new NotFoundException('Product not found');
    return toProductResponse(row);
  }

  async create(input: ProductCreateInput) {
    await this.requireCategory(input.category_id);
    const row = await this.prisma.product.create({
      data: {
        name: input.name,
        description: input.description ?? null,
        price: input.price,
        categoryId: input.category_id,
        merchantName: input.merchant_name,
        stockQuantity: input.stock_quantity,
        imageUrl: input.image_url ?? null,
        isAvailable: input.is_available ?? true,
      },
    });
    return toProductResponse(row);
  }

  async update(id: string, input: ProductUpdateInput) {
    if (input.category_id) await this.requireCategory(input.category_id);
    const row = await this.prisma.product
      .update({
        where: { id },
        data: {
          name: input.name,
          description: input.description,
          price: input.price,
          categoryId: input.category_id,
          merchantName: input.merchant_name,
          stockQuantity: input.stock_quantity,
          imageUrl: input.image_url,
          isAvailable: input.is_available,
        },
      })
      .catch((e: unknown) => {
        throw isNotFound(e) ? new NotFoundException('Product not found') : e;
      });
    return toProductResponse(row);
  }

  /** Soft delete: the product leaves the shop (unavailable) but purchase history keeps pointing at it. */
  async remove(id: string) {
    return this.update(id, { is_available: false });
  }

  // ─── Purchases ─────────────────────────────────────────────────────────────

  /**
   * All or nothing, in one database transaction: lock the product row, check availability
   * and stock, debit the wallet through the ledger, decrement stock, record the purchase.
   */
  async purchase(userId: string, input: PurchaseInput) {
    const purchase = await this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM products WHERE id = ${input.product_id}::uuid FOR UPDATE`;
      const product = await tx.product.findUnique({ where: { id: input.product_id }, include: { category: true } });
      if (!product) throw new NotFoundException('Product not found');
      if (!product.isAvailable) throw new BadRequestException('Product is not available');
      if (product.stockQuantity < input.quantity) throw new BadRequestException('Insufficient stock');
      const total = new Decimal(product.price.toString()).times(input.quantity);
      const transaction = await this.ledger.postIn(tx, {
        userId,
        amount: total.negated().toFixed(2),
        category: product.category?.transactionCategory ?? 'other',
        description: `Purchase: ${product.name} x${input.quantity}`,
        merchantName: product.merchantName,
        locationCity: 'Unknown',
        locationCountry: 'US',
        source: 'purchase',
      });
      await tx.product.update({ where: { id: product.id }, data: { stockQuantity: { decrement: input.quantity } } });
      const purchase = await tx.userPurchase.create({
        data: {
          userId,
          productId: product.id,
          transactionId: transaction.id,
          quantity: input.quantity,
          totalAmount: total.toFixed(2),
        },
        include: { product: true },
      });
      return toPurchaseResponse(purchase);
    }, TX_OPTIONS);
    // Recorded only once the purchase committed.
    this.events.purchase(userId, {
      productId: input.product_id,
      quantity: input.quantity,
      total: Number(purchase.total_amount),
    });
    return purchase;
  }

  async history(userId: string, limit: number) {
    const rows = await this.prisma.userPurchase.findMany({
      where: { userId },
      include: { product: true },
      orderBy: [{ purchaseDate: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map(toPurchaseResponse);
  }

  private async requireCategory(id: string) {
    if (!(await this.prisma.productCategory.findUnique({ where: { id } }))) {
      throw new NotFoundException('Product category not found');
    }
  }
}

function searchFilter(term: string): Prisma.ProductWhereInput[] {
  return [
    { name: { contains: term, mode: 'insensitive' } },
    { description: { contains: term, mode: 'insensitive' } },
    { merchantName: { contains: term, mode: 'insensitive' } },
  ];
}

function rethrowCategory(e: unknown): never {
  if (isUniqueViolation(e)) throw new ConflictException('A category with this name already exists');
  if (isNotFound(e)) throw new NotFoundException('Category not found');
  throw e;
}
