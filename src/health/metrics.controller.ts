import { timingSafeEqual } from 'node:crypto';

import { Controller, ForbiddenException, Get, Headers, Inject, Res, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { OptionalUser, Public, type AuthUser } from '../common/auth-user';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { MetricsService } from '../infra/metrics/metrics.service';

@ApiTags('system')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // Public to the guard so a scraper's static METRICS_TOKEN is accepted; otherwise an admin's token is required.
  @Get()
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Prometheus metrics (admin token, or the METRICS_TOKEN bearer)' })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Prometheus text exposition format 0.0.4', schema: { type: 'string' } })
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @OptionalUser() user: AuthUser | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!this.scraperToken(authorization)) {
      if (!user) throw new UnauthorizedException('Not authenticated');
      if (user.role !== 'admin') throw new ForbiddenException('This action requires the admin role');
    }
    await reply.header('content-type', this.metrics.contentType()).send(await this.metrics.text());
  }

  private scraperToken(authorization: string | undefined): boolean {
    const token = this.config.metrics.token;
    if (!token || !authorization?.startsWith('Bearer ')) return false;
    const given = Buffer.from(authorization.slice(7));
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
