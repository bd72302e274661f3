// Money in texts as on the wire, with no currency symbol: an imported statement does not say its
// currency (MoneyVis is GBP, berka CZK) and the wallet's default is not the account's.
import { money } from '../common/money';
import type { ActionId, FinancialSummary } from '../ml/coaching-domain';

import { praiseAllowed, type MonthlyState } from './advice-consistency';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The coaching message for an action, with the user's own numbers. Every text names the window
 * its numbers come from and quotes only figures the response shows: "the last 7 days" =
 * `state_summary` (`week`), "the last 30 days" = `state_summary_30d` (`month`); the balance has
 * no window. Derived amounts follow the reference system (a spending cap of 70% of income, 10%
 * of the balance set aside). Praise is written only where praiseAllowed(); the decision never
 * serves positive_reinforcement elsewhere, and this text stays neutral if it were asked to.
 * A stale history (UserState.historyStale: its windows are its last days) gets a note saying so.
 */
export function recommendationText(
  actionId: ActionId,
  week: FinancialSummary,
  month: MonthlyState,
  { segmentName, historyStale = false }: { segmentName?: string; historyStale?: boolean } = {},
): string {
  const text = actionText(actionId, week, month, segmentName);
  return historyStale ? `${text} ${STALE_HISTORY_NOTE}` : text;
}

// Without a figure or a date, so the note can neither contradict the windows shown nor be read as an amount.
const STALE_HISTORY_NOTE =
  'These figures are from the last days of your history, as no transaction has come in for weeks: import a recent statement to bring your coaching up to date.';

function actionText(actionId: ActionId, week: FinancialSummary, month: MonthlyState, segmentName?: string): string {
  const prefix = segmentName ? `As one of our ${segmentName}, ` : '';
  const lower = (text: string) => (prefix ? text.charAt(0).toLowerCase() + text.slice(1) : text);
  const balance = `Your balance is ${money(week.current_balance)}.`;
  switch (actionId) {
    case 0:
      return `${prefix}${lower(`You're on a steady path: keep doing what you're doing. ${balance}`)}`;
    case 1:
      return `⚠️ Spending Alert: ${prefix}${lower(
        `You've spent ${money(week.weekly_spending)} in the last 7 days against ${money(week.weekly_income)} of income. Look over your recent purchases for anything you can pause${
          segmentName ? `, especially the kind of spending typical of ${segmentName.toLowerCase()}` : ''
        }.`,
      )}`;
    case 2: {
      const perWeek = month.weekly_income_avg;
      return `💡 Budget Suggestion: ${prefix}${lower(
        perWeek > 0
          ? `Over the last 30 days your income averaged ${money(perWeek)} a week. Try capping spending at ${money(round2(perWeek * 0.7))} a week; that would leave ${money(round2(perWeek * 0.3))} a week to save.`
          : `No income came in over the last 30 days, and you spent ${money(month.total_spending)}. Set yourself a weekly spending cap and check it each week.`,
      )}`;
    }
    case 3:
      return `🎯 Savings Opportunity: ${prefix}${lower(
        week.current_balance > 0
          ? `${balance} Moving ${money(round2(week.current_balance * 0.1))} into savings would build your emergency fund or move a goal forward.`
          : `${balance} Once it is back above zero, setting a tenth of it aside builds your emergency fund.`,
      )}`;
    case 4:
      return praiseAllowed(week, month)
        ? `🌟 Excellent Work: ${prefix}${lower(
            `You've kept ${pct(month.savings_rate)} of your income over the last 30 days (${money(month.total_income)} in, ${money(month.total_spending)} spent). Consider putting the surplus to work in savings or investments.`,
          )}`
        : `${prefix}${lower(`Keep an eye on your spending and income. ${balance}`)}`;
  }
}
