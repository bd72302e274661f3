import { Module } from '@nestjs/common';

import { BehavioralModule } from '../behavioral/behavioral.module';
import { FinancialModule } from '../financial/financial.module';
import { MlModule } from '../ml/ml.module';

import { BehavioralInsightsController } from './behavioral-insights.controller';
import { CoachingController } from './coaching.controller';
import { EnhancedCoachingController } from './enhanced-coaching.controller';
import { ModelHealthService } from './model-health.service';
import { PredictionsService } from './predictions.service';
import { RecommendationsRepository } from './recommendations.repository';
import { RecommendationsService } from './recommendations.service';
import { SegmentsRepository } from './segments.repository';
import { SegmentsService } from './segments.service';

@Module({
  imports: [FinancialModule, MlModule, BehavioralModule],
  controllers: [CoachingController, EnhancedCoachingController, BehavioralInsightsController],
  providers: [
    RecommendationsService,
    RecommendationsRepository,
    SegmentsService,
    SegmentsRepository,
    PredictionsService,
    ModelHealthService,
  ],
  exports: [SegmentsService, PredictionsService, RecommendationsService],
})
export class CoachingModule {}
