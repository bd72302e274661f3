import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';

import { CoachingModule } from '../coaching/coaching.module';
import { ModelLifecycleService } from '../ml/model-lifecycle.service';

import { JobRunner } from './job-runner';
import { JobRunsRepository } from './job-runs.repository';
import { JobsController } from './jobs.controller';
import { ScheduledJobsService } from './scheduled-jobs.service';

@Module({
  imports: [ScheduleModule.forRoot(), CoachingModule],
  controllers: [JobsController],
  providers: [JobRunsRepository, JobRunner, ScheduledJobsService, ModelLifecycleService],
})
export class SchedulerModule {}
