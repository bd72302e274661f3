import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { Roles } from '../common/auth-user';
import { ApiZodResponse, ZodParam, ZodQuery } from '../infra/openapi/zod-openapi';

import { MODEL_NAMES, type ModelName } from './model-manifest';
import { ModelVersionsService } from './model-versions.service';

const versionSchema = z.object({
  model_type: z.string(),
  version: z.string(),
  status: z.enum(['candidate', 'active', 'retired', 'refused']),
  is_active: z.boolean(),
  sha256: z.string().nullable(),
  metrics: z.unknown(),
  decision: z.unknown().describe('champion-vs-challenger comparison that decided promotion or refusal'),
  training_data: z.unknown().describe('what the version was trained on'),
  deployment_date: z.string().nullable(),
  rollback_count: z.number().int(),
  created_at: z.string(),
});
const listQuerySchema = z.object({ model_type: z.enum(MODEL_NAMES).optional() });
const rollbackSchema = z.object({ model: z.enum(MODEL_NAMES), from: z.string().nullable(), to: z.string() });

type VersionRow = Awaited<ReturnType<ModelVersionsService['list']>>[number];

function toVersionResponse(v: VersionRow): z.infer<typeof versionSchema> {
  return {
    model_type: v.modelType,
    version: v.version,
    status: v.status as z.infer<typeof versionSchema>['status'],
    is_active: v.isActive,
    sha256: v.sha256,
    metrics: v.metrics,
    decision: v.decision,
    training_data: v.trainingData,
    deployment_date: v.deploymentDate?.toISOString() ?? null,
    rollback_count: v.rollbackCount,
    created_at: v.createdAt.toISOString(),
  };
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/models')
@Roles('admin')
export class ModelsAdminController {
  constructor(private readonly versions: ModelVersionsService) {}

  @Get()
  @ApiOperation({ summary: 'Model versions with their metrics, status and promotion decisions (admin)' })
  @ApiZodResponse(200, z.array(versionSchema))
  async list(@ZodQuery(listQuerySchema) query: z.output<typeof listQuerySchema>) {
    return (await this.versions.list(query.model_type)).map(toVersionResponse);
  }

  @Post(':name/rollback')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Serve the previous version of a model again, on every replica (admin)',
    description:
      '422 when there is no earlier version, or when its stored graph fails the load checks (the served version stays active).',
  })
  @ApiZodResponse(200, rollbackSchema)
  async rollback(@ZodParam('name', z.enum(MODEL_NAMES)) name: ModelName) {
    return { model: name, ...(await this.versions.rollback(name)) };
  }
}
