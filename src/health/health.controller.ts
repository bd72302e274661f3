import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { Public } from '../common/auth-user';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { DrainState } from '../infra/http/drain-state';
import { API_DESCRIPTION, API_NAME, API_VERSION, docsLinks } from '../infra/openapi/openapi';
import { ApiZodResponse } from '../infra/openapi/zod-openapi';
import { PrismaService } from '../infra/prisma/prisma.service';

import { healthResponseSchema, infoResponseSchema, rootResponseSchema } from './health.schemas';

const startedAt = Date.now();

@ApiTags('system')
@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly drain: DrainState,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiZodResponse(200, rootResponseSchema)
  root() {
    return {
      message: `Welcome to ${API_NAME}`,
      version: API_VERSION,
      description: API_DESCRIPTION,
      ...docsLinks(this.config.env),
    };
  }

  @Get('health')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness and database check (503 when the database is down or the server is draining)' })
  @ApiZodResponse(200, healthResponseSchema)
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    const started = process.hrtime.bigint();
    // 503 with the same body shape, so load balancers and people read the same status field.
    if (this.drain.draining) {
      reply.status(503);
      return this.body('draining', 'up', started);
    }
    // One query on the shared pg pool, as every request's data access (not the Prisma client, which
    // no request path uses any more: its first call would pay the client's start-up inside the timeout).
    if (await this.prisma.ping(2000)) return this.body('healthy', 'up', started);
    reply.status(503);
    return this.body('unhealthy', 'down', started);
  }

  @Get('info')
  @ApiZodResponse(200, infoResponseSchema)
  info() {
    return {
      api_name: API_NAME,
      version: API_VERSION,
      endpoints: {
        authentication: '/auth',
        financial: '/financial',
        ai_coaching: '/coaching',
        products: '/products',
        ...docsLinks(this.config.env),
        health: '/health',
        model_health: '/coaching/enhanced-health',
      },
      features: [
        'User authentication and management',
        'Financial transaction tracking and bank-statement import',
        'AI-powered financial coaching (ONNX models with rule fallbacks)',
        'User segmentation, spending forecasts and goal probability',
        'Behavioural analytics from automatically captured events',
        'Product marketplace simulation',
      ],
    };
  }

  private body(status: 'healthy' | 'unhealthy' | 'draining', database: 'up' | 'down', started: bigint) {
    return {
      status,
      service: 'fincoach-api',
      version: API_VERSION,
      database: { status: database, latency_ms: Number(process.hrtime.bigint() - started) / 1e6 },
      uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
      timestamp: new Date().toISOString(),
    };
  }
}
