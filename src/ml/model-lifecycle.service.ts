import { Inject, Injectable, Logger } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';

import { MODEL_NAMES } from './model-manifest';
import { RETRAINABLE_MODELS, RetrainingService } from './retraining/retraining.service';
import { TrainingRecordsRepository } from './training-records.repository';

// Which new rows count as training data for each model (transactions: consenting users' only).
const DATASET_SOURCES = {
  policy: 'recommendation feedback',
  segmentation: 'transactions',
  spending_forecast: 'transactions',
  goal: 'transactions',
} as const;

/**
 * Counts new training data per model and, when the real-data models' datasets are ready,
 * retrains them (the weekly `retraining-check` job).
 */
@Injectable()
export class ModelLifecycleService {
  private readonly logger = new Logger(ModelLifecycleService.name);

  constructor(
    private readonly records: TrainingRecordsRepository,
    private readonly retraining: RetrainingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Updates each dataset's count of new rows since its last training; marks it ready past the threshold. */
  async assessDatasets(): Promise<Array<{ dataset: string; new_samples: number; ready: boolean }>> {
    const threshold = this.config.scheduler.retrainMinNewSamples;
    const results: Array<{ dataset: string; new_samples: number; ready: boolean }> = [];
    for (const name of MODEL_NAMES) {
      const dataset = await this.records.ensureDataset(name, threshold);
      const count = await this.records.newSamples(DATASET_SOURCES[name], dataset.lastTrainingDate ?? new Date(0));
      const ready = count >= threshold;
      await this.records.markDataset(dataset.id, count, ready);
      results.push({ dataset: name, new_samples: count, ready });
    }
    return results;
  }

  /**
   * When the forecaster's or goal model's dataset is ready, retrains them from real data
   * (RetrainingService: export of consenting users, challenger, evaluation, promotion).
   */
  async retrainIfReady(): Promise<Record<string, unknown>> {
    const datasets = await this.assessDatasets();
    const ready = RETRAINABLE_MODELS.filter((m) => datasets.some((d) => d.dataset === m && d.ready));
    if (ready.length === 0) return { datasets, retrained: false };
    return { datasets, retrained: true, ...(await this.retraining.run(ready)) };
  }
}
