import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';

import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { BehavioralModule } from './behavioral/behavioral.module';
import { CoachingModule } from './coaching/coaching.module';
import { FinancialModule } from './financial/financial.module';
import { FinancialInsightsModule } from './financial/insights/financial-insights.module';
import { HealthModule } from './health/health.module';
import type { AppConfig } from './infra/config/app-config';
import { ConfigModule } from './infra/config/config.module';
import { ClientThrottlerGuard, rateLimitOptions } from './infra/http/rate-limit';
import { loggerParams } from './infra/logging/logging';
import { MetricsModule } from './infra/metrics/metrics.module';
import { PrismaModule } from './infra/prisma/prisma.module';
import { MlModule } from './ml/ml.module';
import { ProductsModule } from './products/products.module';
import { SchedulerModule } from './scheduler/scheduler.module';
import { SeedModule } from './seed/seed.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        PrismaModule,
        MetricsModule,
        ThrottlerModule.forRoot(rateLimitOptions(config)),
        AuthModule,
        HealthModule,
        BehavioralModule,
        MlModule,
        CoachingModule,
        SchedulerModule,
        FinancialModule,
        FinancialInsightsModule,
        ProductsModule,
        SeedModule,
      ],
      providers: [
        // Order matters: authenticate first, so rate limits count per user.
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useClass: ClientThrottlerGuard },
      ],
    };
  }
}
