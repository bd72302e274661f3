import { Module } from '@nestjs/common';

import { DrainState } from '../infra/http/drain-state';

import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

@Module({
  controllers: [HealthController, MetricsController],
  providers: [DrainState],
  exports: [DrainState],
})
export class HealthModule {}
