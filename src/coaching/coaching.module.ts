import { Module } from '@nestjs/common';

import { BehavioralModule } from '../behavioral/behavioral.module';
import { FinancialModule } from '../financial/financial.module';
import { MlModule } from '../ml/ml.module';

import { CoachingController } from './coaching.controller';
import { EnhancedCoachingController } from './enhanced-coaching.controller';
import { FinancialInsightsController } from './financial-insights.controller';
import { FinancialInsightsService } from './financial-insights.service';
import { ModelHealthService } from './model-health.service';
import { PredictionsService } from './predictions.service';
import { RecommendationsService } from './recommendations.service';
import { SegmentsService } from './segments.service';

@Module({
  imports: [FinancialModule, MlModule, BehavioralModule],
  controllers: [CoachingController, EnhancedCoachingController, FinancialInsightsController],
  providers: [
    RecommendationsService,
    SegmentsService,
    PredictionsService,
    ModelHealthService,
    FinancialInsightsService,
  ],
  exports: [SegmentsService, PredictionsService, RecommendationsService],
})
export class CoachingModule {}
