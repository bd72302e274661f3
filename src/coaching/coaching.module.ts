import { Module } from '@nestjs/common';

import { FinancialModule } from '../financial/financial.module';

import { CoachingController } from './coaching.controller';
import { EnhancedCoachingController } from './enhanced-coaching.controller';
import { FinancialInsightsController } from './financial-insights.controller';
import { FinancialInsightsService } from './financial-insights.service';
import { ModelHealthService } from './model-health.service';
import { PredictionsService } from './predictions.service';
import { RecommendationsRepository } from './recommendations.repository';
import { RecommendationsService } from './recommendations.service';
import { SegmentsService } from './segments.service';

@Module({
  imports: [FinancialModule],
  controllers: [CoachingController, EnhancedCoachingController, FinancialInsightsController],
  providers: [
    RecommendationsService,
    RecommendationsRepository,
    SegmentsService,
    PredictionsService,
    ModelHealthService,
    FinancialInsightsService,
  ],
  exports: [SegmentsService, PredictionsService, RecommendationsService],
})
export class CoachingModule {}
