import { money } from '../common/money';
import type { User, UserProfile } from '../generated/prisma/client';

import type { UserResponse } from './auth.schemas';

export function toUserResponse(
  user: Pick<User, 'id' | 'email' | 'firstName' | 'lastName' | 'createdAt' | 'isActive' | 'role'>,
): UserResponse {
  return {
    id: user.id,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    created_at: user.createdAt.toISOString(),
    is_active: user.isActive,
    role: user.role,
  };
}

export function toProfileResponse(profile: UserProfile) {
  return {
    monthly_income: money(profile.monthlyIncome),
    savings_goal: money(profile.savingsGoal),
    risk_tolerance: profile.riskTolerance,
    financial_goals: Array.isArray(profile.financialGoals) ? (profile.financialGoals as string[]) : [],
    updated_at: profile.updatedAt.toISOString(),
  };
}
