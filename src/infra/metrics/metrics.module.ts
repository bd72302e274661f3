import { Global, Module } from '@nestjs/common';

import { DatabaseMetrics } from './database-metrics';
import { MetricsService } from './metrics.service';

// Global for the same reason as the database client: one registry per process, which every
// module's components report into; importing it module by module would add no restriction.
@Global()
@Module({ providers: [MetricsService, DatabaseMetrics], exports: [MetricsService] })
export class MetricsModule {}
