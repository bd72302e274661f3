import { ConflictException, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { Roles } from '../common/auth-user';
import { ApiZodResponse, ZodBody, ZodParam } from '../infra/openapi/zod-openapi';
import type { RetrainableModel } from '../ml/retraining/retraining.service';

import { ScheduledJobsService } from './scheduled-jobs.service';

// The reference system's names (spending) beside ours; segments and the policy are trained offline only.
const MODEL_TYPES: Record<string, RetrainableModel> = {
  spending: 'spending_forecast',
  spending_forecast: 'spending_forecast',
  goal: 'goal',
};
const modelTypeSchema = z.enum(Object.keys(MODEL_TYPES) as [string, ...string[]], {
  error:
    'model_type must be spending, spending_forecast or goal (segments and the policy are trained by npm run train:models)',
});
const triggerBodySchema = z
  .object({ priority: z.number().int().min(1).max(10).default(1) })
  .optional()
  .transform((b) => b ?? { priority: 1 });
const triggerResponseSchema = z.object({
  message: z.string(),
  job_id: z
    .uuid()
    .describe('the training event; follow it at /coaching/continuous-learning/validation-results/{job_id}'),
  status: z.literal('in_progress'),
  priority: z.number().int(),
  dataset_id: z.string().nullable(),
  queue_position: z.literal(0).describe('runs start at once; a second trigger while one runs gets 409'),
});

/**
 * The reference system's trigger route, running the real retraining job (RetrainingService) now,
 * under the same advisory lock as the weekly run, so one runs at a time across replicas.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('coaching/continuous-learning')
@Roles('admin')
export class RetrainingTriggerController {
  constructor(private readonly jobs: ScheduledJobsService) {}

  @Post('trigger-training/:model_type')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Retrain a real-data model now: export consenting users, train a challenger, promote it only if better (admin)',
  })
  @ApiZodResponse(202, triggerResponseSchema)
  async trigger(
    @ZodParam('model_type', modelTypeSchema) modelType: string,
    @ZodBody(triggerBodySchema) body: z.output<typeof triggerBodySchema>,
  ): Promise<z.infer<typeof triggerResponseSchema>> {
    const model = MODEL_TYPES[modelType];
    const started = await this.jobs.startRetraining([model]);
    if (!started) throw new ConflictException('A retraining run is already in progress');
    return {
      message: `Training job started for ${modelType}`,
      job_id: started[model],
      status: 'in_progress',
      priority: body.priority,
      dataset_id: null,
      queue_position: 0,
    };
  }
}
