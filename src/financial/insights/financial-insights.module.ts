import { Module } from '@nestjs/common';

import { BehavioralModule } from '../../behavioral/behavioral.module';
import { CoachingModule } from '../../coaching/coaching.module';
import { MlModule } from '../../ml/ml.module';
import { FinancialModule } from '../financial.module';

import { FinancialInsightsController } from './financial-insights.controller';
import { FinancialInsightsService } from './financial-insights.service';

/**
 * The behavioural-finance views under /financial. A module of its own beside FinancialModule
 * because they need the models and the user's segment (coaching), and coaching needs the ledger.
 */
@Module({
  imports: [FinancialModule, CoachingModule, MlModule, BehavioralModule],
  controllers: [FinancialInsightsController],
  providers: [FinancialInsightsService],
})
export class FinancialInsightsModule {}
