// Money in texts without a currency symbol (docs/ml/advice.md, "Money in the texts").
import { money } from '../common/money';
import type { FinancialSummary } from '../ml/coaching-domain';

const clamp = (x: number) => Math.min(100, Math.max(0, x));

/**
 * The financial health score the React client computes from /coaching/financial-state,
 * offered by the server so every client agrees: the mean of four 0–100 components.
 * Where the client divides by zero (no income), budget adherence is 50 with no
 * spending and 0 with spending.
 */
export function financialHealth(s: FinancialSummary): { score: number; components: Record<string, number> } {
  const income = s.weekly_income;
  const spendingControl = clamp(100 - (s.weekly_spending / Math.max(income, 1)) * 100);
  const savings = clamp(s.savings_rate * 100);
  const stability = clamp((s.current_balance / Math.max(s.weekly_spending, 1)) * 10);
  const dailyIncome = income / 7;
  const budget =
    income > 0
      ? clamp(100 - (Math.abs(s.daily_spending_avg - dailyIncome) / dailyIncome) * 100)
      : s.weekly_spending > 0
        ? 0
        : 50;
  const components = {
    spending_control: Math.round(spendingControl),
    savings: Math.round(savings),
    stability: Math.round(stability),
    budget_adherence: Math.round(budget),
  };
  return { score: Math.round((spendingControl + savings + stability + budget) / 4), components };
}

export interface Insight {
  type: string;
  title: string;
  message: string;
  priority: 'low' | 'medium' | 'high';
}

/** Rule-based insights over the 7-day state (reference §1.6 C8), with the user's numbers. */
export function insightsFor(s: FinancialSummary): Insight[] {
  const insights: Insight[] = [];
  if (s.daily_spending_avg > 50) {
    insights.push({
      type: 'spending_velocity',
      title: 'High Daily Spending',
      message: `You're spending ${money(s.daily_spending_avg)} a day on average this week. Tracking each day's expenses helps spot what to cut.`,
      priority: 'medium',
    });
  }
  if (s.savings_rate < 0.1) {
    insights.push({
      type: 'savings_rate',
      title: 'Low Savings Rate',
      message: `You're saving ${(s.savings_rate * 100).toFixed(1)}% of your income this week; aim for at least 20%.`,
      priority: 'high',
    });
  } else if (s.savings_rate > 0.3) {
    insights.push({
      type: 'savings_rate',
      title: 'Excellent Savings Rate',
      message: `You're saving ${(s.savings_rate * 100).toFixed(1)}% of your income this week. Consider investing the surplus.`,
      priority: 'low',
    });
  }
  const top = Object.entries(s.category_spending).sort((a, b) => b[1] - a[1])[0];
  if (top && s.weekly_spending > 0 && top[1] > 0.4 * s.weekly_spending) {
    const share = (top[1] / s.weekly_spending) * 100;
    insights.push({
      type: 'category_concentration',
      title: 'High Category Spending',
      message: `${money(top[1])} of this week's spending (${share.toFixed(1)}%) went to ${top[0].replace('_', ' ')}.`,
      priority: 'medium',
    });
  }
  return insights;
}
