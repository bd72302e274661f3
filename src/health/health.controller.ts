import { Controller, Get, HttpCode, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, PrismaHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';

import { Public } from '../common/auth-user';
import { DrainState } from '../infra/http/drain-state';
import { API_DESCRIPTION, API_NAME, API_VERSION } from '../infra/openapi/openapi';
import { PrismaService } from '../infra/prisma/prisma.service';

const startedAt = Date.now();

@ApiTags('system')
@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly prismaIndicator: PrismaHealthIndicator,
    private readonly prisma: PrismaService,
    private readonly drain: DrainState,
  ) {}

  @Get()
  root() {
    return {
      message: `Welcome to ${API_NAME}`,
      version: API_VERSION,
      description: API_DESCRIPTION,
      docs: '/docs',
      openapi: '/openapi.json',
    };
  }

  @Get('health')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness and database check (503 when the database is down or the server is draining)' })
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    const started = process.hrtime.bigint();
    // 503 with the same body shape, so load balancers and people read the same status field.
    if (this.drain.draining) {
      reply.status(503);
      return this.body('draining', 'up', started);
    }
    try {
      await this.health.check([() => this.prismaIndicator.pingCheck('database', this.prisma, { timeout: 2000 })]);
      return this.body('healthy', 'up', started);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        reply.status(503);
        return this.body('unhealthy', 'down', started);
      }
      throw error;
    }
  }

  @Get('info')
  info() {
    return {
      api_name: API_NAME,
      version: API_VERSION,
      endpoints: {
        authentication: '/auth',
        financial: '/financial',
        ai_coaching: '/coaching',
        products: '/products',
        docs: '/docs',
        openapi: '/openapi.json',
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
