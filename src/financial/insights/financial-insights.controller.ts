import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { CurrentUser, type AuthUser } from '../../common/auth-user';
import { ApiZodResponse, ZodQuery } from '../../infra/openapi/zod-openapi';

import {
  categoryPreferencesResponseSchema,
  financialPersonalityResponseSchema,
  patternsQuerySchema,
  peerComparisonResponseSchema,
  spendingPatternsResponseSchema,
} from './financial-insights.schemas';
import { FinancialInsightsService } from './financial-insights.service';

/** Behavioural finance under /financial: spending patterns, category preferences, personality, peers. */
@ApiTags('financial (behavioural)')
@ApiBearerAuth()
@Controller('financial')
export class FinancialInsightsController {
  constructor(private readonly insights: FinancialInsightsService) {}

  @Get('spending-patterns')
  @ApiZodResponse(200, spendingPatternsResponseSchema)
  spendingPatterns(
    @CurrentUser() user: AuthUser,
    @ZodQuery(patternsQuerySchema) query: z.output<typeof patternsQuerySchema>,
  ) {
    return this.insights.spendingPatterns(user.id, query.days);
  }

  @Get('category-preferences')
  @ApiZodResponse(200, categoryPreferencesResponseSchema)
  categoryPreferences(@CurrentUser() user: AuthUser) {
    return this.insights.categoryPreferences(user.id);
  }

  @Get('financial-personality')
  @ApiZodResponse(200, financialPersonalityResponseSchema)
  financialPersonality(@CurrentUser() user: AuthUser) {
    return this.insights.financialPersonality(user.id);
  }

  @Get('peer-comparison')
  @ApiZodResponse(200, peerComparisonResponseSchema)
  peerComparison(@CurrentUser() user: AuthUser) {
    return this.insights.peerComparison(user.id);
  }
}
