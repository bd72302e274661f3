import {
  findContradictions,
  moneyAmounts,
  monthlyState,
  praiseAllowed,
  type AdviceResponse,
} from '../../../src/coaching/advice-consistency';
import { recommendationText } from '../../../src/coaching/recommendation-texts';
import { ACTIONS, type ActionId, type FinancialSummary } from '../../../src/ml/coaching-domain';

// A week without the (monthly) salary: the 7-day rate is deeply negative, the 30-day one positive.
const week: FinancialSummary = {
  current_balance: 2384.5,
  weekly_spending: 346.76,
  weekly_income: 0,
  transaction_count: 9,
  savings_rate: -346.76,
  daily_spending_avg: 49.54,
  category_spending: { groceries: 146.76, dine_out: 200 },
  spending_volatility: 0,
  impulse_buying_score: 0,
  category_diversity: 0,
  financial_stress_indicator: 0,
};
const month = monthlyState({ total_spending: 1380, total_income: 2000, savings_rate: 0.31 });
const shown = (s: FinancialSummary) => ({
  current_balance: s.current_balance,
  weekly_spending: s.weekly_spending,
  weekly_income: s.weekly_income,
  savings_rate: s.savings_rate,
  daily_spending_avg: s.daily_spending_avg,
  category_spending: s.category_spending,
});

describe('findContradictions', () => {
  it('flags the old praise: a 30-day rate quoted beside a negative 7-day state that shows no 30 days', () => {
    // What /coaching/recommendation answered before: the text named 30 days, the response showed 7.
    const old: AdviceResponse = {
      action_type: 'positive_reinforcement',
      recommendation:
        "🌟 Excellent Work: You've kept 31.0% of your income over the last 30 days. Consider putting the surplus to work in savings or investments.",
      state_summary: shown(week),
    };
    const kinds = findContradictions(old).map((c) => c.kind);
    expect(kinds).toContain('window_not_shown');
    expect(kinds).toContain('rate_not_in_window');
    expect(kinds).toContain('praise_beside_negative_rate');
  });

  it('flags praise beside a negative rate even when the quoted numbers match their window', () => {
    const praise: AdviceResponse = {
      action_type: 'positive_reinforcement',
      recommendation: "🌟 Excellent Work: You've kept 31.0% of your income over the last 30 days.",
      state_summary: shown(week),
      state_summary_30d: month,
    };
    expect(findContradictions(praise)).toEqual([
      { kind: 'praise_beside_negative_rate', detail: 'praise beside a negative savings rate (7-day -346.76)' },
    ]);
  });

  it('flags a weekly amount that is not the one shown (the old savings-inclusive spending)', () => {
    const alert: AdviceResponse = {
      action_type: 'spending_alert',
      recommendation: "⚠️ Spending Alert: You've spent 846.76 this week against 0.00 of income.",
      state_summary: shown(week),
    };
    expect(findContradictions(alert).map((c) => c.kind)).toEqual(['amount_not_in_window']);
  });

  it('accepts a text whose numbers are the shown figures of the window it names', () => {
    const ok: AdviceResponse = {
      action_type: 'spending_alert',
      recommendation: "⚠️ Spending Alert: You've spent 346.76 in the last 7 days against 0.00 of income.",
      state_summary: shown(week),
    };
    expect(findContradictions(ok)).toEqual([]);
  });
});

describe('moneyAmounts', () => {
  it('reads two-decimal amounts with or without a symbol, not percentages or day counts', () => {
    expect(
      moneyAmounts('spent 1234.56 in the last 7 days; balance -5.00, $1,200.00 and $-3.10; kept 12.5% (30 days)'),
    ).toEqual([1234.56, -5, 1200, -3.1]);
  });
});

describe('recommendation texts', () => {
  const allActions = ACTIONS.map((a) => a.id as ActionId);
  const states: Array<[string, FinancialSummary, ReturnType<typeof monthlyState>]> = [
    ['salary-less week', week, month],
    ['payday week', { ...week, weekly_income: 2000, savings_rate: 0.8266, daily_spending_avg: 49.54 }, month],
    ['no income at all', week, monthlyState({ total_spending: 1380, total_income: 0, savings_rate: -5 })],
    ['overdrawn', { ...week, current_balance: -120.4 }, month],
  ];

  it.each(states)('quote only the figures of the window they name (%s), for every action and segment', (_, s, m) => {
    for (const actionId of allActions) {
      if (actionId === 4 && !praiseAllowed(s, m)) continue; // never served: the decision excludes it
      for (const segment of [undefined, 'Impulse Buyers']) {
        const response: AdviceResponse = {
          action_type: ACTIONS[actionId].type,
          recommendation: recommendationText(actionId, s, m, { segmentName: segment }),
          state_summary: shown(s),
          state_summary_30d: m,
        };
        expect([response.recommendation, findContradictions(response)]).toEqual([response.recommendation, []]);
        // Imported accounts are GBP, CZK, …: the texts claim no currency.
        expect(response.recommendation).not.toMatch(/[$£€]|USD|GBP|CZK/);
      }
    }
  });

  it('allow praise only when both shown savings rates are non-negative and the 30-day one positive', () => {
    expect(praiseAllowed(week, month)).toBe(false);
    expect(praiseAllowed({ savings_rate: 0 }, month)).toBe(true);
    expect(praiseAllowed({ savings_rate: 0.5 }, { ...month, savings_rate: 0 })).toBe(false);
  });
});
