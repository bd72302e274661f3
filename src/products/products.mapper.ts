import { money } from '../common/money';
import type { Product, ProductCategory, UserPurchase } from '../generated/prisma/client';

export function toCategoryResponse(c: ProductCategory) {
  return { id: c.id, name: c.name, description: c.description, transaction_category: c.transactionCategory };
}

export function toProductResponse(p: Product) {
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

export function toPurchaseResponse(p: UserPurchase & { product: Product | null }) {
  return {
    id: p.id,
    product: p.product ? toProductResponse(p.product) : null,
    quantity: p.quantity,
    total_amount: money(p.totalAmount),
    transaction_id: p.transactionId,
    purchase_date: p.purchaseDate.toISOString(),
  };
}
