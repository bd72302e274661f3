import { Module } from '@nestjs/common';

import { FinancialModule } from '../financial/financial.module';

import { SeedService } from './seed.service';

/** Local/dev data (admins, catalogue, demo users), seeded through the domain's own services. */
@Module({
  imports: [FinancialModule],
  providers: [SeedService],
  exports: [SeedService],
})
export class SeedModule {}
