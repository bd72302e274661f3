import { Injectable } from '@nestjs/common';

import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../infra/prisma/prisma.service';

export interface EventResult {
  validationScore?: number;
  deploymentApproved?: boolean;
  trainingDataSize?: number;
  error?: string;
  [detail: string]: unknown;
}

/** Every query on the training bookkeeping: datasets' readiness and training events. */
@Injectable()
export class TrainingRecordsRepository {
  constructor(private readonly prisma: PrismaService) {}

  datasets() {
    return this.prisma.trainingDataset.findMany({ orderBy: { datasetType: 'asc' } });
  }

  events(limit: number, modelType?: string) {
    return this.prisma.modelTrainingEvent.findMany({
      where: modelType ? { modelType } : {},
      orderBy: { startTime: 'desc' },
      take: limit,
    });
  }

  event(id: string) {
    return this.prisma.modelTrainingEvent.findUnique({
      where: { id },
      include: { modelVersions: { omit: { artifact: true } } },
    });
  }

  /** One training event per model, in progress; returns their ids by model. */
  async startEvents(models: readonly string[]): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    for (const modelType of models) {
      const event = await this.prisma.modelTrainingEvent.create({ data: { modelType, status: 'in_progress' } });
      ids[modelType] = event.id;
    }
    return ids;
  }

  async finishEvents(events: Record<string, string>, status: 'completed' | 'failed' | 'pending', result: EventResult) {
    const { validationScore, deploymentApproved, trainingDataSize, error, ...metrics } = result;
    await this.prisma.modelTrainingEvent.updateMany({
      where: { id: { in: Object.values(events) } },
      data: {
        status,
        endTime: new Date(),
        performanceMetrics: metrics as Prisma.InputJsonValue,
        validationScore: validationScore ?? null,
        deploymentApproved: deploymentApproved ?? false,
        trainingDataSize: trainingDataSize ?? 0,
        errorMessage: error ?? null,
      },
    });
  }

  /** The datasets of these models start counting new samples again from now. */
  async markTrained(models: readonly string[]): Promise<void> {
    await this.prisma.trainingDataset.updateMany({
      where: { datasetType: { in: [...models] } },
      data: { lastTrainingDate: new Date(), isReadyForTraining: false, thresholdReached: false, dataCount: 0 },
    });
  }
}
