import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { CurrentUser, OptionalUser, Public, type AuthUser } from '../common/auth-user';
import { ApiZodResponse, ZodBody, ZodQuery } from '../infra/openapi/zod-openapi';
import { ACTIONS } from '../ml/coaching-domain';
import { UserStateService } from '../ml/user-state.service';

import {
  actionsResponseSchema,
  feedbackResponseSchema,
  feedbackSchema,
  financialStateResponseSchema,
  historyQuerySchema,
  historyResponseSchema,
  insightsResponseSchema,
  modelInfoResponseSchema,
  policyHealthResponseSchema,
  recommendationResponseSchema,
  type FeedbackInput,
} from './coaching.schemas';
import { financialHealth, insightsFor } from './financial-health';
import { ModelHealthService } from './model-health.service';
import { RecommendationsService, stateSummary } from './recommendations.service';
import { historyFields } from './state-history';

/** The core coaching endpoints the React client calls. */
@ApiTags('coaching')
@ApiBearerAuth()
@Controller('coaching')
export class CoachingController {
  constructor(
    private readonly recommendations: RecommendationsService,
    private readonly states: UserStateService,
    private readonly health: ModelHealthService,
  ) {}

  @Get('recommendation')
  @ApiOperation({
    summary:
      'The served policy’s coaching action for the current state, with its exact propensity; the same recommendation again while the user’s data, the day and the served policy are unchanged (rule fallback when the model is unavailable)',
  })
  @ApiZodResponse(200, recommendationResponseSchema)
  recommendation(@CurrentUser() user: AuthUser) {
    return this.recommendations.recommend(user);
  }

  @Get('financial-state')
  @ApiZodResponse(200, financialStateResponseSchema)
  async financialState(@CurrentUser() user: AuthUser) {
    const state = await this.states.load(user.id);
    const health = financialHealth(state.summary);
    return {
      ...stateSummary(state.summary),
      financial_health_score: health.score,
      health_components: health.components,
      ...historyFields(state),
    };
  }

  @Get('model-info')
  @Public()
  @ApiZodResponse(200, modelInfoResponseSchema)
  modelInfo() {
    return this.health.modelInfo();
  }

  @Get('health')
  @Public()
  @ApiOperation({ summary: 'The policy model’s status and its latest test inference (error texts for admins)' })
  @ApiZodResponse(200, policyHealthResponseSchema)
  policyHealth(@OptionalUser() user?: AuthUser) {
    return this.health.policyHealth(user?.role === 'admin');
  }

  @Get('actions')
  @Public()
  @ApiZodResponse(200, actionsResponseSchema)
  actions() {
    return { actions: ACTIONS };
  }

  @Get('history')
  @ApiZodResponse(200, historyResponseSchema)
  history(@CurrentUser() user: AuthUser, @ZodQuery(historyQuerySchema) query: z.output<typeof historyQuerySchema>) {
    return this.recommendations.history(user.id, query.limit, query.offset);
  }

  @Post('feedback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rate one of your recommendations; teaches the bandit' })
  @ApiZodResponse(200, feedbackResponseSchema)
  feedback(@CurrentUser() user: AuthUser, @ZodBody(feedbackSchema) body: FeedbackInput) {
    return this.recommendations.feedback(user.id, body);
  }

  @Get('insights')
  @ApiZodResponse(200, insightsResponseSchema)
  async insights(@CurrentUser() user: AuthUser) {
    const state = await this.states.load(user.id);
    return { insights: insightsFor(state.summary), ...historyFields(state), generated_at: new Date().toISOString() };
  }
}
