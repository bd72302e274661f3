import {
  ConflictException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';

import { EventCaptureService } from '../behavioral/event-capture.service';
import type { AuthUser } from '../common/auth-user';
import { LedgerService } from '../financial/ledger.service';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { isUniqueViolation } from '../infra/database/sql';

import type {
  ChangePasswordInput,
  LoginInput,
  ProfileUpdateInput,
  RegisterInput,
  TokenResponse,
  UserResponse,
} from './auth.schemas';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';
import { toProfileResponse, toUserResponse } from './users.mapper';
import { UsersRepository } from './users.repository';

@Injectable()
export class AuthService {
  private readonly hasher: PasswordHasher;

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly events: EventCaptureService,
    private readonly ledger: LedgerService,
    private readonly loginThrottle: LoginThrottle,
  ) {
    this.hasher = new PasswordHasher(config.auth.passwordHashCost);
  }

  /** The user, their profile and their wallet (starting balance) in one database transaction. */
  async register(input: RegisterInput): Promise<TokenResponse> {
    const passwordHash = await this.hasher.hash(input.password);
    try {
      const user = await this.users.transaction(async (tx) => {
        const created = await this.users.insertUser(tx, {
          email: input.email,
          passwordHash,
          firstName: input.first_name,
          lastName: input.last_name,
          dateOfBirth: input.date_of_birth ?? null,
        });
        await this.ledger.openWallet(tx, created.id);
        return created;
      });
      return this.tokenResponse(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException('User with this email already exists');
      throw error;
    }
  }

  async login(input: LoginInput): Promise<TokenResponse> {
    await this.throttle(input.email);
    const user = await this.users.findByEmail(input.email);
    if (!user) {
      await this.hasher.burn(input.password);
      throw new UnauthorizedException('Invalid email or password');
    }
    if (!(await this.hasher.verify(input.password, user.passwordHash))) {
      throw new UnauthorizedException('Invalid email or password');
    }
    await this.loginThrottle.succeeded(input.email);
    if (!user.isActive) throw new UnauthorizedException('Account is deactivated');
    return this.tokenResponse(user);
  }

  /** Called on every page load of the client: the auth check already read the user, so no query of its own. */
  me(user: AuthUser): UserResponse {
    return toUserResponse({ ...user, isActive: true });
  }

  /** Revokes the presented token; other sessions stay signed in. */
  /** Retention: revocations of tokens that have expired anyway. */
  purgeExpiredRevocations(): Promise<number> {
    return this.users.purgeExpiredRevocations();
  }

  /** Login-throttle records idle long enough to start over. */
  purgeIdleLoginThrottles(): Promise<number> {
    return this.loginThrottle.purgeIdle();
  }

  async logout(user: AuthUser): Promise<void> {
    await this.revoke(user);
  }

  /**
   * Signs the user out on every device: every token issued so far (this one included) is refused
   * from now on, by raising the token version the auth check compares with.
   */
  async logoutEverywhere(user: AuthUser): Promise<void> {
    await this.users.raiseTokenVersion(user.id);
  }

  /**
   * Needs the current password. Every other session is signed out (the token version rises);
   * the caller gets a fresh token of the new version, so this session continues.
   */
  async changePassword(user: AuthUser, input: ChangePasswordInput): Promise<TokenResponse> {
    await this.reauthenticate(user, input.current_password, 'current_password');
    const tokenVersion = await this.users.raiseTokenVersion(user.id, await this.hasher.hash(input.new_password));
    if (tokenVersion === undefined) throw new NotFoundException('User not found');
    return this.tokenResponse({ ...user, isActive: true, tokenVersion });
  }

  /**
   * A fresh token for a still-valid one; the old one is revoked and the session
   * keeps its original login time, so it cannot be extended forever.
   */
  async refresh(user: AuthUser): Promise<TokenResponse> {
    if (this.tokens.sessionExpired(user.authTime)) {
      throw new UnauthorizedException('Session too old to refresh: log in again');
    }
    // Exactly one of two concurrent refreshes of one token revokes it and gets the new token.
    if (!(await this.revoke(user))) throw new UnauthorizedException('Could not validate credentials');
    return this.tokenResponse({ ...user, isActive: true }, user.authTime);
  }

  /** A read: the profile is created with the user (and by a migration for earlier users). */
  async getProfile(userId: string) {
    const profile = await this.users.findProfile(userId);
    if (!profile) throw new NotFoundException('Profile not found');
    return toProfileResponse(profile);
  }

  async updateProfile(userId: string, input: ProfileUpdateInput) {
    const profile = await this.users.upsertProfile(userId, {
      monthlyIncome: input.monthly_income ?? undefined,
      savingsGoal: input.savings_goal ?? undefined,
      riskTolerance: input.risk_tolerance ?? undefined,
      financialGoals: input.financial_goals ?? undefined,
      trainingConsent: input.training_consent ?? undefined,
    });
    if (input.savings_goal != null || input.financial_goals != null) {
      this.events.goalModification(userId, { interaction: 'update', goalAmount: input.savings_goal ?? undefined });
    }
    return { message: 'Profile updated successfully', profile: toProfileResponse(profile) };
  }

  /**
   * Deletes the user and every row of theirs, behavioural events included (see UsersRepository);
   * a stolen token alone is not enough: the password must be given again.
   */
  async deleteAccountReauthenticated(user: AuthUser, password: string): Promise<void> {
    await this.reauthenticate(user, password, 'password');
    await this.deleteAccount(user.id);
  }

  async deleteAccount(userId: string): Promise<void> {
    await this.users.deleteUserAndEvents(userId);
  }

  async listUsers(query: { page: number; limit: number; search?: string; isActive?: boolean }) {
    const users = await this.users.listUsers({
      offset: (query.page - 1) * query.limit,
      limit: query.limit,
      search: query.search,
      isActive: query.isActive,
    });
    return users.map(toUserResponse);
  }

  async updateUser(id: string, changes: { isActive?: boolean; role?: 'user' | 'admin' }) {
    const user = await this.users.updateUser(id, changes);
    if (!user) throw new NotFoundException('User not found');
    if (user === 'last_admin') throw new ConflictException('The last active admin cannot be demoted or deactivated');
    return toUserResponse(user);
  }

  /** Per-account backoff shared by login and re-authentication, so neither is a way to guess passwords faster. */
  private async throttle(email: string): Promise<void> {
    const retryAfterSeconds = await this.loginThrottle.attempt(email);
    if (retryAfterSeconds > 0) {
      throw new HttpException(
        {
          message: `Too many failed logins for this account: try again in ${retryAfterSeconds} s`,
          retryAfterSeconds,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  /** Checks a signed-in user's password again (403 naming the field when wrong). */
  private async reauthenticate(user: AuthUser, password: string, field: string): Promise<void> {
    await this.throttle(user.email);
    const hash = await this.users.passwordHash(user.id);
    if (hash === undefined || !(await this.hasher.verify(password, hash))) {
      throw new ForbiddenException(`${field}: the password is not correct`);
    }
    await this.loginThrottle.succeeded(user.email);
  }

  private revoke(user: AuthUser): Promise<boolean> {
    return this.users.revokeToken({ jti: user.tokenId, userId: user.id, expiresAt: user.tokenExpiresAt });
  }

  private tokenResponse(user: Parameters<typeof toUserResponse>[0], authTime?: number): TokenResponse {
    const { token, expiresIn } = this.tokens.issue(user.id, user.role, user.tokenVersion, authTime);
    return { access_token: token, token_type: 'bearer', expires_in: expiresIn, user: toUserResponse(user) };
  }
}
