import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';

import { EVENT_PIPELINE_STATS } from '../common/pipeline-stats';

import { BehavioralAnalyticsService } from './behavioral-analytics.service';
import { BehavioralRepository } from './behavioral.repository';
import { EventCaptureService } from './event-capture.service';
import { EventPipelineMetrics } from './event-pipeline-metrics';
import { PostgresEventSink } from './postgres-event-sink';
import { TrackingAdminController } from './tracking-admin.controller';
import { TrackingInterceptor } from './tracking.interceptor';

/** Behavioural events: capture (interceptor + domain events), batching into PostgreSQL, analytics. */
@Module({
  controllers: [TrackingAdminController],
  providers: [
    PostgresEventSink,
    BehavioralRepository,
    EventCaptureService,
    EventPipelineMetrics,
    BehavioralAnalyticsService,
    { provide: EVENT_PIPELINE_STATS, useExisting: EventCaptureService },
    { provide: APP_INTERCEPTOR, useClass: TrackingInterceptor },
  ],
  exports: [EventCaptureService, BehavioralAnalyticsService, EVENT_PIPELINE_STATS],
})
export class BehavioralModule {}
