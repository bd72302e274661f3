import { money } from '../common/money';

import type { TransactionRow, WalletView } from './financial.repository';
import type { TransactionResponse } from './financial.schemas';

export function toTransactionResponse(t: TransactionRow): TransactionResponse {
  return {
    id: t.id,
    transaction_type: t.transactionType,
    amount: money(t.amount),
    category: t.category,
    description: t.description,
    merchant_name: t.merchantName,
    location_city: t.locationCity,
    location_country: t.locationCountry,
    balance_after: money(t.balanceAfter),
    transaction_date: t.transactionDate.toISOString(),
    source: t.source,
  };
}

export function toWalletResponse(w: WalletView) {
  return { id: w.id, balance: money(w.balance), currency: w.currency, updated_at: w.updatedAt.toISOString() };
}
