import { z } from 'zod';

import { pageQuery } from '../common/paging';

const email = z
  .email('Enter a valid e-mail address')
  .max(255)
  .transform((v) => v.trim().toLowerCase());

/** The reference system's policy: ≥ 8 characters, a digit and an uppercase letter (first failure reported). */
export const passwordPolicy = z
  .string()
  .max(128, 'Password must be at most 128 characters')
  .superRefine((value, ctx) => {
    const message =
      value.length < 8
        ? 'Password must be at least 8 characters'
        : !/\d/.test(value)
          ? 'Password must contain at least one digit'
          : !/[A-Z]/.test(value)
            ? 'Password must contain at least one uppercase letter'
            : undefined;
    if (message) ctx.addIssue({ code: 'custom', message });
  });

const name = z.string().trim().min(1, 'must not be empty').max(100);

export const registerSchema = z.object({
  email,
  password: passwordPolicy,
  first_name: name,
  last_name: name,
  date_of_birth: z.iso
    .date('Use the YYYY-MM-DD format')
    .or(z.iso.datetime({ offset: true }).transform((v) => v.slice(0, 10)))
    .nullish(),
});
export type RegisterInput = z.output<typeof registerSchema>;

export const loginSchema = z.object({
  email,
  password: z.string().min(1, 'Password is required').max(128),
});
export type LoginInput = z.output<typeof loginSchema>;

/** Re-authentication of a signed-in user: their current password. */
const currentPassword = z.string().min(1, 'Password is required').max(128);

export const changePasswordSchema = z.object({
  current_password: currentPassword,
  new_password: passwordPolicy,
});
export type ChangePasswordInput = z.output<typeof changePasswordSchema>;

export const deleteAccountSchema = z.object({ password: currentPassword });
export type DeleteAccountInput = z.output<typeof deleteAccountSchema>;

const amount = z.number().min(0).max(9_999_999_999.99);

/** Only the fields sent are changed; null means "leave as is", as in the reference system. */
export const profileUpdateSchema = z.object({
  monthly_income: amount.nullish(),
  savings_goal: amount.nullish(),
  risk_tolerance: z.enum(['low', 'medium', 'high'], 'Risk tolerance must be low, medium, or high').nullish(),
  financial_goals: z.array(z.string().trim().min(1).max(200)).max(50).nullish(),
  training_consent: z
    .boolean()
    .nullish()
    .describe('allow the retraining job to learn from your transactions and recommendation outcomes (default false)'),
});
export type ProfileUpdateInput = z.output<typeof profileUpdateSchema>;

export const userResponseSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  created_at: z.string().describe('ISO-8601 UTC'),
  is_active: z.boolean(),
  role: z.enum(['user', 'admin']),
});
export type UserResponse = z.output<typeof userResponseSchema>;

export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int().describe('seconds'),
  user: userResponseSchema,
});
export type TokenResponse = z.output<typeof tokenResponseSchema>;

export const profileResponseSchema = z.object({
  monthly_income: z.string(),
  savings_goal: z.string(),
  risk_tolerance: z.string(),
  financial_goals: z.array(z.string()),
  training_consent: z.boolean(),
  updated_at: z.string(),
});

export const messageSchema = z.object({ message: z.string() });

export const listUsersQuerySchema = z.object({
  page: pageQuery.default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  search: z.string().trim().max(100).optional(),
  isActive: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

/** The admin UI sends `is_active` or `isActive`. */
export const updateUserSchema = z
  .object({
    is_active: z.boolean().optional(),
    isActive: z.boolean().optional(),
    role: z.enum(['user', 'admin']).optional(),
  })
  .transform((v) => ({ isActive: v.is_active ?? v.isActive, role: v.role }))
  .refine((v) => v.isActive !== undefined || v.role !== undefined, { message: 'Send is_active and/or role' });
