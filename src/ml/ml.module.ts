import { Module } from '@nestjs/common';

import { BanditRepository } from './bandit/bandit.repository';
import { BanditService } from './bandit/bandit.service';
import { ContinuousLearningController } from './continuous-learning.controller';
import { ModelLifecycleService } from './model-lifecycle.service';
import { ModelMetrics } from './model-metrics';
import { ModelRegistry } from './model-registry';
import { ModelVersionsRepository } from './model-versions.repository';
import { ModelVersionsService } from './model-versions.service';
import { GoalModel } from './models/goal.model';
import { PolicyModel } from './models/policy.model';
import { SegmentationModel } from './models/segmentation.model';
import { SpendingForecastModel } from './models/spending-forecast.model';
import { ModelsAdminController } from './models-admin.controller';
import { PredictionCacheRepository } from './prediction-cache.repository';
import { PredictionCacheService } from './prediction-cache.service';
import { RetrainingService } from './retraining/retraining.service';
import { TrainingExportRepository } from './retraining/training-export.repository';
import { TrainingRecordsRepository } from './training-records.repository';
import { UserStateRepository } from './user-state.repository';
import { UserStateService } from './user-state.service';

/**
 * Model serving: the ONNX registry, one wrapper per model (each with its rule fallback), the bandit,
 * user state, and the models' lifecycle (versions, training data, retraining) for the scheduler.
 */
@Module({
  controllers: [ModelsAdminController, ContinuousLearningController],
  providers: [
    ModelRegistry,
    ModelVersionsRepository,
    ModelVersionsService,
    TrainingRecordsRepository,
    ModelMetrics,
    PolicyModel,
    SegmentationModel,
    SpendingForecastModel,
    GoalModel,
    BanditService,
    BanditRepository,
    PredictionCacheService,
    PredictionCacheRepository,
    UserStateService,
    UserStateRepository,
    ModelLifecycleService,
    RetrainingService,
    TrainingExportRepository,
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
    ModelLifecycleService,
    RetrainingService,
  ],
})
export class MlModule {}
