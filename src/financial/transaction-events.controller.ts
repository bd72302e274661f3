import { Controller, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';

import { BehavioralAnalyticsService } from '../behavioral/behavioral-analytics.service';
import {
  trackTransactionEventQuerySchema,
  trackTransactionEventResponseSchema,
} from '../behavioral/behavioral.schemas';
import { EventCaptureService } from '../behavioral/event-capture.service';
import { CurrentUser, type AuthUser } from '../common/auth-user';
import { ApiZodResponse, ZodQuery } from '../infra/openapi/zod-openapi';

/** A user's interactions with their own transactions, recorded as behavioural events. */
@ApiTags('behavioural analytics')
@ApiBearerAuth()
@Controller('financial')
export class TransactionEventsController {
  constructor(
    private readonly analytics: BehavioralAnalyticsService,
    private readonly capture: EventCaptureService,
  ) {}

  @Post('track-transaction-event')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record an interaction with one of your transactions' })
  @ApiZodResponse(200, trackTransactionEventResponseSchema)
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
