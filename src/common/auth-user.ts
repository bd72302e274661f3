import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export type Role = 'user' | 'admin';

/** What the auth guard attaches to an authenticated request. */
export interface AuthUser {
  id: string;
  email: string;
  role: Role;
  /** Read by the same query that checked the session, so GET /auth/me needs no query of its own. */
  firstName: string;
  lastName: string;
  createdAt: Date;
  /** The token's id (jti) and expiry, so logout/refresh can revoke exactly this token. */
  tokenId: string;
  tokenExpiresAt: Date;
  /** When the session began (original login), carried across refreshes. */
  authTime: number;
  /** The user's token version: a refresh issues its token with it. */
  tokenVersion: number;
  /** The version of the user's money data as the auth check read it (see DataUser). */
  dataVersion: string;
}

/**
 * A user as the coaching services take them: the id and, on a request, the version of their money
 * data that the auth check read with the session (raised by every change to their transactions or
 * wallet). Answers are reused and cached by that version, so a request needs no query to learn it;
 * without it (a replay, a job) the services read it.
 */
export type DataUser = Pick<AuthUser, 'id'> & Partial<Pick<AuthUser, 'dataVersion'>>;

export const IS_PUBLIC = 'fincoach:is-public';
export const REQUIRED_ROLE = 'fincoach:required-role';

/** Opts a route out of the global bearer-token guard. */
export const Public = () =>
  // The extension tells the OpenAPI builder to leave this operation without bearer security.
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension('x-public', true));

/** Restricts a route to a role (403 for authenticated users without it). */
export const Roles = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** The authenticated user of the request (routes behind the guard only). */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  const request = ctx.switchToHttp().getRequest<{ user?: AuthUser }>();
  if (!request.user) throw new Error('CurrentUser used on a route without authentication');
  return request.user;
});

/** The user on a public route when the request carried a valid token, else undefined. */
export const OptionalUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser | undefined => {
  return ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user;
});
