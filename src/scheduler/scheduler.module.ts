import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';

import { AuthModule } from '../auth/auth.module';
import { BehavioralModule } from '../behavioral/behavioral.module';
import { CoachingModule } from '../coaching/coaching.module';
import { FinancialModule } from '../financial/financial.module';
import { MlModule } from '../ml/ml.module';

import { JobRunner } from './job-runner';
import { JobRunsRepository } from './job-runs.repository';
import { JobsController } from './jobs.controller';
import { RetrainingTriggerController } from './retraining-trigger.controller';
import { ScheduledJobsService } from './scheduled-jobs.service';

@Module({
  imports: [ScheduleModule.forRoot(), AuthModule, CoachingModule, FinancialModule, MlModule, BehavioralModule],
  controllers: [JobsController, RetrainingTriggerController],
  providers: [JobRunsRepository, JobRunner, ScheduledJobsService],
})
export class SchedulerModule {}
