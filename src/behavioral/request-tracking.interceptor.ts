import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import type { AuthUser } from '../common/auth-user';
import { EventPipeline } from './event-pipeline';
import { isTrackedRoute } from './request-classifier';
import { buildRequestEvent, sessionIdFrom } from './request-event';

const SKIP_TRACKING = 'fincoach:skip-tracking';

/** For routes that record their own, more precise event (e.g. F14): no generic request event. */
export const SkipTracking = () => SetMetadata(SKIP_TRACKING, true);

/**
 * Global interceptor (runs after the guards, so request.user is known). For a
 * tracked authenticated request it only attaches a 'finish' listener; the event is
 * built and queued once the response has been written, from the route pattern and
 * the final status (errors included). Nothing here can delay or fail the response.
 */
@Injectable()
export class RequestTrackingInterceptor implements NestInterceptor {
  private readonly skipByHandler = new WeakMap<object, boolean>();

  constructor(
    private readonly pipeline: EventPipeline,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.pipeline.enabled && context.getType() === 'http') {
      try {
        this.watch(context);
      } catch {
        this.pipeline.captureFailed();
      }
    }
    return next.handle();
  }

  private watch(context: ExecutionContext): void {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const userId = request.user?.id;
    const route = request.routeOptions?.url;
    if (!userId || !route || !isTrackedRoute(route) || this.skipped(context.getHandler())) return;
    const reply = http.getResponse<FastifyReply>();
    reply.raw.once('finish', () => this.record(request, reply, userId, route));
  }

  private record(request: FastifyRequest, reply: FastifyReply, userId: string, route: string): void {
    try {
      this.pipeline.submit(
        buildRequestEvent(
          {
            method: request.method,
            route,
            statusCode: reply.statusCode,
            durationMs: reply.elapsedTime,
            params: request.params,
            query: request.query,
            body: request.body,
          },
          userId,
          sessionIdFrom(request.headers),
        ),
      );
    } catch {
      this.pipeline.captureFailed();
    }
  }

  private skipped(handler: object): boolean {
    let skip = this.skipByHandler.get(handler);
    if (skip === undefined) {
      skip = this.reflector.get<boolean>(SKIP_TRACKING, handler as never) === true;
      this.skipByHandler.set(handler, skip);
    }
    return skip;
  }
}
