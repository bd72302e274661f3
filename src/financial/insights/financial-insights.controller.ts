import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { CurrentUser, type AuthUser } from '../../common/auth-user';
import { ZodQuery } from '../../infra/openapi/zod-openapi';

import { FinancialInsightsService } from './financial-insights.service';

const patternsQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(365).default(30) });

/** Behavioural finance under /financial: spending patterns, category preferences, personality, peers. */
@ApiTags('financial (behavioural)')
@ApiBearerAuth()
@Controller('financial')
export class FinancialInsightsController {
  constructor(private readonly insights: FinancialInsightsService) {}

  @Get('spending-patterns')
  spendingPatterns(
    @CurrentUser() user: AuthUser,
    @ZodQuery(patternsQuerySchema) query: z.output<typeof patternsQuerySchema>,
  ) {
    return this.insights.spendingPatterns(user.id, query.days);
  }

  @Get('category-preferences')
  categoryPreferences(@CurrentUser() user: AuthUser) {
    return this.insights.categoryPreferences(user.id);
  }

  @Get('financial-personality')
  financialPersonality(@CurrentUser() user: AuthUser) {
    return this.insights.financialPersonality(user.id);
  }

  @Get('peer-comparison')
  peerComparison(@CurrentUser() user: AuthUser) {
    return this.insights.peerComparison(user.id);
  }
}
