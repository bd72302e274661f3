import { Controller, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentUser, Roles, type AuthUser } from '../common/auth-user';
import { ApiZodResponse, ZodBody } from '../infra/openapi/zod-openapi';

import { type TrackingSwitchInput, trackingSwitchResponseSchema, trackingSwitchSchema } from './behavioral.schemas';
import { EventCaptureService } from './event-capture.service';

/** The operators' switch for behavioural tracking; the pipeline's figures are in /coaching/enhanced-health. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/tracking')
@Roles('admin')
export class TrackingAdminController {
  constructor(private readonly capture: EventCaptureService) {}

  @Put()
  @ApiOperation({
    summary:
      'Pause or resume behavioural tracking without a restart (admin); events captured before a pause are still written',
  })
  @ApiZodResponse(200, trackingSwitchResponseSchema)
  switch(@ZodBody(trackingSwitchSchema) body: TrackingSwitchInput, @CurrentUser() user: AuthUser) {
    return this.capture.setEnabled(body.enabled, user.email);
  }
}
