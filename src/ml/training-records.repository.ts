import { Injectable } from '@nestjs/common';

import { firstRow, rows } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';

import { VERSION_COLUMNS, type VersionRow } from './model-versions.repository';

export interface EventResult {
  validationScore?: number;
  deploymentApproved?: boolean;
  trainingDataSize?: number;
  error?: string;
  [detail: string]: unknown;
}

export interface DatasetRow {
  id: string;
  datasetType: string;
  dataCount: number;
  threshold: number;
  lastTrainingDate: Date | null;
  isReadyForTraining: boolean;
  dataQualityScore: number | null;
  updatedAt: Date;
}

export interface TrainingEventRow {
  id: string;
  modelType: string;
  status: string;
  startTime: Date;
  endTime: Date | null;
  trainingDataSize: number;
  validationScore: number | null;
  performanceMetrics: unknown;
  deploymentApproved: boolean;
  errorMessage: string | null;
}

const DATASET_COLUMNS = `id, dataset_type AS "datasetType", data_count AS "dataCount", threshold,
  last_training_date AS "lastTrainingDate", is_ready_for_training AS "isReadyForTraining",
  data_quality_score AS "dataQualityScore", updated_at AS "updatedAt"`;

const EVENT_COLUMNS = `id, model_type AS "modelType", status, start_time AS "startTime", end_time AS "endTime",
  training_data_size AS "trainingDataSize", validation_score AS "validationScore",
  performance_metrics AS "performanceMetrics", deployment_approved AS "deploymentApproved", error_message AS "errorMessage"`;

/** Every query on the training bookkeeping: datasets' readiness, new-sample counts and training events. */
@Injectable()
export class TrainingRecordsRepository {
  constructor(private readonly prisma: PrismaService) {}

  datasets(): Promise<DatasetRow[]> {
    return rows<DatasetRow>(this.prisma.pool, {
      text: `SELECT ${DATASET_COLUMNS} FROM training_datasets ORDER BY dataset_type`,
    });
  }

  /** The dataset's row (made on first use) with the threshold now configured. */
  async ensureDataset(datasetType: string, threshold: number): Promise<DatasetRow> {
    const row = await firstRow<DatasetRow>(this.prisma.pool, {
      text: `INSERT INTO training_datasets (id, dataset_type, threshold, created_at, updated_at)
             VALUES (gen_random_uuid(), $1, $2, now(), now())
             ON CONFLICT (dataset_type) DO UPDATE SET threshold = EXCLUDED.threshold, updated_at = now()
             RETURNING ${DATASET_COLUMNS}`,
      values: [datasetType, threshold],
    });
    return row!;
  }

  async markDataset(id: string, count: number, ready: boolean): Promise<void> {
    await this.prisma.pool.query(
      `UPDATE training_datasets
          SET data_count = $2, threshold_reached = $3, is_ready_for_training = $3, updated_at = now()
        WHERE id = $1`,
      [id, count, ready],
    );
  }

  /** The datasets just trained on start counting again from now. */
  async resetDatasets(datasetTypes: string[], trainedAt: Date): Promise<void> {
    await this.prisma.pool.query(
      `UPDATE training_datasets
          SET last_training_date = $2, is_ready_for_training = false, threshold_reached = false, data_count = 0,
              updated_at = now()
        WHERE dataset_type = ANY($1::text[])`,
      [datasetTypes, trainedAt],
    );
  }

  /** New training rows since `since`: feedback updated, or transactions recorded by users who consent to training. */
  async newSamples(source: 'recommendation feedback' | 'transactions', since: Date): Promise<number> {
    const text =
      source === 'recommendation feedback'
        ? 'SELECT count(*)::int AS n FROM recommendation_feedback WHERE updated_at > $1'
        : `SELECT count(*)::int AS n FROM transactions t
             JOIN user_profiles p ON p.user_id = t.user_id AND p.training_consent
            WHERE t.created_at > $1`;
    const [{ n }] = await rows<{ n: number }>(this.prisma.pool, { text, values: [since] });
    return n;
  }

  /** One training event per model, in progress; returns their ids by model. */
  async startEvents(models: readonly string[]): Promise<Record<string, string>> {
    const created = await rows<{ id: string; modelType: string }>(this.prisma.pool, {
      text: `INSERT INTO model_training_events (id, model_type, status)
             SELECT gen_random_uuid(), m, 'in_progress' FROM unnest($1::text[]) AS m
             RETURNING id, model_type AS "modelType"`,
      values: [[...models]],
    });
    return Object.fromEntries(created.map((e) => [e.modelType, e.id]));
  }

  /** Closes these events with their outcome; metrics beyond the named fields go to performance_metrics. */
  async finishEvents(
    events: Record<string, string>,
    status: 'completed' | 'failed' | 'pending',
    result: EventResult,
  ): Promise<void> {
    const { validationScore, deploymentApproved, trainingDataSize, error, ...metrics } = result;
    await this.prisma.pool.query(
      `UPDATE model_training_events
          SET status = $2, end_time = now(), performance_metrics = $3::jsonb, validation_score = $4,
              deployment_approved = $5, training_data_size = $6, error_message = $7
        WHERE id = ANY($1::uuid[])`,
      [
        Object.values(events),
        status,
        JSON.stringify(metrics),
        validationScore ?? null,
        deploymentApproved ?? false,
        trainingDataSize ?? 0,
        error ?? null,
      ],
    );
  }

  events(limit: number, modelType?: string): Promise<TrainingEventRow[]> {
    return rows<TrainingEventRow>(this.prisma.pool, {
      text: `SELECT ${EVENT_COLUMNS} FROM model_training_events
              WHERE ($1::text IS NULL OR model_type = $1) ORDER BY start_time DESC LIMIT $2`,
      values: [modelType ?? null, limit],
    });
  }

  /** One training event with the versions it produced (their ONNX bytes left out). */
  async event(id: string): Promise<(TrainingEventRow & { modelVersions: VersionRow[] }) | undefined> {
    const event = await firstRow<TrainingEventRow>(this.prisma.pool, {
      text: `SELECT ${EVENT_COLUMNS} FROM model_training_events WHERE id = $1`,
      values: [id],
    });
    if (!event) return undefined;
    const modelVersions = await rows<VersionRow>(this.prisma.pool, {
      text: `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE training_event_id = $1`,
      values: [id],
    });
    return { ...event, modelVersions };
  }
}
