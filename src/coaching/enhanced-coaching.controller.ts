import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { CurrentUser, OptionalUser, Public, type AuthUser } from '../common/auth-user';
import { ApiZodResponse, ZodBody, ZodQuery } from '../infra/openapi/zod-openapi';

import {
  asOfQuerySchema,
  enhancedHealthResponseSchema,
  enhancedRecommendationResponseSchema,
  financialForecastResponseSchema,
  forecastQuerySchema,
  goalProbabilitySchema,
  goalProbabilityResponseSchema,
  refreshSegmentResponseSchema,
  segmentComparisonResponseSchema,
  segmentInfoSchema,
  segmentInsightsResponseSchema,
  spendingPredictionResponseSchema,
  type GoalProbabilityInput,
} from './coaching.schemas';
import { ModelHealthService } from './model-health.service';
import { PredictionsService } from './predictions.service';
import { RecommendationsService } from './recommendations.service';
import { SegmentsService } from './segments.service';

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
  @ApiOperation({
    summary:
      'Segment-aware recommendation: the served policy’s action mixed with the segment’s bandit and an exploration floor, drawn with a logged exact probability',
  })
  @ApiZodResponse(200, enhancedRecommendationResponseSchema)
  enhancedRecommendation(@CurrentUser() user: AuthUser) {
    return this.recommendations.recommendEnhanced(user.id);
  }

  @Get('user-segment')
  @ApiZodResponse(200, segmentInfoSchema)
  userSegment(@CurrentUser() user: AuthUser) {
    return this.segments.userSegment(user.id);
  }

  @Post('refresh-segment')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Recompute your segment now (at most SEGMENT_REFRESHES_PER_HOUR recomputations per hour, 429 beyond)',
  })
  @ApiZodResponse(200, refreshSegmentResponseSchema)
  async refreshSegment(@CurrentUser() user: AuthUser) {
    const segment = await this.segments.refreshOnDemand(user.id);
    return { message: 'User segment updated successfully', segment_info: segment };
  }

  @Get('segment-insights')
  @ApiZodResponse(200, segmentInsightsResponseSchema)
  segmentInsights(@CurrentUser() user: AuthUser) {
    return this.segments.segmentInsights(user.id);
  }

  @Get('segment-comparison')
  @ApiZodResponse(200, segmentComparisonResponseSchema)
  segmentComparison(@CurrentUser() user: AuthUser) {
    return this.segments.segmentComparison(user.id);
  }

  @Get('spending-prediction')
  @ApiZodResponse(200, spendingPredictionResponseSchema)
  spendingPrediction(
    @CurrentUser() user: AuthUser,
    @ZodQuery(asOfQuerySchema) query: z.output<typeof asOfQuerySchema>,
  ) {
    return this.predictions.spending(user, query.as_of);
  }

  @Post('goal-probability')
  @HttpCode(200)
  @ApiZodResponse(200, goalProbabilityResponseSchema)
  goalProbability(
    @CurrentUser() user: AuthUser,
    @ZodBody(goalProbabilitySchema) body: GoalProbabilityInput,
    @ZodQuery(asOfQuerySchema) query: z.output<typeof asOfQuerySchema>,
  ) {
    return this.predictions.goalProbability(user, body, query.as_of);
  }

  @Get('financial-forecast')
  @ApiZodResponse(200, financialForecastResponseSchema)
  financialForecast(
    @CurrentUser() user: AuthUser,
    @ZodQuery(forecastQuerySchema) query: z.output<typeof forecastQuerySchema>,
  ) {
    return this.predictions.forecast(user, query.days, query.as_of);
  }

  @Get('enhanced-health')
  @Public()
  @ApiOperation({
    summary: 'Every part’s status; with an admin token also versions, files, errors, bandit and event pipeline figures',
  })
  @ApiZodResponse(200, enhancedHealthResponseSchema)
  enhancedHealth(@OptionalUser() user?: AuthUser) {
    return this.health.enhancedHealth(user?.role === 'admin');
  }
}
