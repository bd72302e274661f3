import { Controller, Get, NotFoundException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { Roles } from '../common/auth-user';
import { ApiZodResponse, ZodParam, ZodQuery } from '../infra/openapi/zod-openapi';

import { MODEL_NAMES } from './model-manifest';
import { ModelVersionsService } from './model-versions.service';
import { TrainingRecordsRepository } from './training-records.repository';

const datasetSchema = z.object({
  type: z.string(),
  data_count: z.number().int(),
  threshold: z.number().int(),
  ready: z.boolean(),
  quality_score: z.number().nullable(),
  last_training_date: z.string().nullable(),
});
const statusSchema = z.object({
  status: z.enum(['ready', 'collecting']),
  total_datasets: z.number().int(),
  ready_for_training: z.number().int(),
  datasets: z.array(datasetSchema),
  last_updated: z.string().nullable(),
});
const trainingEventSchema = z.object({
  id: z.string(),
  model_type: z.string(),
  status: z.string(),
  start_time: z.string(),
  end_time: z.string().nullable(),
  training_data_size: z.number().int(),
  validation_score: z.number().nullable(),
  performance_metrics: z.unknown(),
  deployment_approved: z.boolean(),
  error_message: z.string().nullable(),
});
const historySchema = z.object({
  training_history: z.array(trainingEventSchema),
  total_events: z.number().int(),
  filter_applied: z.string().nullable(),
});
const modelVersionSchema = z.object({
  model_type: z.string(),
  version: z.string(),
  status: z.string(),
  is_active: z.boolean(),
  metrics: z.unknown(),
  decision: z.unknown(),
  training_data: z.unknown(),
  deployment_date: z.string().nullable(),
  rollback_count: z.number().int(),
  created_at: z.string(),
});
const versionsSchema = z.object({
  model_versions: z.array(modelVersionSchema),
  total_versions: z.number().int(),
  filter_applied: z.string().nullable(),
});
const validationSchema = z.object({
  training_event_id: z.string(),
  training_event: trainingEventSchema,
  candidates: z.array(modelVersionSchema).describe('versions this training produced, with their promotion decisions'),
});
const historyQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  model_type: z.enum(MODEL_NAMES).optional(),
});
const versionsQuerySchema = z.object({ model_type: z.enum(MODEL_NAMES).optional() });

type EventRow = Awaited<ReturnType<TrainingRecordsRepository['events']>>[number];
type VersionRow = Awaited<ReturnType<ModelVersionsService['list']>>[number];

const iso = (d: Date | null) => d?.toISOString() ?? null;

function toEvent(e: EventRow): z.infer<typeof trainingEventSchema> {
  return {
    id: e.id,
    model_type: e.modelType,
    status: e.status,
    start_time: e.startTime.toISOString(),
    end_time: iso(e.endTime),
    training_data_size: e.trainingDataSize,
    validation_score: e.validationScore,
    performance_metrics: e.performanceMetrics,
    deployment_approved: e.deploymentApproved,
    error_message: e.errorMessage,
  };
}

function toVersion(v: VersionRow): z.infer<typeof modelVersionSchema> {
  return {
    model_type: v.modelType,
    version: v.version,
    status: v.status,
    is_active: v.isActive,
    metrics: v.metrics,
    decision: v.decision,
    training_data: v.trainingData,
    deployment_date: iso(v.deploymentDate),
    rollback_count: v.rollbackCount,
    created_at: v.createdAt.toISOString(),
  };
}

/**
 * The reference system's continuous-learning read routes, answered from the tables the retraining
 * job and the champion/challenger promotion write. Admin-only (the reference left them open to any user).
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('coaching/continuous-learning')
@Roles('admin')
export class ContinuousLearningController {
  constructor(
    private readonly training: TrainingRecordsRepository,
    private readonly versions: ModelVersionsService,
  ) {}

  @Get('status')
  @ApiOperation({ summary: 'Training datasets: new samples since the last training and readiness (admin)' })
  @ApiZodResponse(200, statusSchema)
  async status(): Promise<z.infer<typeof statusSchema>> {
    const datasets = await this.training.datasets();
    const ready = datasets.filter((d) => d.isReadyForTraining).length;
    const updated = datasets.map((d) => d.updatedAt.getTime());
    return {
      status: ready > 0 ? 'ready' : 'collecting',
      total_datasets: datasets.length,
      ready_for_training: ready,
      datasets: datasets.map((d) => ({
        type: d.datasetType,
        data_count: d.dataCount,
        threshold: d.threshold,
        ready: d.isReadyForTraining,
        quality_score: d.dataQualityScore,
        last_training_date: iso(d.lastTrainingDate),
      })),
      last_updated: updated.length ? new Date(Math.max(...updated)).toISOString() : null,
    };
  }

  @Get('training-history')
  @ApiOperation({ summary: 'Training runs, newest first (admin)' })
  @ApiZodResponse(200, historySchema)
  async history(@ZodQuery(historyQuerySchema) query: z.output<typeof historyQuerySchema>) {
    const events = await this.training.events(query.limit, query.model_type);
    return {
      training_history: events.map(toEvent),
      total_events: events.length,
      filter_applied: query.model_type ?? null,
    };
  }

  @Get('model-versions')
  @ApiOperation({ summary: 'Model versions with metrics and promotion decisions (admin)' })
  @ApiZodResponse(200, versionsSchema)
  async modelVersions(@ZodQuery(versionsQuerySchema) query: z.output<typeof versionsQuerySchema>) {
    const versions = await this.versions.list(query.model_type);
    return {
      model_versions: versions.map(toVersion),
      total_versions: versions.length,
      filter_applied: query.model_type ?? null,
    };
  }

  @Get('validation-results/:training_event_id')
  @ApiOperation({ summary: 'A training run and the evaluation of the candidates it produced (admin)' })
  @ApiZodResponse(200, validationSchema)
  async validation(@ZodParam('training_event_id', z.uuid()) id: string) {
    const event = await this.training.event(id);
    if (!event) throw new NotFoundException('No training event with that id');
    return { training_event_id: id, training_event: toEvent(event), candidates: event.modelVersions.map(toVersion) };
  }
}
