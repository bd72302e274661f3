import { Module } from '@nestjs/common';

import { BehavioralModule } from '../behavioral/behavioral.module';

import { AnalyticsService } from './analytics.service';
import { FinancialController } from './financial.controller';
import { FinancialRepository } from './financial.repository';
import { MerchantCategoryRepository } from './import/merchant-category.repository';
import { StatementImportRepository } from './import/statement-import.repository';
import { StatementImportService } from './import/statement-import.service';
import { LedgerService } from './ledger.service';
import { RecurringRepository } from './recurring/recurring.repository';
import { RecurringService } from './recurring/recurring.service';
import { TransactionEventsController } from './transaction-events.controller';
import { TransactionsService } from './transactions.service';

@Module({
  imports: [BehavioralModule],
  controllers: [FinancialController, TransactionEventsController],
  providers: [
    FinancialRepository,
    LedgerService,
    TransactionsService,
    AnalyticsService,
    StatementImportService,
    StatementImportRepository,
    MerchantCategoryRepository,
    RecurringRepository,
    RecurringService,
  ],
  // RecurringService and the pure detectRecurring (recurring/recurring-payments.ts) are there for
  // the coaching features and the spending forecast.
  exports: [LedgerService, StatementImportService, AnalyticsService, RecurringService],
})
export class FinancialModule {}
