import { Global, Module } from '@nestjs/common';

import { BanditService } from './bandit/bandit.service';
import { ModelMetrics } from './model-metrics';
import { ModelRegistry } from './model-registry';
import { ModelVersionsRepository } from './model-versions.repository';
import { ModelVersionsService } from './model-versions.service';
import { GoalModel } from './models/goal.model';
import { PolicyModel } from './models/policy.model';
import { SegmentationModel } from './models/segmentation.model';
import { SpendingForecastModel } from './models/spending-forecast.model';
import { ModelsAdminController } from './models-admin.controller';
import { PredictionCacheService } from './prediction-cache.service';
import { UserStateService } from './user-state.service';

/** Model serving: the ONNX registry, one wrapper per model (each with its rule fallback), the bandit, user state. */
@Global()
@Module({
  controllers: [ModelsAdminController],
  providers: [
    ModelRegistry,
    ModelVersionsRepository,
    ModelVersionsService,
    ModelMetrics,
    PolicyModel,
    SegmentationModel,
    SpendingForecastModel,
    GoalModel,
    BanditService,
    PredictionCacheService,
    UserStateService,
  ],
  exports: [
    ModelRegistry,
    ModelVersionsService,
    PolicyModel,
    SegmentationModel,
    SpendingForecastModel,
    GoalModel,
    BanditService,
    PredictionCacheService,
    UserStateService,
  ],
})
export class MlModule {}
