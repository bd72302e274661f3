import { spawn } from 'node:child_process';

import { Inject, Injectable, Logger } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { PrismaService } from '../infra/prisma/prisma.service';

import { MODEL_NAMES } from './model-manifest';
import { ModelRegistry } from './model-registry';
import { ModelVersionsService } from './model-versions.service';

// Which new rows count as training data for each model.
const DATASET_SOURCES = {
  policy: 'recommendation feedback',
  segmentation: 'transactions',
  spending_forecast: 'transactions',
  goal: 'transactions',
} as const;

/**
 * Keeps `model_versions` in step with what is served, counts new training data
 * per model, and (when configured) retrains and hot-reloads the models.
 */
@Injectable()
export class ModelLifecycleService {
  private readonly logger = new Logger(ModelLifecycleService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: ModelRegistry,
    private readonly versions: ModelVersionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Updates each dataset's count of new rows since its last training; marks it ready past the threshold. */
  async assessDatasets(): Promise<Array<{ dataset: string; new_samples: number; ready: boolean }>> {
    const threshold = this.config.scheduler.retrainMinNewSamples;
    const results: Array<{ dataset: string; new_samples: number; ready: boolean }> = [];
    for (const name of MODEL_NAMES) {
      const dataset = await this.prisma.trainingDataset.upsert({
        where: { datasetType: name },
        create: { datasetType: name, threshold },
        update: { threshold },
      });
      const since = dataset.lastTrainingDate ?? new Date(0);
      const count =
        DATASET_SOURCES[name] === 'recommendation feedback'
          ? await this.prisma.recommendationFeedback.count({ where: { updatedAt: { gt: since } } })
          : await this.prisma.transaction.count({ where: { createdAt: { gt: since } } });
      const ready = count >= threshold;
      await this.prisma.trainingDataset.update({
        where: { id: dataset.id },
        data: { dataCount: count, thresholdReached: ready, isReadyForTraining: ready },
      });
      results.push({ dataset: name, new_samples: count, ready });
    }
    return results;
  }

  /**
   * When a dataset is ready: runs RETRAIN_COMMAND (if configured) off the event
   * loop, then reloads the registry and records the training event; without a
   * command, records a pending event so operators know retraining is due.
   */
  async retrainIfReady(): Promise<Record<string, unknown>> {
    const datasets = await this.assessDatasets();
    const ready = datasets.filter((d) => d.ready);
    if (ready.length === 0) return { datasets, retrained: false };
    const command = this.config.scheduler.retrainCommand;
    const events = await Promise.all(
      ready.map((d) =>
        this.prisma.modelTrainingEvent.create({
          data: { modelType: d.dataset, status: command ? 'in_progress' : 'pending', trainingDataSize: d.new_samples },
        }),
      ),
    );
    if (!command)
      return {
        datasets,
        retrained: false,
        pending_events: events.length,
        note: 'set RETRAIN_COMMAND to retrain automatically',
      };
    const outcome = await runCommand(command);
    const status = outcome.code === 0 ? 'completed' : 'failed';
    // Freshly trained models are recorded as candidates; the served versions stay as the database
    // says until a challenger is promoted on its evaluation (ModelVersionsService.submitChallenger).
    if (outcome.code === 0) {
      await this.registry.loadAll();
      await this.versions.recordBundled(false);
      await this.versions.syncFromDatabase();
    }
    const now = new Date();
    await this.prisma.modelTrainingEvent.updateMany({
      where: { id: { in: events.map((e) => e.id) } },
      data: { status, endTime: now, errorMessage: outcome.code === 0 ? null : outcome.tail },
    });
    if (outcome.code === 0) {
      await this.prisma.trainingDataset.updateMany({
        where: { datasetType: { in: ready.map((d) => d.dataset) } },
        data: { lastTrainingDate: now, isReadyForTraining: false, thresholdReached: false, dataCount: 0 },
      });
    }
    this.logger.log(`retraining ${status} (exit ${outcome.code})`);
    return { datasets, retrained: outcome.code === 0, exit_code: outcome.code };
  }
}

function runCommand(command: string): Promise<{ code: number; tail: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => resolve({ code: code ?? 1, tail }));
    child.on('error', (error) => resolve({ code: 1, tail: error.message }));
  });
}
