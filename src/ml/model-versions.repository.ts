import { Injectable } from '@nestjs/common';

import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../infra/prisma/prisma.service';

import type { ModelEntry, ModelName } from './model-manifest';

export interface ActiveVersion {
  modelType: string;
  version: string;
  sha256: string | null;
}

export interface NewVersion {
  modelType: ModelName;
  version: string;
  sha256: string;
  entry: ModelEntry;
  artifact: Uint8Array<ArrayBuffer>;
  metrics?: Record<string, unknown>;
  trainingData?: Record<string, unknown>;
  trainingEventId?: string;
}

/** Every query on model versions: their artifacts, which one is active, promotions and rollbacks. */
@Injectable()
export class ModelVersionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async active(): Promise<ActiveVersion[]> {
    return this.prisma.modelVersion.findMany({
      where: { isActive: true },
      select: { modelType: true, version: true, sha256: true },
    });
  }

  async artifact(modelType: string, version: string) {
    return this.prisma.modelVersion.findUnique({
      where: { modelType_version: { modelType, version } },
      select: { version: true, artifact: true, manifestEntry: true, sha256: true },
    });
  }

  /**
   * Records a version shipped in MODELS_DIR (bytes included). A version the database has never seen
   * becomes active when `activateIfNew` (a release deployed on purpose) or when the model has no
   * active version; a known one keeps its status, so a promotion or rollback outlives restarts.
   */
  async recordBundled(v: NewVersion, activateIfNew: boolean): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const known = await tx.modelVersion.findUnique({
        where: { modelType_version: { modelType: v.modelType, version: v.version } },
        select: { id: true },
      });
      if (!known) await tx.modelVersion.create({ data: { ...this.columns(v), status: 'candidate' } });
      const active = await tx.modelVersion.count({ where: { modelType: v.modelType, isActive: true } });
      if (active === 0 || (!known && activateIfNew)) await this.activateIn(tx, v.modelType, v.version);
    });
  }

  /** Stores a challenger with the comparison that decided its fate ('candidate' until promoted, or 'refused'). */
  async recordCandidate(v: NewVersion, status: 'candidate' | 'refused', decision: Record<string, unknown>) {
    return this.prisma.modelVersion.create({
      data: { ...this.columns(v), status, decision: decision as Prisma.InputJsonValue },
    });
  }

  async activate(modelType: string, version: string): Promise<void> {
    await this.prisma.$transaction((tx) => this.activateIn(tx, modelType, version));
  }

  /** The version served before the active one (latest deployment among the others that were ever active). */
  async previous(modelType: string) {
    return this.prisma.modelVersion.findFirst({
      where: { modelType, isActive: false, status: 'retired', deploymentDate: { not: null } },
      orderBy: { deploymentDate: 'desc' },
      select: { version: true },
    });
  }

  async countRollback(modelType: string, fromVersion: string): Promise<void> {
    await this.prisma.modelVersion.update({
      where: { modelType_version: { modelType, version: fromVersion } },
      data: { rollbackCount: { increment: 1 } },
    });
  }

  list(modelType?: string, limit = 50) {
    return this.prisma.modelVersion.findMany({
      where: modelType ? { modelType } : {},
      orderBy: [{ modelType: 'asc' }, { createdAt: 'desc' }],
      take: limit,
      omit: { artifact: true },
    });
  }

  private columns(v: NewVersion) {
    return {
      modelType: v.modelType,
      version: v.version,
      modelPath: v.entry.file,
      sha256: v.sha256,
      artifact: v.artifact,
      manifestEntry: v.entry as Prisma.InputJsonValue,
      metrics: (v.metrics ?? v.entry.metrics ?? {}) as Prisma.InputJsonValue,
      trainingData: (v.trainingData ?? {}) as Prisma.InputJsonValue,
      trainingEventId: v.trainingEventId ?? null,
    };
  }

  private async activateIn(tx: Prisma.TransactionClient, modelType: string, version: string): Promise<void> {
    await tx.modelVersion.updateMany({
      where: { modelType, isActive: true, NOT: { version } },
      data: { isActive: false, status: 'retired' },
    });
    await tx.modelVersion.update({
      where: { modelType_version: { modelType, version } },
      data: { isActive: true, status: 'active', deploymentDate: new Date() },
    });
  }
}
