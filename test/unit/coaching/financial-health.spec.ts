import { monthlyState } from '../../../src/coaching/advice-consistency';
import { financialHealth, insightsFor } from '../../../src/coaching/financial-health';
import { recommendationText } from '../../../src/coaching/recommendation-texts';
import type { FinancialSummary } from '../../../src/ml/coaching-domain';

const base: FinancialSummary = {
  current_balance: 2384.5,
  weekly_spending: 615.5,
  weekly_income: 2000,
  transaction_count: 6,
  savings_rate: 0.69225,
  daily_spending_avg: 87.93,
  category_spending: { groceries: 300, dine_out: 315.5 },
  spending_volatility: 0,
  impulse_buying_score: 0,
  category_diversity: 0,
  financial_stress_indicator: 0,
};

describe('financial health score', () => {
  it('averages the client’s four components', () => {
    const h = financialHealth(base);
    expect(h.components).toEqual({ spending_control: 69, savings: 69, stability: 39, budget_adherence: 31 });
    expect(h.score).toBe(52);
  });

  it('has no NaN when there is no income', () => {
    const h = financialHealth({ ...base, weekly_income: 0, savings_rate: -615.5 });
    expect(Number.isFinite(h.score)).toBe(true);
    expect(h.components.budget_adherence).toBe(0);
  });
});

describe('insights', () => {
  it('flags high daily spending, excellent savings and category concentration', () => {
    const types = insightsFor(base).map((i) => `${i.type}:${i.title}`);
    expect(types).toEqual([
      'spending_velocity:High Daily Spending',
      'savings_rate:Excellent Savings Rate',
      'category_concentration:High Category Spending',
    ]);
    expect(insightsFor({ ...base, savings_rate: 0.05 }).find((i) => i.type === 'savings_rate')?.priority).toBe('high');
  });

  it('write money with two decimals and no currency symbol (imports are GBP, CZK, …)', () => {
    const messages = insightsFor(base).map((i) => i.message);
    expect(messages[0]).toContain(`spending ${base.daily_spending_avg.toFixed(2)} a day`);
    for (const m of messages) expect(m).not.toMatch(/[$£€]/);
  });
});

describe('recommendation texts', () => {
  const month = monthlyState({ total_spending: 2400, total_income: 6000, savings_rate: 0.6 });
  it('carry the user’s numbers from the window they name', () => {
    expect(month.weekly_income_avg).toBe(1400);
    expect(recommendationText(2, base, month)).toContain('1400.00 a week');
    expect(recommendationText(2, base, month)).toContain('980.00');
    expect(recommendationText(3, base, month)).toContain('238.45');
    expect(recommendationText(4, base, month)).toContain('60.0% of your income over the last 30 days (6000.00 in');
    expect(recommendationText(1, base, month, { segmentName: 'Impulse Buyers' })).toMatch(
      /^⚠️ Spending Alert: As one of our Impulse Buyers, you've spent 615\.50 in the last 7 days/,
    );
  });

  it('never praise beside a negative savings rate', () => {
    // A week without salary: the 7-day rate is negative even though the 30 days are positive.
    const text = recommendationText(4, { ...base, savings_rate: -346.76 }, month);
    expect(text).not.toMatch(/excellent|kept/i);
    expect(recommendationText(4, base, { ...month, savings_rate: -0.2 })).not.toMatch(/excellent|kept/i);
  });
});
