import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';

import { BehavioralAnalyticsService } from '../behavioral/behavioral-analytics.service';
import {
  behavioralEventsQuerySchema,
  behavioralEventsResponseSchema,
  behavioralInsightsResponseSchema,
  behaviorChangesResponseSchema,
} from '../behavioral/behavioral.schemas';
import { CurrentUser, type AuthUser } from '../common/auth-user';
import { ApiZodResponse, ZodQuery } from '../infra/openapi/zod-openapi';

/** The user's behaviour as coaching sees it: aggregates, recent events and detected changes. */
@ApiTags('behavioural analytics')
@ApiBearerAuth()
@Controller('coaching')
export class BehavioralInsightsController {
  constructor(private readonly analytics: BehavioralAnalyticsService) {}

  @Get('behavioral-insights')
  @ApiOperation({ summary: '30-day behaviour aggregate, behaviour changes, segment and peer activity' })
  @ApiZodResponse(200, behavioralInsightsResponseSchema)
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

  @Get('behavioral-events')
  @ApiOperation({ summary: 'Behaviour aggregate for N days (optionally one event type) and the recent events, paged' })
  @ApiZodResponse(200, behavioralEventsResponseSchema)
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

  @Get('behavior-changes')
  @ApiZodResponse(200, behaviorChangesResponseSchema)
  async changes(@CurrentUser() user: AuthUser) {
    const changes = await this.analytics.changes(user.id);
    return {
      user_id: user.id,
      behavior_changes: changes,
      change_count: changes.length,
      analysis_date: new Date().toISOString(),
    };
  }
}
