import { money } from '../common/money';

import type { CategoryRow, ProductRow, PurchaseRow } from './products.repository';

export function toCategoryResponse(c: CategoryRow) {
  return { id: c.id, name: c.name, description: c.description, transaction_category: c.transactionCategory };
}

export function toProductResponse(p: ProductRow) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    price: money(p.price),
    category_id: p.categoryId,
    merchant_name: p.merchantName,
    is_available: p.isAvailable,
    stock_quantity: p.stockQuantity,
    image_url: p.imageUrl,
  };
}

export function toPurchaseResponse(p: PurchaseRow) {
  return {
    id: p.id,
    product: p.product ? toProductResponse(p.product) : null,
    quantity: p.quantity,
    total_amount: money(p.totalAmount),
    transaction_id: p.transactionId,
    purchase_date: p.purchaseDate.toISOString(),
  };
}
