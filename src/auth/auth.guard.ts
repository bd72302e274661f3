import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { IS_PUBLIC, REQUIRED_ROLE, type AuthUser, type Role } from '../common/auth-user';

import { TokenService } from './token.service';
import { UsersRepository } from './users.repository';

/**
 * Global guard: every route needs a valid bearer token unless marked @Public().
 * One indexed query (a named statement) checks that the user still exists, is active, and that this
 * token was not revoked by logout/refresh nor issued before a "log out everywhere" or password change
 * (its version is the user's current one). @Roles('admin') routes answer 403 to others.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly users: UsersRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; user?: AuthUser }>();
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      // Public routes stay public; a valid token still identifies the user (for activity tracking).
      await this.authenticate(request).catch(() => undefined);
      return true;
    }
    await this.authenticate(request);
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (required && request.user!.role !== required) {
      throw new ForbiddenException(`This action requires the ${required} role`);
    }
    return true;
  }

  private async authenticate(request: { headers: Record<string, string | undefined>; user?: AuthUser }): Promise<void> {
    const header = request.headers.authorization;
    if (!header || !/^Bearer\s+\S+$/i.test(header)) throw new UnauthorizedException('Not authenticated');

    let claims;
    try {
      claims = this.tokens.verify(header.replace(/^Bearer\s+/i, ''));
    } catch {
      throw new UnauthorizedException('Could not validate credentials');
    }
    const session = await this.users.session(claims.sub, claims.jti);
    if (!session || !session.isActive || session.revoked || session.tokenVersion !== (claims.tv ?? 0)) {
      throw new UnauthorizedException('Could not validate credentials');
    }
    request.user = {
      id: session.id,
      email: session.email,
      role: session.role,
      firstName: session.firstName,
      lastName: session.lastName,
      createdAt: session.createdAt,
      tokenId: claims.jti,
      tokenExpiresAt: new Date(claims.exp * 1000),
      authTime: claims.auth_time ?? claims.iat,
      tokenVersion: session.tokenVersion,
      dataVersion: session.dataVersion,
    };
  }
}
