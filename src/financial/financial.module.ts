import { Module } from '@nestjs/common';

import { AnalyticsService } from './analytics.service';
import { FinancialController } from './financial.controller';
import { FinancialRepository } from './financial.repository';
import { MerchantCategoryRepository } from './import/merchant-category.repository';
import { StatementImportRepository } from './import/statement-import.repository';
import { StatementImportService } from './import/statement-import.service';
import { LedgerService } from './ledger.service';
import { TransactionsService } from './transactions.service';

@Module({
  controllers: [FinancialController],
  providers: [
    FinancialRepository,
    LedgerService,
    TransactionsService,
    AnalyticsService,
    StatementImportService,
    StatementImportRepository,
    MerchantCategoryRepository,
  ],
  exports: [LedgerService, StatementImportService, AnalyticsService],
})
export class FinancialModule {}
