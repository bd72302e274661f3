import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';

import { EventCaptureService } from '../behavioral/event-capture.service';
import { Decimal } from '../common/money';
import { resolvePaging } from '../common/paging';
import { LedgerService } from '../financial/ledger.service';
import { isUniqueViolation } from '../infra/database/sql';

import { toCategoryResponse, toProductResponse, toPurchaseResponse } from './products.mapper';
import { ProductsRepository } from './products.repository';
import type {
  CategoryCreateInput,
  CategoryUpdateInput,
  ListProductsQuery,
  ProductCreateInput,
  ProductUpdateInput,
  PurchaseInput,
} from './products.schemas';

@Injectable()
export class ProductsService {
  constructor(
    private readonly repository: ProductsRepository,
    private readonly ledger: LedgerService,
    private readonly events: EventCaptureService,
  ) {}

  // ─── Categories ────────────────────────────────────────────────────────────

  async categories() {
    return (await this.repository.categories()).map(toCategoryResponse);
  }

  async createCategory(input: CategoryCreateInput) {
    const row = await this.repository
      .insertCategory({
        name: input.name,
        description: input.description ?? null,
        transactionCategory: input.transaction_category,
      })
      .catch(rethrowCategory);
    return toCategoryResponse(row);
  }

  async updateCategory(id: string, input: CategoryUpdateInput) {
    const row = await this.repository
      .updateCategory(id, {
        name: input.name,
        description: input.description,
        transactionCategory: input.transaction_category,
      })
      .catch(rethrowCategory);
    if (!row) throw new NotFoundException('Category not found');
    return toCategoryResponse(row);
  }

  /** Deletes the category; its products stay, uncategorised (their purchases are history). */
  async deleteCategory(id: string) {
    if (!(await this.repository.deleteCategory(id))) throw new NotFoundException('Category not found');
    return { message: 'Category deleted', id };
  }

  // ─── Products ──────────────────────────────────────────────────────────────

  async list(q: ListProductsQuery) {
    const paging = resolvePaging(q);
    const rows = await this.repository.listProducts(
      {
        availableOnly: q.available_only,
        categoryId: q.category_id,
        search: q.search,
        minPrice: q.min_price,
        maxPrice: q.max_price,
      },
      paging.limit,
      paging.offset,
    );
    return rows.map(toProductResponse);
  }

  async byCategory(categoryId: string, limit: number) {
    const rows = await this.repository.availableInCategory(categoryId, limit);
    if (!rows) throw new NotFoundException('Category not found');
    return rows.map(toProductResponse);
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
    return (await this.repository.popularProducts(since, limit)).map(toProductResponse);
  }

  async get(id: string) {
    const row = await this.repository.findProduct(id);
    if (!row) throw new NotFoundException('Product not found');
    return toProductResponse(row);
  }

  async create(input: ProductCreateInput) {
    await this.requireCategory(input.category_id);
    const row = await this.repository.insertProduct({
      name: input.name,
      description: input.description ?? null,
      price: input.price,
      categoryId: input.category_id,
      merchantName: input.merchant_name,
      stockQuantity: input.stock_quantity,
      imageUrl: input.image_url ?? null,
      isAvailable: input.is_available ?? true,
    });
    return toProductResponse(row);
  }

  async update(id: string, input: ProductUpdateInput) {
    if (input.category_id) await this.requireCategory(input.category_id);
    const row = await this.repository.updateProduct(id, {
      name: input.name,
      description: input.description,
      price: input.price,
      categoryId: input.category_id,
      merchantName: input.merchant_name,
      stockQuantity: input.stock_quantity,
      imageUrl: input.image_url,
      isAvailable: input.is_available,
    });
    if (!row) throw new NotFoundException('Product not found');
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
    const purchase = await this.ledger.transaction(async (tx) => {
      const product = await this.repository.findProduct(input.product_id, tx);
      if (!product) throw new NotFoundException('Product not found');
      if (!product.isAvailable) throw new BadRequestException('Product is not available');
      if (product.stockQuantity < input.quantity) throw new BadRequestException('Insufficient stock');
      const total = new Decimal(product.price).times(input.quantity);
      const transaction = await this.ledger.postIn(tx, {
        userId,
        amount: total.negated().toFixed(2),
        category: product.transactionCategory ?? 'other',
        description: `Purchase: ${product.name} x${input.quantity}`,
        merchantName: product.merchantName,
        locationCity: 'Unknown',
        locationCountry: 'US',
        source: 'purchase',
      });
      await this.repository.decrementStock(tx, product.id, input.quantity);
      const purchase = await this.repository.insertPurchase(tx, {
        userId,
        productId: product.id,
        transactionId: transaction.id,
        quantity: input.quantity,
        totalAmount: total.toFixed(2),
      });
      return toPurchaseResponse(purchase);
    });
    // Recorded only once the purchase committed.
    this.events.purchase(userId, {
      productId: input.product_id,
      quantity: input.quantity,
      total: Number(purchase.total_amount),
    });
    return purchase;
  }

  async history(userId: string, limit: number) {
    return (await this.repository.purchaseHistory(userId, limit)).map(toPurchaseResponse);
  }

  private async requireCategory(id: string) {
    if (!(await this.repository.findCategory(id))) throw new NotFoundException('Product category not found');
  }
}

function rethrowCategory(e: unknown): never {
  if (isUniqueViolation(e)) throw new ConflictException('A category with this name already exists');
  throw e;
}
