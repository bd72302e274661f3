import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

import type { Role } from '../common/auth-user';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';

export interface AccessTokenClaims {
  sub: string;
  role: Role;
  jti: string;
  /** Unix seconds of the original login; a refresh keeps it, which bounds a session's life. */
  auth_time: number;
  /** The user's token version at issue; "log out everywhere" and a password change raise it. Absent = 0. */
  tv?: number;
  iat: number;
  exp: number;
}

/** Tokens say who made them and for whom: a token of another service sharing the secret is refused. */
export const TOKEN_ISSUER = 'fincoach-api';
export const TOKEN_AUDIENCE = 'fincoach-client';

export interface IssuedToken {
  token: string;
  expiresIn: number;
}

/** Signs and verifies HS256 access tokens with a numeric `exp` (the client decodes it). */
@Injectable()
export class TokenService {
  // A KeyObject made once: given a string, jsonwebtoken first tries (and fails) to parse it
  // as a public key on every call — ~20% of an authenticated request's CPU (docs/benchmarks.md).
  private readonly key: KeyObject;

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.key = createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8'));
  }

  issue(userId: string, role: Role, tokenVersion: number, authTime = Math.floor(Date.now() / 1000)): IssuedToken {
    const expiresIn = this.config.auth.expiresInSeconds;
    const token = this.jwt.sign(
      { sub: userId, role, jti: randomUUID(), auth_time: authTime, tv: tokenVersion },
      {
        secret: this.key as unknown as string,
        expiresIn,
        algorithm: 'HS256',
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
      },
    );
    return { token, expiresIn };
  }

  /** Throws on a bad signature, a wrong algorithm, a missing claim or expiry. */
  verify(token: string): AccessTokenClaims {
    const claims = this.jwt.verify<AccessTokenClaims>(token, {
      secret: this.key as unknown as string,
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
    });
    if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string' || typeof claims.exp !== 'number') {
      throw new Error('token is missing required claims');
    }
    return claims;
  }

  sessionExpired(authTime: number): boolean {
    return Date.now() / 1000 - authTime > this.config.auth.maxSessionHours * 3600;
  }
}
