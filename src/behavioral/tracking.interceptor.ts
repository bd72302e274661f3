import { CallHandler, ExecutionContext, Injectable, NestInterceptor, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import type { AuthUser } from '../common/auth-user';
import { amountBucket, EventCaptureService } from './event-capture.service';
import { classifyRequest, type EventType, isTracked } from './event-types';

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
// The only request fields an event may carry (then privacy-filtered again); never whole bodies.
const BODY_FIELDS = ['category', 'product_id', 'quantity', 'recommendation_id', 'helpful', 'timeline_days', 'risk_tolerance'] as const;

/** How the requests of one route are recorded; null: not tracked. */
type RouteClass = { route: string; type: EventType; subtype: string } | null;

// Set by the interceptor on a request to record once its response has been sent.
const TRACKED_ROUTE = Symbol('tracked route');
type TrackedRequest = FastifyRequest & { user?: AuthUser; [TRACKED_ROUTE]?: NonNullable<RouteClass> };

/**
 * Global interceptor: marks each authenticated request to a tracked route; once the response
 * has been sent, one Fastify onResponse hook turns it into a behavioural event (route pattern,
 * method, status, duration, session) and hands it to the capture service — no I/O awaited, no
 * effect on the response even if capturing fails.
 */
@Injectable()
export class TrackingInterceptor implements NestInterceptor, OnModuleInit {
  // Each handler serves one route, so its classification is worked out once. This and the one
  // hook replaced, per request, a route-options object Fastify builds on every read and a
  // 'finish' listener with its closure.
  private readonly routes = new WeakMap<object, RouteClass>();

  constructor(
    private readonly capture: EventCaptureService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onResponse', (request, reply, done) => {
      this.onResponse(request as TrackedRequest, reply);
      done();
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.capture.enabled || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<TrackedRequest>();
    if (!request.user) return next.handle();
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (route === undefined) {
      // Only a route pattern is ever recorded (never a raw URL with ids); a handler without one is not tracked.
      const pattern = request.routeOptions.url;
      route = pattern === undefined ? null : classifyRoute(request.method, pattern);
      this.routes.set(handler, route);
    }
    if (route) request[TRACKED_ROUTE] = route;
    return next.handle();
  }

  private onResponse(request: TrackedRequest, reply: FastifyReply): void {
    const route = request[TRACKED_ROUTE];
    if (!route || !request.user) return;
    try {
      this.record(request, request.user.id, route, reply.statusCode, reply.elapsedTime);
    } catch {
      // Tracking must never affect the user; the capture service counts its own failures.
    }
  }

  private record(request: FastifyRequest, userId: string, { route, type, subtype }: NonNullable<RouteClass>, status: number, durationMs: number): void {
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    for (const key of BODY_FIELDS) if (body[key] !== undefined) fields[key] = body[key];
    if (typeof body.amount === 'number') fields.amount_bucket = amountBucket(body.amount);
    if (typeof body.goal_amount === 'number') fields.goal_amount_bucket = amountBucket(body.goal_amount);
    const params = (request.params ?? {}) as Record<string, string>;
    this.capture.capture({
      userId,
      type,
      subtype,
      sessionId: this.sessionId(request),
      data: {
        page_url: route,
        method: request.method,
        status_code: status,
        duration_ms: Math.round(durationMs * 100) / 100,
        interaction_type: 'request',
        ...(params.term ? { search_term: params.term.slice(0, 100) } : {}),
        ...(Object.keys(fields).length ? { request: fields } : {}),
      },
    });
  }

  private sessionId(request: FastifyRequest): string {
    const header = request.headers['x-session-id'];
    if (typeof header === 'string' && SESSION_ID.test(header)) return header;
    const cookie = /(?:^|;\s*)session_id=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    if (cookie && SESSION_ID.test(cookie)) return cookie;
    return this.capture.newSessionId();
  }
}

function classifyRoute(method: string, route: string): RouteClass {
  return isTracked(route) ? { route, ...classifyRequest(method, route) } : null;
}
