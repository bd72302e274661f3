import { CallHandler, ExecutionContext, Injectable, NestInterceptor, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';

import type { AuthUser } from '../common/auth-user';

import { amountBucket, EventCaptureService } from './event-capture.service';
import { isTracked } from './event-types';
import type { RequestExtras, TrackedRoute } from './request-events';

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SESSION_COOKIE = /(?:^|;\s*)session_id=([^;]+)/;
// The only request fields an event may carry (then privacy-filtered again); never whole bodies.
const BODY_FIELDS = [
  'category',
  'product_id',
  'quantity',
  'recommendation_id',
  'helpful',
  'timeline_days',
  'risk_tolerance',
] as const;

/** How the requests of one route are recorded; null: not tracked. */
type RouteClass = TrackedRoute | null;

// Set by the interceptor on a request to record once its response has been sent.
const TRACKED_ROUTE = Symbol('tracked route');
type TrackedRequest = FastifyRequest & { user?: AuthUser; [TRACKED_ROUTE]?: TrackedRoute };

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
      route = pattern === undefined || !isTracked(pattern) ? null : this.capture.trackedRoute(request.method, pattern);
      this.routes.set(handler, route);
    }
    if (route) request[TRACKED_ROUTE] = route;
    return next.handle();
  }

  private onResponse(request: TrackedRequest, reply: FastifyReply): void {
    const route = request[TRACKED_ROUTE];
    if (!route || !request.user) return;
    try {
      this.capture.captureRequest(
        route,
        request.method,
        request.user.id,
        namedSession(request),
        reply.statusCode,
        reply.elapsedTime,
        // A refused request's fields are what the user got wrong (a typo'd card number in a
        // search): only the route and the status of it are recorded.
        reply.statusCode < 400 ? requestExtras(request) : null,
      );
    } catch {
      // Tracking must never affect the user; the capture service counts its own failures.
    }
  }
}

/** The session the request names (contract: `x-session-id` header, else `session_id` cookie); null: none, a new id is made. */
function namedSession(request: FastifyRequest): string | null {
  const { headers } = request;
  const header = headers['x-session-id'];
  if (typeof header === 'string' && SESSION_ID.test(header)) return header;
  const cookie = headers.cookie === undefined ? undefined : SESSION_COOKIE.exec(headers.cookie)?.[1];
  return cookie !== undefined && SESSION_ID.test(cookie) ? cookie : null;
}

/** The allowed request fields and the search term of a request; null when it has neither (most requests). */
function requestExtras(request: FastifyRequest): RequestExtras | null {
  let fields: Record<string, unknown> | undefined;
  const body = request.body;
  if (body && typeof body === 'object') {
    const values = body as Record<string, unknown>;
    for (const key of BODY_FIELDS) if (values[key] !== undefined) (fields ??= {})[key] = values[key];
    if (typeof values.amount === 'number') (fields ??= {}).amount_bucket = amountBucket(values.amount);
    if (typeof values.goal_amount === 'number') (fields ??= {}).goal_amount_bucket = amountBucket(values.goal_amount);
  }
  const term = (request.params as Record<string, string> | undefined)?.term;
  if (!fields && !term) return null;
  return { fields, searchTerm: term ? term.slice(0, 100) : undefined };
}
