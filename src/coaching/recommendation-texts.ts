import type { ActionId, FinancialSummary } from '../ml/coaching-domain';

const usd = (x: number) => `$${x.toFixed(2)}`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The coaching message for an action, with the user's own numbers (the wording
 * is ours; the numbers follow the reference system: a weekly limit of 70% of
 * income, setting aside 10% of the balance).
 */
/**
 * `monthlySavingsRate` (the 30-day rate of the state) is what praise quotes: a 7-day rate swings
 * wildly in weeks without a (fortnightly or monthly) salary.
 */
export function recommendationText(
  actionId: ActionId,
  s: FinancialSummary,
  segmentName?: string,
  monthlySavingsRate = s.savings_rate,
): string {
  const prefix = segmentName ? `As one of our ${segmentName}, ` : '';
  const lower = (text: string) => (prefix ? text.charAt(0).toLowerCase() + text.slice(1) : text);
  switch (actionId) {
    case 0:
      return `${prefix}${lower(`You're on a steady path: keep doing what you're doing. Your balance is ${usd(s.current_balance)}.`)}`;
    case 1:
      return `⚠️ Spending Alert: ${prefix}${lower(
        `You've spent ${usd(s.weekly_spending)} this week against ${usd(s.weekly_income)} of income. Look over your recent purchases for anything you can pause${
          segmentName ? `, especially the kind of spending typical of ${segmentName.toLowerCase()}` : ''
        }.`,
      )}`;
    case 2:
      return `💡 Budget Suggestion: ${prefix}${lower(
        `With a weekly income of ${usd(s.weekly_income)}, try capping spending at ${usd(s.weekly_income * 0.7)} a week. That would leave ${usd(
          s.weekly_income * 0.3,
        )} a week to save.`,
      )}`;
    case 3:
      return `🎯 Savings Opportunity: ${prefix}${lower(
        `Your balance is ${usd(s.current_balance)}. Moving ${usd(s.current_balance * 0.1)} into savings would build your emergency fund or move a goal forward.`,
      )}`;
    case 4:
      return `🌟 Excellent Work: ${prefix}${lower(
        `You've kept ${pct(Math.max(-1, monthlySavingsRate))} of your income over the last 30 days. Consider putting the surplus to work in savings or investments.`,
      )}`;
  }
}
