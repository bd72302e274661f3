import { round2, round4 } from '../common/rounding';
import type { FinancialSummary } from '../ml/coaching-domain';
import { WINDOW_DAYS } from '../ml/features/extract-features';

/**
 * The 30-day figures a recommendation may quote, shown in its response as `state_summary_30d`.
 * They are the 35-feature state's own numbers (total_spending, total_income, savings_rate), so the
 * text, the response and the model read one window the same way.
 */
export interface MonthlyState {
  window_days: number;
  total_spending: number;
  total_income: number;
  savings_rate: number;
  /** total_income ÷ (30/7): what a week of the window brought in on average. */
  weekly_income_avg: number;
}

export function monthlyState(features: Record<string, number>): MonthlyState {
  const income = features.total_income ?? 0;
  return {
    window_days: WINDOW_DAYS,
    total_spending: round2(features.total_spending ?? 0),
    total_income: round2(income),
    savings_rate: round4(features.savings_rate ?? 0),
    weekly_income_avg: round2(income / (WINDOW_DAYS / 7)),
  };
}

/**
 * Praise ("you've kept …") is given only when the user kept money in both windows the response
 * shows: the 30-day window it quotes and the 7-day state beside it. A praise beside either
 * window's negative savings rate reads as a contradiction, whichever window the reader looks at.
 */
export function praiseAllowed(week: Pick<FinancialSummary, 'savings_rate'>, month: MonthlyState): boolean {
  return month.savings_rate > 0 && week.savings_rate >= 0;
}

/** What the checker reads from one recommendation response (the fields the client is shown). */
export interface AdviceResponse {
  action_type: string;
  recommendation: string;
  state_summary: {
    current_balance: number;
    weekly_spending: number;
    weekly_income: number;
    savings_rate: number;
    daily_spending_avg: number;
    category_spending: Record<string, number>;
  };
  state_summary_30d?: MonthlyState | null;
}

export type ContradictionKind =
  | 'window_not_shown' // the text names a window whose figures the response does not show
  | 'amount_not_in_window' // a money amount matches no figure of the window(s) the text names
  | 'rate_not_in_window' // a percentage differs from the named window's savings rate
  | 'praise_beside_negative_rate'; // praise while a shown savings rate is negative

export interface Contradiction {
  kind: ContradictionKind;
  detail: string;
}

type Window = 'week' | 'month';

const WEEK_WORDS = /\b(this week|last 7 days|past 7 days|7-day|weekly income of)\b/i;
const MONTH_WORDS = /\b(last 30 days|past 30 days|30-day|this month|last month)\b/i;
const PRAISE_WORDS = /(excellent|well done|great job|you've kept|you have kept|keep it up|nice work|🌟)/i;
// Amounts the templates derive from a shown figure: a 70% spending cap, the 30% it leaves, 10% of the balance.
const DERIVED_FACTORS = [1, 0.7, 0.3, 0.1];

/**
 * Contradictions between a recommendation's text and the state shown in the same response: every
 * number the text quotes must be a figure (or a documented share of a figure) of the window the
 * text names — the 7-day `state_summary` when it names none — and praise never sits beside a
 * negative savings rate. Independent of the templates: it reads only the response.
 */
export function findContradictions(r: AdviceResponse): Contradiction[] {
  const text = r.recommendation;
  const out: Contradiction[] = [];
  const named = new Set<Window>();
  if (WEEK_WORDS.test(text)) named.add('week');
  if (MONTH_WORDS.test(text)) named.add('month');
  const month = r.state_summary_30d ?? null;
  if (named.has('month') && !month)
    out.push({ kind: 'window_not_shown', detail: 'names 30 days but the response shows no 30-day figures' });
  const windows: Window[] = named.size > 0 ? [...named] : ['week'];

  const week = r.state_summary;
  const figures: Record<Window, number[]> = {
    week: [week.weekly_spending, week.weekly_income, week.daily_spending_avg, ...Object.values(week.category_spending)],
    month: month ? [month.total_spending, month.total_income, month.weekly_income_avg] : [],
  };
  const rates: Record<Window, number | null> = { week: week.savings_rate, month: month?.savings_rate ?? null };

  const allowedAmounts = [week.current_balance, ...windows.flatMap((w) => figures[w])];
  for (const amount of moneyAmounts(text)) {
    const matches = allowedAmounts.some((f) => DERIVED_FACTORS.some((k) => Math.abs(round2(f * k) - amount) < 0.006));
    if (!matches)
      out.push({
        kind: 'amount_not_in_window',
        detail: `${amount.toFixed(2)} is no figure of the ${windows.join('/')} window shown`,
      });
  }
  for (const pct of percentages(text)) {
    const matches = windows.some((w) => rates[w] !== null && Math.abs(Math.max(-1, rates[w]!) * 100 - pct) < 0.051);
    if (!matches)
      out.push({
        kind: 'rate_not_in_window',
        detail: `${pct}% is not the ${windows.join('/')} savings rate shown`,
      });
  }

  if (r.action_type === 'positive_reinforcement' || PRAISE_WORDS.test(text)) {
    const negative = (['week', 'month'] as Window[]).filter((w) => rates[w] !== null && rates[w]! < 0);
    if (negative.length > 0)
      out.push({
        kind: 'praise_beside_negative_rate',
        detail: `praise beside a negative savings rate (${negative
          .map((w) => `${w === 'week' ? '7' : '30'}-day ${rates[w]}`)
          .join(', ')})`,
      });
  }
  return out;
}

/**
 * Money amounts in a text: the texts write money with exactly two decimals and no currency symbol
 * ("1234.56", "-5.00"; a "$" or thousands commas are read too), percentages with one decimal.
 */
export function moneyAmounts(text: string): number[] {
  return [...text.matchAll(/(?<![\d.])(-?)\$?(-?)(\d[\d,]*\.\d{2})(?![\d%])/g)].map(
    (m) => (m[1] || m[2] ? -1 : 1) * Number(m[3].replace(/,/g, '')),
  );
}

/** Percentages in a text: "12.3%", "-45.0%". */
export function percentages(text: string): number[] {
  return [...text.matchAll(/(-?\d+(?:\.\d+)?)%/g)].map((m) => Number(m[1]));
}
