import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

import { firstRow, inTransaction, rows } from '../infra/database/sql';
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

/** A version as listed (its ONNX bytes left out). */
export interface VersionRow {
  id: string;
  modelType: string;
  version: string;
  modelPath: string;
  sha256: string | null;
  isActive: boolean;
  status: string;
  metrics: unknown;
  decision: unknown;
  trainingData: unknown;
  deploymentDate: Date | null;
  rollbackCount: number;
  trainingEventId: string | null;
  createdAt: Date;
}

export const VERSION_COLUMNS = `id, model_type AS "modelType", version, model_path AS "modelPath", sha256, is_active AS "isActive",
  status, metrics, decision, training_data AS "trainingData", deployment_date AS "deploymentDate",
  rollback_count AS "rollbackCount", training_event_id AS "trainingEventId", created_at AS "createdAt"`;

/** Every query on model versions: their artifacts, which one is active, promotions and rollbacks. */
@Injectable()
export class ModelVersionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  active(): Promise<ActiveVersion[]> {
    return rows<ActiveVersion>(this.prisma.pool, {
      name: 'model-versions-active',
      text: 'SELECT model_type AS "modelType", version, sha256 FROM model_versions WHERE is_active',
    });
  }

  artifact(
    modelType: string,
    version: string,
  ): Promise<{ version: string; artifact: Buffer | null; manifestEntry: unknown; sha256: string | null } | undefined> {
    return firstRow(this.prisma.pool, {
      name: 'model-version-artifact',
      text: `SELECT version, artifact, manifest_entry AS "manifestEntry", sha256
               FROM model_versions WHERE model_type = $1 AND version = $2`,
      values: [modelType, version],
    });
  }

  /**
   * Records a version shipped in MODELS_DIR (bytes included). A version the database has never seen
   * becomes active when `activateIfNew` (a release deployed on purpose) or when the model has no
   * active version; a known one keeps its status, so a promotion or rollback outlives restarts.
   */
  async recordBundled(v: NewVersion, activateIfNew: boolean): Promise<void> {
    await inTransaction(this.prisma.pool, async (tx) => {
      const known = await firstRow(tx, {
        text: 'SELECT id FROM model_versions WHERE model_type = $1 AND version = $2',
        values: [v.modelType, v.version],
      });
      if (!known) await this.insert(tx, v, 'candidate', null);
      const [{ active }] = await rows<{ active: number }>(tx, {
        text: 'SELECT count(*)::int AS active FROM model_versions WHERE model_type = $1 AND is_active',
        values: [v.modelType],
      });
      if (active === 0 || (!known && activateIfNew)) await this.activateIn(tx, v.modelType, v.version);
    });
  }

  /** Stores a challenger with the comparison that decided its fate ('candidate' until promoted, or 'refused'). */
  recordCandidate(
    v: NewVersion,
    status: 'candidate' | 'refused',
    decision: Record<string, unknown>,
  ): Promise<VersionRow> {
    return this.insert(this.prisma.pool, v, status, decision);
  }

  async activate(modelType: string, version: string): Promise<void> {
    await inTransaction(this.prisma.pool, (tx) => this.activateIn(tx, modelType, version));
  }

  /** The version served before the active one (latest deployment among the others that were ever active). */
  previous(modelType: string): Promise<{ version: string } | undefined> {
    return firstRow(this.prisma.pool, {
      text: `SELECT version FROM model_versions
              WHERE model_type = $1 AND NOT is_active AND status = 'retired' AND deployment_date IS NOT NULL
              ORDER BY deployment_date DESC LIMIT 1`,
      values: [modelType],
    });
  }

  async countRollback(modelType: string, fromVersion: string): Promise<void> {
    await this.prisma.pool.query(
      'UPDATE model_versions SET rollback_count = rollback_count + 1 WHERE model_type = $1 AND version = $2',
      [modelType, fromVersion],
    );
  }

  list(modelType?: string, limit = 50): Promise<VersionRow[]> {
    return rows<VersionRow>(this.prisma.pool, {
      text: `SELECT ${VERSION_COLUMNS} FROM model_versions
              WHERE ($1::text IS NULL OR model_type = $1) ORDER BY model_type, created_at DESC LIMIT $2`,
      values: [modelType ?? null, limit],
    });
  }

  private async insert(
    db: PoolClient | PrismaService['pool'],
    v: NewVersion,
    status: string,
    decision: Record<string, unknown> | null,
  ): Promise<VersionRow> {
    const row = await firstRow<VersionRow>(db, {
      text: `INSERT INTO model_versions
               (id, model_type, version, model_path, sha256, artifact, manifest_entry, metrics, training_data, status, decision,
                training_event_id)
             VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10::jsonb, $11)
             RETURNING ${VERSION_COLUMNS}`,
      values: [
        v.modelType,
        v.version,
        v.entry.file,
        v.sha256,
        Buffer.from(v.artifact.buffer, v.artifact.byteOffset, v.artifact.byteLength),
        JSON.stringify(v.entry),
        JSON.stringify(v.metrics ?? v.entry.metrics ?? {}),
        JSON.stringify(v.trainingData ?? {}),
        status,
        decision === null ? null : JSON.stringify(decision),
        v.trainingEventId ?? null,
      ],
    });
    return row!;
  }

  private async activateIn(tx: PoolClient, modelType: string, version: string): Promise<void> {
    await tx.query(
      `UPDATE model_versions SET is_active = false, status = 'retired'
        WHERE model_type = $1 AND is_active AND version <> $2`,
      [modelType, version],
    );
    const updated = await tx.query(
      `UPDATE model_versions SET is_active = true, status = 'active', deployment_date = now()
        WHERE model_type = $1 AND version = $2`,
      [modelType, version],
    );
    // Prisma's update threw on a missing row (P2025); so does this.
    if (updated.rowCount !== 1) throw new Error(`no version ${version} of ${modelType} to activate`);
  }
}
