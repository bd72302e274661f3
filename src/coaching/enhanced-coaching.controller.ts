import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { CurrentUser, OptionalUser, Public, type AuthUser } from '../common/auth-user';
import { ApiZodResponse, ZodBody, ZodQuery } from '../infra/openapi/zod-openapi';

import {
  enhancedRecommendationResponseSchema,
  forecastQuerySchema,
  goalProbabilitySchema,
  goalProbabilityResponseSchema,
  segmentInfoSchema,
  spendingPredictionResponseSchema,
  type GoalProbabilityInput,
} from './coaching.schemas';
import { ModelHealthService } from './model-health.service';
import { PredictionsService } from './predictions.service';
import { RecommendationsService } from './recommendations.service';
import { MIN_PEERS, SegmentsService } from './segments.service';

const NO_PEERS = `No peer data available for comparison (peers are shown only as aggregates of at least ${MIN_PEERS} users)`;

/** Segment-aware coaching: segmentation, bandit, forecasts, goals and the operators' health view. */
@ApiTags('coaching (enhanced)')
@ApiBearerAuth()
@Controller('coaching')
export class EnhancedCoachingController {
  constructor(
    private readonly recommendations: RecommendationsService,
    private readonly segments: SegmentsService,
    private readonly predictions: PredictionsService,
    private readonly health: ModelHealthService,
  ) {}

  @Get('enhanced-recommendation')
  @ApiOperation({ summary: 'Segment-aware recommendation chosen by Thompson sampling over the policy’s preferences' })
  @ApiZodResponse(200, enhancedRecommendationResponseSchema)
  enhancedRecommendation(@CurrentUser() user: AuthUser) {
    return this.recommendations.recommendEnhanced(user.id);
  }

  @Get('user-segment')
  @ApiZodResponse(200, segmentInfoSchema)
  async userSegment(@CurrentUser() user: AuthUser) {
    const segment = await this.segments.current(user.id);
    const peers = await this.segments.peerStats(user.id, segment.segment_id);
    return { ...segment, peer_comparison: peers };
  }

  @Post('refresh-segment')
  @HttpCode(200)
  async refreshSegment(@CurrentUser() user: AuthUser) {
    const segment = await this.segments.refresh(user.id);
    return { message: 'User segment updated successfully', segment_info: segment };
  }

  @Get('segment-insights')
  async segmentInsights(@CurrentUser() user: AuthUser) {
    const segment = await this.segments.current(user.id);
    const peers = await this.segments.peerStats(user.id, segment.segment_id);
    return {
      segment_info: { ...segment, peer_comparison: peers },
      characteristics: this.segments.segmentProfile(segment.segment_id) ?? {
        name: segment.segment_name,
        characteristics: segment.characteristics,
      },
      peer_comparison: peers,
      generated_at: new Date().toISOString(),
    };
  }

  @Get('segment-comparison')
  async segmentComparison(@CurrentUser() user: AuthUser) {
    const segment = await this.segments.current(user.id);
    const peers = await this.segments.peerStats(user.id, segment.segment_id);
    if (!peers) return { message: NO_PEERS, segment_info: segment, peer_count: 0, peers: [] };
    // Individual peers are never listed (their balances are private): aggregates and percentiles only.
    return {
      segment_info: segment,
      peer_count: peers.peer_count,
      peer_averages: peers.peer_averages,
      user_metrics: peers.user_metrics,
      percentiles: peers.percentiles,
      peers: [],
    };
  }

  @Get('spending-prediction')
  @ApiZodResponse(200, spendingPredictionResponseSchema)
  spendingPrediction(@CurrentUser() user: AuthUser) {
    return this.predictions.spending(user.id);
  }

  @Post('goal-probability')
  @HttpCode(200)
  @ApiZodResponse(200, goalProbabilityResponseSchema)
  goalProbability(@CurrentUser() user: AuthUser, @ZodBody(goalProbabilitySchema) body: GoalProbabilityInput) {
    return this.predictions.goalProbability(user.id, body);
  }

  @Get('financial-forecast')
  financialForecast(
    @CurrentUser() user: AuthUser,
    @ZodQuery(forecastQuerySchema) query: z.output<typeof forecastQuerySchema>,
  ) {
    return this.predictions.forecast(user.id, query.days);
  }

  @Get('enhanced-health')
  @Public()
  @ApiOperation({
    summary: 'Every part’s status; with an admin token also versions, files, errors, bandit and event pipeline figures',
  })
  enhancedHealth(@OptionalUser() user?: AuthUser) {
    return this.health.enhancedHealth(user?.role === 'admin');
  }
}
