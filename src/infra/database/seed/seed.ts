import { PasswordHasher } from '../../../auth/password-hasher';
import type { PrismaClient } from '../../../generated/prisma/client';

import { CATALOGUE, SEED_ADMINS } from './catalogue';
import { seedDemoData } from './demo-data';

export interface SeedOptions {
  adminPassword: string;
  passwordHashCost: number;
  log?: (message: string) => void;
}

/**
 * Idempotent local/dev seed: admin accounts (role admin, wallet 10,000.00), the
 * product catalogue and the demo users (demo-data.ts; password = the admin seed password).
 * Existing rows are left untouched, so it is safe on every start.
 */
export async function seedDatabase(prisma: PrismaClient, options: SeedOptions): Promise<void> {
  const log = options.log ?? (() => undefined);
  const hasher = new PasswordHasher(options.passwordHashCost);
  let admins = 0;
  for (const admin of SEED_ADMINS) {
    const existing = await prisma.user.findUnique({ where: { email: admin.email } });
    if (existing) continue;
    await prisma.user.create({
      data: {
        email: admin.email,
        firstName: admin.firstName,
        lastName: admin.lastName,
        role: 'admin',
        passwordHash: await hasher.hash(options.adminPassword),
        profile: { create: {} },
        wallet: { create: { balance: '10000.00' } },
      },
    });
    admins++;
  }
  let products = 0;
  for (const category of CATALOGUE) {
    const row = await prisma.productCategory.upsert({
      where: { name: category.name },
      create: {
        name: category.name,
        description: category.description,
        transactionCategory: category.transactionCategory,
      },
      update: {},
    });
    const count = await prisma.product.count({ where: { categoryId: row.id } });
    if (count > 0) continue;
    await prisma.product.createMany({
      data: category.products.map((p) => ({
        name: p.name,
        price: p.price,
        merchantName: p.merchant,
        description: p.description,
        categoryId: row.id,
      })),
    });
    products += category.products.length;
  }
  log(`seed: ${admins} admin account(s) and ${products} product(s) added`);
  await seedDemoData({ prisma, passwordHash: await hasher.hash(options.adminPassword), log });
}
