import { Inject, Injectable } from '@nestjs/common';

import { PasswordHasher } from '../auth/password-hasher';
import { StatementImportService } from '../financial/import/statement-import.service';
import { LedgerService } from '../financial/ledger.service';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { PrismaService } from '../infra/prisma/prisma.service';

import { CATALOGUE, SEED_ADMINS } from './catalogue';
import { DEMO_SEEDERS, type DemoContext } from './demo-data';

const ADMIN_OPENING_BALANCE = '10000.00';

/**
 * Idempotent local/dev seed: admin accounts (role admin, wallet 10,000.00), the product
 * catalogue and the demo users (demo-data.ts; password = the admin seed password). Existing
 * rows are left untouched, so it is safe on every start. It runs inside the application's
 * own context (the server at start-up, `npm run db:seed` through createApplicationContext),
 * so wallets and histories go through the same ledger as every request.
 */
@Injectable()
export class SeedService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly ledger: LedgerService,
    private readonly importer: StatementImportService,
  ) {}

  async seed(log: (message: string) => void = () => undefined): Promise<void> {
    const hasher = new PasswordHasher(this.config.auth.passwordHashCost);
    const password = this.config.seed.adminPassword;
    let admins = 0;
    for (const admin of SEED_ADMINS) {
      if (await this.prisma.user.findUnique({ where: { email: admin.email } })) continue;
      const user = await this.prisma.user.create({
        data: {
          email: admin.email,
          firstName: admin.firstName,
          lastName: admin.lastName,
          role: 'admin',
          passwordHash: await hasher.hash(password),
          profile: { create: {} },
        },
      });
      await this.ledger.transaction((tx) => this.ledger.openWallet(tx, user.id, ADMIN_OPENING_BALANCE));
      admins++;
    }
    const products = await this.seedCatalogue();
    log(`seed: ${admins} admin account(s) and ${products} product(s) added`);
    await this.seedDemoUsers(await hasher.hash(password), log);
  }

  /** The demo accounts (demo-data.ts), each with `passwordHash`; idempotent. */
  async seedDemoUsers(passwordHash: string, log: (message: string) => void = () => undefined): Promise<void> {
    const ctx: DemoContext = { prisma: this.prisma, ledger: this.ledger, importer: this.importer, passwordHash, log };
    for (const seeder of DEMO_SEEDERS) await seeder(ctx);
  }

  private async seedCatalogue(): Promise<number> {
    let products = 0;
    for (const category of CATALOGUE) {
      const row = await this.prisma.productCategory.upsert({
        where: { name: category.name },
        create: {
          name: category.name,
          description: category.description,
          transactionCategory: category.transactionCategory,
        },
        update: {},
      });
      if ((await this.prisma.product.count({ where: { categoryId: row.id } })) > 0) continue;
      await this.prisma.product.createMany({
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
    return products;
  }
}
