import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { Roles } from '../common/auth-user';
import { ApiZodResponse, ZodParam } from '../infra/openapi/zod-openapi';

import { JobRunner } from './job-runner';
import { jobRunResponseSchema, jobsListResponseSchema } from './jobs.schemas';
import { JOB_NAMES, ScheduledJobsService, type JobName } from './scheduled-jobs.service';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/jobs')
@Roles('admin')
export class JobsController {
  constructor(
    private readonly jobs: ScheduledJobsService,
    private readonly runner: JobRunner,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Recent scheduled job runs (admin)' })
  @ApiZodResponse(200, jobsListResponseSchema)
  async list() {
    const runs = await this.runner.recentRuns();
    return {
      jobs: JOB_NAMES.map((name) => ({ name, running: this.runner.isRunning(name) })),
      runs: runs.map((r) => ({
        id: r.id,
        job_name: r.jobName,
        status: r.status,
        started_at: r.startedAt.toISOString(),
        finished_at: r.finishedAt?.toISOString() ?? null,
        duration_ms: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
        details: r.details,
      })),
    };
  }

  @Post(':name/run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a scheduled job now (admin)' })
  @ApiZodResponse(200, jobRunResponseSchema)
  run(@ZodParam('name', z.enum(JOB_NAMES)) name: JobName) {
    return this.jobs.run(name);
  }
}
