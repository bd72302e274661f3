import { Injectable } from '@nestjs/common';

import { PrismaService } from '../infra/prisma/prisma.service';

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
}
