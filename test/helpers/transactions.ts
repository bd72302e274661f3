import type { TestApp, TestUser } from './test-app';

export interface SeedTransaction {
  daysAgo: number;
  amount: number; // signed: < 0 debit, > 0 credit
  category:
    | 'groceries'
    | 'dine_out'
    | 'entertainment'
    | 'bills'
    | 'transport'
    | 'shopping'
    | 'health'
    | 'fitness'
    | 'savings'
    | 'income'
    | 'other';
  description?: string;
  merchant?: string;
  hour?: number;
}

/**
 * Writes a history straight into the database (for coaching tests that need
 * weeks of past data, which the API cannot backdate). The wallet balance ends at
 * `openingBalance` plus the sum of the amounts, with balance_after per row.
 */
export async function seedHistory(
  t: TestApp,
  userId: string,
  rows: SeedTransaction[],
  openingBalance = 1000,
): Promise<number> {
  const wallet = await t.prisma.wallet.upsert({
    where: { userId },
    create: { userId, balance: openingBalance },
    update: {},
  });
  const ordered = [...rows].sort((a, b) => b.daysAgo - a.daysAgo);
  let balance = Number(wallet.balance);
  const now = Date.now();
  const data = ordered.map((r, i) => {
    balance = Math.round((balance + r.amount) * 100) / 100;
    const date = new Date(now - r.daysAgo * 86_400_000);
    if (r.hour !== undefined) date.setUTCHours(r.hour, i % 60, 0, 0);
    return {
      userId,
      walletId: wallet.id,
      transactionType: r.amount < 0 ? ('debit' as const) : ('credit' as const),
      amount: Math.abs(r.amount).toFixed(2),
      category: r.category,
      description: r.description ?? `${r.category} purchase`,
      merchantName: r.merchant ?? null,
      locationCity: 'Nottingham',
      locationCountry: 'UK',
      balanceAfter: balance.toFixed(2),
      transactionDate: date,
      source: 'seed' as const,
    };
  });
  await t.prisma.transaction.createMany({ data });
  await t.prisma.wallet.update({ where: { id: wallet.id }, data: { balance: balance.toFixed(2) } });
  return balance;
}

/** Ten weeks of a salaried, mixed-spending life: salary, rent, groceries, dining, transport, a few impulses. */
export function typicalHistory(weeks = 10): SeedTransaction[] {
  const rows: SeedTransaction[] = [];
  for (let w = 0; w < weeks; w++) {
    const d = w * 7;
    rows.push({ daysAgo: d + 6, amount: 900, category: 'income', description: 'Salary', merchant: 'Employer Ltd' });
    rows.push({ daysAgo: d + 5, amount: -120.5, category: 'groceries', merchant: 'LIDL' });
    rows.push({ daysAgo: d + 3, amount: -45.2, category: 'dine_out', merchant: 'Pizza Place', hour: 20 });
    rows.push({ daysAgo: d + 2, amount: -25, category: 'transport', merchant: 'City Transit', hour: 8 });
    rows.push({ daysAgo: d + 1, amount: -60 - (w % 3) * 15, category: 'shopping', merchant: 'AMAZON', hour: 22 });
    if (w % 4 === 0)
      rows.push({ daysAgo: d + 4, amount: -450, category: 'bills', description: 'Rent', merchant: 'Landlord' });
    if (w % 2 === 0) rows.push({ daysAgo: d + 1, amount: -100, category: 'savings', description: 'To savings' });
  }
  return rows;
}

/** Records one transaction through the API, as a user would (201 expected). */
export function postTransaction(t: TestApp, user: TestUser, body: Record<string, unknown>) {
  return t.http().post('/financial/transactions').set(user.auth).send(body).expect(201);
}
