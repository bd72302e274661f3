import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';

import { AppModule } from './app.module';
import type { AppConfig } from './infra/config/app-config';
import { HttpExceptionFilter } from './infra/http/http-exception.filter';
import { requestIdFor } from './infra/logging/logging';
import { MetricsService } from './infra/metrics/metrics.service';
import { openApiServed, setupOpenApi } from './infra/openapi/openapi';

/**
 * Builds the whole application (used by main.ts and by every e2e test, so the
 * tests exercise exactly what production serves). The database URL must be resolved.
 */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    genReqId: requestIdFor,
    // Only the configured proxies' X-Forwarded-For is believed (req.ip, rate limits, logs).
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    // The React client calls FastAPI-style paths with a trailing slash (GET /products/).
    routerOptions: { ignoreTrailingSlash: true },
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableCors({
    origin: config.http.corsOrigins,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    // Paging of GET /financial/transactions travels in headers (the body stays a plain array).
    exposedHeaders: ['x-request-id', 'x-session-id', 'x-total-count', 'x-page', 'x-limit', 'x-offset'],
  });
  // A JSON API: nothing of ours runs in a browser except the Swagger UI page (its own scripts
  // from /docs, inline styles), so the policy allows exactly that.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  await app.register(multipart, { limits: { fileSize: config.http.importMaxBytes, files: 1, fields: 10 } });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    // Unmatched paths share one label: raw URLs would make the series unbounded.
    metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  if (openApiServed(config.env)) setupOpenApi(app);
  return app;
}
