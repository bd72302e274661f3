import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerModuleOptions } from '@nestjs/throttler';

import type { AppConfig } from '../config/app-config';

const AUTH_RATE_LIMITED = 'fincoach:auth-rate-limited';

/** Marks a credential-accepting route (login, register) for the stricter per-IP limit. */
export const AuthRateLimited = () => SetMetadata(AUTH_RATE_LIMITED, true);

export function rateLimitOptions(config: AppConfig): ThrottlerModuleOptions {
  return {
    throttlers: [
      {
        name: 'default',
        ttl: 60_000,
        limit: Math.max(config.http.rateLimitPerMinute, 1),
        skipIf: () => config.http.rateLimitPerMinute === 0,
      },
      {
        name: 'auth',
        ttl: 60_000,
        limit: config.auth.rateLimitPerMinute,
        skipIf: (ctx: ExecutionContext) => !Reflect.getMetadata(AUTH_RATE_LIMITED, ctx.getHandler()),
      },
    ],
    errorMessage: 'Too many requests: slow down and try again in a minute',
  };
}

/** Counts per user once authenticated (runs after the auth guard), per client IP otherwise. */
@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const user = req.user as { id?: string } | undefined;
    return user?.id ? `user:${user.id}` : `ip:${String(req.ip)}`;
  }
}
