import { Global, Module } from '@nestjs/common';

import { BanditService } from './bandit/bandit.service';
import { ModelMetrics } from './model-metrics';
import { ModelRegistry } from './model-registry';
import { GoalModel } from './models/goal.model';
import { PolicyModel } from './models/policy.model';
import { SegmentationModel } from './models/segmentation.model';
import { SpendingForecastModel } from './models/spending-forecast.model';
import { PredictionCacheService } from './prediction-cache.service';
import { UserStateService } from './user-state.service';

/** Model serving: the ONNX registry, one wrapper per model (each with its rule fallback), the bandit, user state. */
@Global()
@Module({
  providers: [
    ModelRegistry,
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
