import { Controller, Get, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, type AuthUser } from '../common/auth-user';
import { ApiZodResponse, ZodQuery } from '../infra/openapi/zod-openapi';
import {
  behaviorAggregateSchema,
  behaviorChangesResponseSchema,
  behavioralEventsQuerySchema,
  behavioralInsightsSchema,
  pipelineStatsSchema,
  trackTransactionEventQuerySchema,
  trackTransactionEventResponseSchema,
  type BehavioralEventsQuery,
  type TrackTransactionEventQuery,
} from './behavioral.schemas';
import { BehavioralEventService } from './behavioral-event.service';
import { EventCaptureService } from './event-capture.service';
import { EventPipeline } from './event-pipeline';
import { SkipTracking } from './request-tracking.interceptor';

@ApiTags('behavioral')
@ApiBearerAuth()
@Controller()
export class BehavioralController {
  constructor(
    private readonly analytics: BehavioralEventService,
    private readonly capture: EventCaptureService,
    private readonly pipeline: EventPipeline,
  ) {}

  @Get('coaching/behavioral-insights')
  @ApiOperation({ summary: '30-day behaviour aggregate, behaviour changes and stored segment' })
  @ApiZodResponse(200, behavioralInsightsSchema)
  insights(@CurrentUser() user: AuthUser) {
    return this.analytics.insights(user.id);
  }

  @Get('coaching/behavioral-events')
  @ApiOperation({
    summary: 'Behaviour aggregate over `days`',
    description: 'With event_type, event_counts and interaction_patterns keep only that type; the totals stay unfiltered (as the reference did).',
  })
  @ApiZodResponse(200, behaviorAggregateSchema)
  async events(@CurrentUser() user: AuthUser, @ZodQuery(behavioralEventsQuerySchema) query: BehavioralEventsQuery) {
    const aggregate = await this.analytics.aggregate(user.id, query.days);
    if (!query.event_type) return aggregate;
    const type = query.event_type;
    return {
      ...aggregate,
      event_counts: type in aggregate.event_counts ? { [type]: aggregate.event_counts[type] } : {},
      interaction_patterns: type in aggregate.interaction_patterns ? { [type]: aggregate.interaction_patterns[type] } : {},
    };
  }

  @Get('coaching/behavior-changes')
  @ApiOperation({ summary: 'Last 7 days against the weekly average of days 8-37' })
  @ApiZodResponse(200, behaviorChangesResponseSchema)
  async changes(@CurrentUser() user: AuthUser) {
    const analysis = await this.analytics.behaviorChanges(user.id);
    return {
      user_id: user.id,
      behavior_changes: analysis.changes,
      change_count: analysis.changes.length,
      baseline_events: analysis.baseline_events,
      baseline_sufficient: analysis.baseline_sufficient,
      analysis_date: new Date().toISOString(),
    };
  }

  @Post('financial/track-transaction-event')
  @HttpCode(200)
  @SkipTracking()
  @ApiOperation({ summary: 'Record an interaction with one of your transactions (404 if it is not yours)' })
  @ApiZodResponse(200, trackTransactionEventResponseSchema)
  async trackTransactionEvent(@CurrentUser() user: AuthUser, @ZodQuery(trackTransactionEventQuerySchema) query: TrackTransactionEventQuery) {
    if (!(await this.analytics.ownsTransaction(user.id, query.transaction_id))) throw new NotFoundException('Transaction not found');
    const queued = this.capture.transactionInteraction(user.id, query.transaction_id, query.event_type, {
      extra: { endpoint: '/financial/track-transaction-event' },
    });
    return { message: 'Transaction event tracked', transaction_id: query.transaction_id, event_type: query.event_type, queued };
  }

  @Get('coaching/event-pipeline-health')
  @Roles('admin')
  @ApiOperation({ summary: 'Event pipeline figures: queue, written, retried, dropped and refused by reason, last flush (admin)' })
  @ApiZodResponse(200, pipelineStatsSchema)
  pipelineHealth() {
    return this.pipeline.stats();
  }
}
