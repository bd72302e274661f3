import { Global, Logger, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { EVENT_PIPELINE_STATS } from '../common/pipeline-stats';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { BehavioralController } from './behavioral.controller';
import { BehavioralEventService } from './behavioral-event.service';
import { EventCaptureService } from './event-capture.service';
import { EVENT_SINK, EventPipeline } from './event-pipeline';
import { PostgresEventSink } from './postgres-event-sink';
import { RequestTrackingInterceptor } from './request-tracking.interceptor';

/**
 * Behavioural events: capture (global interceptor + EventCaptureService for
 * domain events), privacy filter, validation, batching into PostgreSQL, analytics.
 * Global so any module can inject EventCaptureService and the pipeline stats.
 */
@Global()
@Module({
  controllers: [BehavioralController],
  providers: [
    {
      provide: EVENT_SINK,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const logger = new Logger('BehavioralEvents');
        return new PostgresEventSink(config.database.url!, {}, (error) => logger.warn(`event sink connection error: ${error.message}`));
      },
    },
    EventPipeline,
    { provide: EVENT_PIPELINE_STATS, useExisting: EventPipeline },
    EventCaptureService,
    BehavioralEventService,
    { provide: APP_INTERCEPTOR, useClass: RequestTrackingInterceptor },
  ],
  exports: [EventCaptureService, BehavioralEventService, EventPipeline, EVENT_PIPELINE_STATS],
})
export class BehavioralModule {}
