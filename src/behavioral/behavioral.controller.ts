import { Controller, Get, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';

import { CurrentUser, type AuthUser } from '../common/auth-user';
import { ZodQuery } from '../infra/openapi/zod-openapi';

import { BehavioralAnalyticsService } from './behavioral-analytics.service';
import { behavioralEventsQuerySchema, trackTransactionEventQuerySchema } from './behavioral.schemas';
import { EventCaptureService } from './event-capture.service';

@ApiTags('behavioural analytics')
@ApiBearerAuth()
@Controller()
export class BehavioralController {
  constructor(
    private readonly analytics: BehavioralAnalyticsService,
    private readonly capture: EventCaptureService,
  ) {}

  @Get('coaching/behavioral-insights')
  @ApiOperation({ summary: '30-day behaviour aggregate, behaviour changes, segment and peer activity' })
  async insights(@CurrentUser() user: AuthUser) {
    const [behaviorData, changes, segment, peers] = await Promise.all([
      this.analytics.aggregate(user.id, 30),
      this.analytics.changes(user.id),
      this.analytics.segmentOf(user.id),
      this.analytics.peerEngagement(user.id),
    ]);
    return {
      user_id: user.id,
      behavior_data: behaviorData,
      behavior_changes: changes,
      segment_info: segment,
      peer_engagement: peers,
      summary_generated_at: new Date().toISOString(),
    };
  }

  @Get('coaching/behavioral-events')
  @ApiOperation({ summary: 'Behaviour aggregate for N days (optionally one event type) and the recent events, paged' })
  async events(
    @CurrentUser() user: AuthUser,
    @ZodQuery(behavioralEventsQuerySchema) query: z.output<typeof behavioralEventsQuerySchema>,
  ) {
    const [aggregate, recent] = await Promise.all([
      this.analytics.aggregate(user.id, query.days, query.event_type),
      this.analytics.recentEvents(user.id, query.days, query.limit, query.offset, query.event_type),
    ]);
    return { ...aggregate, recent_events: recent };
  }

  @Get('coaching/behavior-changes')
  async changes(@CurrentUser() user: AuthUser) {
    const changes = await this.analytics.changes(user.id);
    return {
      user_id: user.id,
      behavior_changes: changes,
      change_count: changes.length,
      analysis_date: new Date().toISOString(),
    };
  }

  @Post('financial/track-transaction-event')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record an interaction with one of your transactions' })
  async trackTransactionEvent(
    @CurrentUser() user: AuthUser,
    @ZodQuery(trackTransactionEventQuerySchema) query: z.output<typeof trackTransactionEventQuerySchema>,
  ) {
    if (!(await this.analytics.ownsTransaction(user.id, query.transaction_id)))
      throw new NotFoundException('Transaction not found');
    this.capture.capture({
      userId: user.id,
      type: 'transaction_interaction',
      subtype: `transaction_${query.event_type}`,
      data: {
        transaction_id: query.transaction_id,
        interaction_type: query.event_type,
        endpoint: '/financial/track-transaction-event',
      },
    });
    return {
      message: 'Transaction event tracked successfully',
      transaction_id: query.transaction_id,
      event_type: query.event_type,
    };
  }
}
