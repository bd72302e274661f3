import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

import type { Role } from '../common/auth-user';
import { containsPattern, firstRow, inTransaction, rows } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';

/**
 * Every query of the auth domain (users, profiles, revoked tokens), on the shared pg pool with
 * plain parameterised SQL; the per-request ones are named statements, parsed and planned once
 * per connection (docs/architecture.md, data access).
 */

export interface UserRow {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  createdAt: Date;
  isActive: boolean;
  role: Role;
  /** Tokens carrying another version are refused (raised by log-out-everywhere and password changes). */
  tokenVersion: number;
}

export interface SessionRow extends UserRow {
  /** Whether this token (jti) was revoked by logout or refresh. */
  revoked: boolean;
  /** The version of the user's money data (users.data_version, raised by triggers). */
  dataVersion: string;
}

export interface ProfileRow {
  monthlyIncome: string;
  savingsGoal: string;
  riskTolerance: string;
  financialGoals: unknown;
  trainingConsent: boolean;
  updatedAt: Date;
}

export interface ProfileChanges {
  monthlyIncome?: number;
  savingsGoal?: number;
  riskTolerance?: string;
  financialGoals?: string[];
  trainingConsent?: boolean;
}

const USER_COLUMNS = `id, email, first_name AS "firstName", last_name AS "lastName", created_at AS "createdAt",
  is_active AS "isActive", role, token_version AS "tokenVersion"`;
const PROFILE_COLUMNS = `monthly_income AS "monthlyIncome", savings_goal AS "savingsGoal", risk_tolerance AS "riskTolerance",
  financial_goals AS "financialGoals", training_consent AS "trainingConsent", updated_at AS "updatedAt"`;

@Injectable()
export class UsersRepository {
  constructor(private readonly database: PrismaService) {}

  transaction<T>(work: (tx: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.database.pool, work);
  }

  /**
   * The auth check of every request: the user (still there, active?), whether this token was revoked,
   * and the version of the user's money data, which coaching reuses answers by.
   */
  session(userId: string, tokenId: string): Promise<SessionRow | undefined> {
    return firstRow<SessionRow>(this.database.pool, {
      name: 'auth-session',
      text: `SELECT ${USER_COLUMNS}, EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = $2::uuid) AS revoked,
                    data_version::text AS "dataVersion"
             FROM users WHERE id = $1::uuid`,
      values: [userId, tokenId],
    });
  }

  /** A new user and their (default) profile; throws SQLSTATE 23505 for a taken e-mail. */
  async insertUser(
    tx: PoolClient,
    user: { email: string; passwordHash: string; firstName: string; lastName: string; dateOfBirth: string | null },
  ): Promise<UserRow> {
    const row = await firstRow<UserRow>(tx, {
      text: `INSERT INTO users (id, email, password_hash, first_name, last_name, date_of_birth, created_at, updated_at)
             VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::date, now(), now())
             RETURNING ${USER_COLUMNS}`,
      values: [user.email, user.passwordHash, user.firstName, user.lastName, user.dateOfBirth],
    });
    await tx.query({
      text: `INSERT INTO user_profiles (id, user_id, created_at, updated_at) VALUES (gen_random_uuid(), $1::uuid, now(), now())`,
      values: [row!.id],
    });
    return row!;
  }

  findByEmail(email: string): Promise<(UserRow & { passwordHash: string }) | undefined> {
    return firstRow(this.database.pool, {
      text: `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE email = $1`,
      values: [email],
    });
  }

  findById(id: string): Promise<UserRow | undefined> {
    return firstRow<UserRow>(this.database.pool, {
      text: `SELECT ${USER_COLUMNS} FROM users WHERE id = $1::uuid`,
      values: [id],
    });
  }

  findProfile(userId: string): Promise<ProfileRow | undefined> {
    return firstRow<ProfileRow>(this.database.pool, {
      name: 'auth-profile',
      text: `SELECT ${PROFILE_COLUMNS} FROM user_profiles WHERE user_id = $1::uuid`,
      values: [userId],
    });
  }

  /** Changes only the fields given; creates the profile (defaults + changes) if it is missing. */
  async upsertProfile(userId: string, changes: ProfileChanges): Promise<ProfileRow> {
    const row = await firstRow<ProfileRow>(this.database.pool, {
      text: `INSERT INTO user_profiles AS p (id, user_id, monthly_income, savings_goal, risk_tolerance, financial_goals, training_consent, created_at, updated_at)
             VALUES (gen_random_uuid(), $1::uuid, COALESCE($2::numeric, 0), COALESCE($3::numeric, 0),
                     COALESCE($4, 'medium'), COALESCE($5::jsonb, '[]'), COALESCE($6::boolean, false), now(), now())
             ON CONFLICT (user_id) DO UPDATE SET
               monthly_income = COALESCE($2::numeric, p.monthly_income),
               savings_goal = COALESCE($3::numeric, p.savings_goal),
               risk_tolerance = COALESCE($4, p.risk_tolerance),
               financial_goals = COALESCE($5::jsonb, p.financial_goals),
               training_consent = COALESCE($6::boolean, p.training_consent),
               updated_at = now()
             RETURNING ${PROFILE_COLUMNS}`,
      values: [
        userId,
        changes.monthlyIncome ?? null,
        changes.savingsGoal ?? null,
        changes.riskTolerance ?? null,
        changes.financialGoals ? JSON.stringify(changes.financialGoals) : null,
        changes.trainingConsent ?? null,
      ],
    });
    return row!;
  }

  /**
   * Deletes the user and every row of theirs: by cascade (wallet, transactions, …), except
   * behavioural events, which have no foreign key (see PostgresEventSink). Those are deleted
   * after the user row, in the same transaction, so an event batch being written concurrently
   * has either committed (and is deleted here) or finds the user gone.
   */
  async deleteUserAndEvents(userId: string): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.query({ text: 'DELETE FROM users WHERE id = $1::uuid', values: [userId] });
      await tx.query({ text: 'DELETE FROM behavioral_events WHERE user_id = $1::uuid', values: [userId] });
    });
  }

  /** Newest first; `search` matches e-mail or names, case-insensitively. */
  listUsers(query: { offset: number; limit: number; search?: string; isActive?: boolean }): Promise<UserRow[]> {
    const values: unknown[] = [query.limit, query.offset];
    const where: string[] = [];
    if (query.isActive !== undefined) {
      values.push(query.isActive);
      where.push(`is_active = $${values.length}`);
    }
    if (query.search) {
      values.push(containsPattern(query.search));
      const p = `$${values.length}`;
      where.push(`(email ILIKE ${p} OR first_name ILIKE ${p} OR last_name ILIKE ${p})`);
    }
    return rows<UserRow>(this.database.pool, {
      text: `SELECT ${USER_COLUMNS} FROM users ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
             ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`,
      values,
    });
  }

  /**
   * Undefined when there is no such user; 'last_admin' when the change would leave no active admin.
   * The active admins' rows are locked first, so two admins demoting each other cannot both succeed.
   */
  updateUser(id: string, changes: { isActive?: boolean; role?: Role }): Promise<UserRow | 'last_admin' | undefined> {
    return this.transaction(async (tx) => {
      const { rows: admins } = await tx.query<{ id: string }>(
        `SELECT id FROM users WHERE role = 'admin' AND is_active ORDER BY id FOR UPDATE`,
      );
      const removesAdmin = changes.role === 'user' || changes.isActive === false;
      if (removesAdmin && admins.length === 1 && admins[0].id === id) return 'last_admin';
      return firstRow<UserRow>(tx, {
        text: `UPDATE users SET is_active = COALESCE($2, is_active), role = COALESCE($3::user_role, role), updated_at = now()
               WHERE id = $1::uuid RETURNING ${USER_COLUMNS}`,
        values: [id, changes.isActive ?? null, changes.role ?? null],
      });
    });
  }

  /** The stored password hash, for re-authentication of a signed-in user. */
  async passwordHash(userId: string): Promise<string | undefined> {
    const row = await firstRow<{ hash: string }>(this.database.pool, {
      text: 'SELECT password_hash AS hash FROM users WHERE id = $1::uuid',
      values: [userId],
    });
    return row?.hash;
  }

  /**
   * Invalidates every token of the user at once: raises the version the auth check compares with.
   * A new password hash may be set in the same statement. Returns the new version.
   */
  async raiseTokenVersion(userId: string, newPasswordHash?: string): Promise<number | undefined> {
    const row = await firstRow<{ version: number }>(this.database.pool, {
      text: `UPDATE users SET token_version = token_version + 1, password_hash = COALESCE($2, password_hash), updated_at = now()
             WHERE id = $1::uuid RETURNING token_version AS version`,
      values: [userId, newPasswordHash ?? null],
    });
    return row?.version;
  }

  /** False when the token was revoked already (a concurrent logout or refresh got there first). */
  async revokeToken(token: { jti: string; userId: string; expiresAt: Date }): Promise<boolean> {
    const result = await this.database.pool.query({
      text: `INSERT INTO revoked_tokens (jti, user_id, expires_at, created_at) VALUES ($1::uuid, $2::uuid, $3, now())
             ON CONFLICT (jti) DO NOTHING`,
      values: [token.jti, token.userId, token.expiresAt],
    });
    return result.rowCount === 1;
  }

  /** Deletes revocations whose tokens have expired anyway (they no longer validate); returns how many. */
  async purgeExpiredRevocations(): Promise<number> {
    const { rowCount } = await this.database.pool.query('DELETE FROM revoked_tokens WHERE expires_at < now()');
    return rowCount ?? 0;
  }
}
