import { Module } from '@nestjs/common';
import { CoachingController } from './coaching.controller';
import { EnhancedCoachingController } from './enhanced-coaching.controller';
import { ModelHealthService } from './model-health.service';
import { PredictionsService } from './predictions.service';
import { RecommendationsService } from './recommendations.service';
import { SegmentsService } from './segments.service';

@Module({
  controllers: [CoachingController, EnhancedCoachingController],
  providers: [RecommendationsService, SegmentsService, PredictionsService, ModelHealthService],
  exports: [SegmentsService, PredictionsService, RecommendationsService],
})
export class CoachingModule {}
