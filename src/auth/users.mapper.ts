import { money } from '../common/money';

import type { UserResponse } from './auth.schemas';
import type { ProfileRow, UserRow } from './users.repository';

export function toUserResponse(user: UserRow): UserResponse {
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

export function toProfileResponse(profile: ProfileRow) {
  return {
    monthly_income: money(profile.monthlyIncome),
    savings_goal: money(profile.savingsGoal),
    risk_tolerance: profile.riskTolerance,
    financial_goals: Array.isArray(profile.financialGoals) ? (profile.financialGoals as string[]) : [],
    training_consent: profile.trainingConsent,
    updated_at: profile.updatedAt.toISOString(),
  };
}
