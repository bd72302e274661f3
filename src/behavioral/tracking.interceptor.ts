import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import type { AuthUser } from '../common/auth-user';
import { amountBucket, EventCaptureService } from './event-capture.service';
import { classifyRequest, type EventType, isTracked } from './event-types';

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
// The only request fields an event may carry (then privacy-filtered again); never whole bodies.
const BODY_FIELDS = ['category', 'product_id', 'quantity', 'recommendation_id', 'helpful', 'timeline_days', 'risk_tolerance'] as const;

type RequestClass = { type: EventType; subtype: string } | null; // null: not tracked

/**
 * Global interceptor: once the response has been sent, turns an authenticated,
 * tracked request into a behavioural event (route pattern, method, status,
 * duration, session) and hands it to the capture service — no I/O awaited, no
 * effect on the response even if capturing fails.
 */
@Injectable()
export class TrackingInterceptor implements NestInterceptor {
  // Route patterns are a fixed set, so each (method, pattern) is classified once.
  private readonly classes = new Map<string, RequestClass>();

  constructor(private readonly capture: EventCaptureService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.capture.enabled || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const reply = http.getResponse<FastifyReply>();
    const user = request.user;
    if (!user) return next.handle();
    const route = request.routeOptions?.url ?? request.url.split('?')[0];
    const requestClass = this.classify(request.method, route, request.routeOptions?.url !== undefined);
    if (!requestClass) return next.handle();
    const started = process.hrtime.bigint();
    reply.raw.once('finish', () => {
      try {
        this.record(request, user.id, requestClass, route, reply.statusCode, Number(process.hrtime.bigint() - started) / 1e6);
      } catch {
        // Tracking must never affect the user; the capture service counts its own failures.
      }
    });
    return next.handle();
  }

  private classify(method: string, route: string, isPattern: boolean): RequestClass {
    const key = `${method} ${route}`;
    let requestClass = this.classes.get(key);
    if (requestClass === undefined) {
      requestClass = isTracked(route) ? classifyRequest(method, route) : null;
      // Raw paths (no matching route) are unbounded: classified every time, never kept.
      if (isPattern) this.classes.set(key, requestClass);
    }
    return requestClass;
  }

  private record(request: FastifyRequest, userId: string, { type, subtype }: NonNullable<RequestClass>, route: string, status: number, durationMs: number): void {
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
