import {
  ConflictException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';

import { EventCaptureService } from '../behavioral/event-capture.service';
import type { AuthUser } from '../common/auth-user';
import { Prisma } from '../generated/prisma/client';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { PrismaService } from '../infra/prisma/prisma.service';

import type { LoginInput, ProfileUpdateInput, RegisterInput, TokenResponse } from './auth.schemas';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';
import { toProfileResponse, toUserResponse } from './users.mapper';

@Injectable()
export class AuthService {
  private readonly hasher: PasswordHasher;
  private readonly loginThrottle: LoginThrottle;

  constructor(
    private readonly prisma: PrismaService,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly events: EventCaptureService,
  ) {
    this.hasher = new PasswordHasher(config.auth.passwordHashCost);
    this.loginThrottle = new LoginThrottle({
      failuresBeforeBackoff: config.auth.loginFailuresBeforeBackoff,
      maxBackoffSeconds: config.auth.loginBackoffMaxSeconds,
    });
  }

  async register(input: RegisterInput): Promise<TokenResponse> {
    const passwordHash = await this.hasher.hash(input.password);
    try {
      const user = await this.prisma.user.create({
        data: {
          email: input.email,
          passwordHash,
          firstName: input.first_name,
          lastName: input.last_name,
          dateOfBirth: input.date_of_birth ? new Date(`${input.date_of_birth}T00:00:00Z`) : null,
          profile: { create: {} },
        },
      });
      return this.tokenResponse(user);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new ConflictException('User with this email already exists');
      }
      throw error;
    }
  }

  async login(input: LoginInput): Promise<TokenResponse> {
    const retryAfterSeconds = this.loginThrottle.attempt(input.email);
    if (retryAfterSeconds > 0) {
      throw new HttpException(
        {
          message: `Too many failed logins for this account: try again in ${retryAfterSeconds} s`,
          retryAfterSeconds,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const user = await this.prisma.user.findUnique({ where: { email: input.email } });
    if (!user) {
      await this.hasher.burn(input.password);
      throw new UnauthorizedException('Invalid email or password');
    }
    if (!(await this.hasher.verify(input.password, user.passwordHash))) {
      throw new UnauthorizedException('Invalid email or password');
    }
    this.loginThrottle.succeeded(input.email);
    if (!user.isActive) throw new UnauthorizedException('Account is deactivated');
    return this.tokenResponse(user);
  }

  /** Called on every page load of the client: one plain query on the shared pool. */
  async me(userId: string) {
    const { rows } = await this.prisma.pool.query<{
      id: string;
      email: string;
      first_name: string;
      last_name: string;
      created_at: Date;
      is_active: boolean;
      role: 'user' | 'admin';
    }>({
      name: 'auth-me', // prepared once per connection, like the guard's query
      text: 'SELECT id, email, first_name, last_name, created_at, is_active, role::text AS role FROM users WHERE id = $1::uuid',
      values: [userId],
    });
    const u = rows[0];
    if (!u) throw new NotFoundException('User not found');
    return toUserResponse({
      id: u.id,
      email: u.email,
      firstName: u.first_name,
      lastName: u.last_name,
      createdAt: u.created_at,
      isActive: u.is_active,
      role: u.role,
    });
  }

  /** Revokes the presented token; other sessions stay signed in. */
  async logout(user: AuthUser): Promise<void> {
    await this.revoke(user);
  }

  /**
   * A fresh token for a still-valid one; the old one is revoked and the session
   * keeps its original login time, so it cannot be extended forever.
   */
  async refresh(user: AuthUser): Promise<TokenResponse> {
    if (this.tokens.sessionExpired(user.authTime)) {
      throw new UnauthorizedException('Session too old to refresh: log in again');
    }
    const row = await this.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    await this.revoke(user);
    return this.tokenResponse(row, user.authTime);
  }

  async getProfile(userId: string) {
    const profile = await this.prisma.userProfile.upsert({ where: { userId }, create: { userId }, update: {} });
    return toProfileResponse(profile);
  }

  async updateProfile(userId: string, input: ProfileUpdateInput) {
    const changes: Prisma.UserProfileUpdateInput = {};
    if (input.monthly_income != null) changes.monthlyIncome = input.monthly_income;
    if (input.savings_goal != null) changes.savingsGoal = input.savings_goal;
    if (input.risk_tolerance != null) changes.riskTolerance = input.risk_tolerance;
    if (input.financial_goals != null) changes.financialGoals = input.financial_goals;
    const profile = await this.prisma.userProfile.upsert({
      where: { userId },
      create: { ...(changes as Prisma.UserProfileUncheckedCreateInput), userId },
      update: changes,
    });
    if (input.savings_goal != null || input.financial_goals != null) {
      this.events.goalModification(userId, { interaction: 'update', goalAmount: input.savings_goal ?? undefined });
    }
    return { message: 'Profile updated successfully', profile: toProfileResponse(profile) };
  }

  /**
   * Deletes the user and every row of theirs: by cascade (wallet, transactions, …), except
   * behavioural events, which have no foreign key (see PostgresEventSink). Those are deleted
   * after the user row, in the same transaction, so an event batch being written concurrently
   * has either committed (and is deleted here) or finds the user gone.
   */
  async deleteAccount(userId: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.user.delete({ where: { id: userId } }),
      this.prisma.behavioralEvent.deleteMany({ where: { userId } }),
    ]);
  }

  async listUsers(query: { page: number; limit: number; search?: string; isActive?: boolean }) {
    const where: Prisma.UserWhereInput = {
      ...(query.isActive !== undefined ? { isActive: query.isActive } : {}),
      ...(query.search
        ? {
            OR: [
              { email: { contains: query.search, mode: 'insensitive' } },
              { firstName: { contains: query.search, mode: 'insensitive' } },
              { lastName: { contains: query.search, mode: 'insensitive' } },
            ],
          }
        : {}),
    };
    const users = await this.prisma.user.findMany({
      where,
      orderBy: { createdAt: 'desc' },
      skip: (query.page - 1) * query.limit,
      take: query.limit,
    });
    return users.map(toUserResponse);
  }

  async updateUser(id: string, changes: { isActive?: boolean; role?: 'user' | 'admin' }) {
    const user = await this.prisma.user.update({ where: { id }, data: changes }).catch((error: unknown) => {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') {
        throw new NotFoundException('User not found');
      }
      throw error;
    });
    return toUserResponse(user);
  }

  private async revoke(user: AuthUser): Promise<void> {
    await this.prisma.revokedToken.upsert({
      where: { jti: user.tokenId },
      create: { jti: user.tokenId, userId: user.id, expiresAt: user.tokenExpiresAt },
      update: {},
    });
  }

  private tokenResponse(user: Parameters<typeof toUserResponse>[0], authTime?: number): TokenResponse {
    const { token, expiresIn } = this.tokens.issue(user.id, user.role, authTime);
    return { access_token: token, token_type: 'bearer', expires_in: expiresIn, user: toUserResponse(user) };
  }
}
