import { CATEGORIES, type Category } from '../../common/categories';
import type { FeatureTransaction } from '../features/extract-features';
import { normal, poisson, seededRandom, type Random } from '../random';

import type { Calibration } from './calibration';

export const PERSONAS = ['saver', 'impulse', 'goal', 'budget', 'high_spender'] as const;
export type Persona = (typeof PERSONAS)[number];

/** How a persona differs from the calibrated account (multipliers; documented in docs/ml/simulator.md). */
interface PersonaProfile {
  income: number; // × calibrated consumption spending
  discretionary: number; // × purchase rate of dine_out, entertainment, shopping
  essential: number; // × purchase rate of groceries, transport, health, fitness, other
  amountSpread: number; // × log-amount standard deviation
  impulseClustering: number; // chance a discretionary purchase triggers another within hours
  savingsShare: number; // weekly transfer to savings, share of weekly income
  openingMonths: number; // opening balance in months of income
  eveningBias: number; // share of purchases in the evening
  /** How strongly each coaching action moves this persona (0 = not at all). */
  response: { alert: number; budget: number; nudge: number; reinforce: number };
}

const PROFILES: Record<Persona, PersonaProfile> = {
  saver: {
    income: 1.5,
    discretionary: 0.5,
    essential: 0.9,
    amountSpread: 0.8,
    impulseClustering: 0.05,
    savingsShare: 0.3,
    openingMonths: 4,
    eveningBias: 0.2,
    response: { alert: 0.02, budget: 0.05, nudge: 0.5, reinforce: 0.8 },
  },
  impulse: {
    income: 1.05,
    discretionary: 2.2,
    essential: 1.0,
    amountSpread: 1.2,
    impulseClustering: 0.55,
    savingsShare: 0.02,
    openingMonths: 0.5,
    eveningBias: 0.6,
    response: { alert: 0.8, budget: 0.3, nudge: 0.1, reinforce: 0.2 },
  },
  goal: {
    income: 1.3,
    discretionary: 0.8,
    essential: 1.0,
    amountSpread: 0.9,
    impulseClustering: 0.1,
    savingsShare: 0.15,
    openingMonths: 1.5,
    eveningBias: 0.3,
    response: { alert: 0.1, budget: 0.4, nudge: 1.0, reinforce: 0.5 },
  },
  budget: {
    income: 1.0,
    discretionary: 0.6,
    essential: 0.85,
    amountSpread: 0.6,
    impulseClustering: 0.05,
    savingsShare: 0.08,
    openingMonths: 1,
    eveningBias: 0.25,
    response: { alert: 0.2, budget: 0.9, nudge: 0.4, reinforce: 0.4 },
  },
  high_spender: {
    income: 1.9,
    discretionary: 2.6,
    essential: 1.4,
    amountSpread: 1.1,
    impulseClustering: 0.25,
    savingsShare: 0.03,
    openingMonths: 0.8,
    eveningBias: 0.45,
    response: { alert: 0.5, budget: 0.6, nudge: 0.2, reinforce: 0.1 },
  },
};

const DISCRETIONARY: Category[] = ['dine_out', 'entertainment', 'shopping'];
const ESSENTIAL: Category[] = ['groceries', 'transport', 'health', 'fitness', 'other'];
const DAY_MS = 86_400_000;

/**
 * One synthetic user, simulated week by week. Purchase rates, amounts, merchants,
 * cities and the calendar-month pattern come from the calibrated MoneyVis account;
 * the persona scales them. Coaching actions move two habits — the discretionary
 * purchase rate and the weekly savings transfer — by persona-specific amounts, and
 * habits drift back toward the persona's baseline (slower after reinforcement).
 */
export class SyntheticUser {
  readonly profile: PersonaProfile;
  readonly random: Random;
  balance: number;
  readonly weeklyIncome: number;
  readonly monthlyRent: number;
  private discretionaryRate: number;
  private savingsShare: number;
  private decay = 0.15;
  private readonly rentDay: number;
  private readonly homeCity: string;
  private readonly merchantPool: Record<Category, string[]>;

  constructor(
    readonly id: number,
    readonly persona: Persona,
    private readonly cal: Calibration,
    readonly start: Date,
    seed: number,
    /** Multiplies every response to coaching (robustness checks of a policy: × 0.5, × 1.5). */
    responseScale = 1,
  ) {
    this.random = seededRandom(seed);
    const p = PROFILES[persona];
    this.profile =
      responseScale === 1
        ? p
        : {
            ...p,
            response: {
              alert: p.response.alert * responseScale,
              budget: p.response.budget * responseScale,
              nudge: p.response.nudge * responseScale,
              reinforce: p.response.reinforce * responseScale,
            },
          };
    // Per-user variation around the persona (log-normal, ~±25%).
    const vary = () => Math.exp(0.25 * normal(this.random));
    const consumptionMonthly = consumptionPerMonth(cal);
    const monthlyIncome = consumptionMonthly * p.income * vary();
    this.weeklyIncome = (monthlyIncome * 12) / 52;
    this.monthlyRent = monthlyIncome * (0.22 + 0.1 * this.random());
    this.balance = Math.round(monthlyIncome * p.openingMonths * vary() * 100) / 100;
    this.discretionaryRate = p.discretionary * vary();
    this.savingsShare = p.savingsShare * vary();
    this.rentDay = 1 + Math.floor(this.random() * 27);
    this.homeCity = pick(
      cal.cities.map((c) => c.city),
      cal.cities.map((c) => c.weight),
      this.random,
    );
    this.merchantPool = Object.fromEntries(
      CATEGORIES.map((c) => [c, cal.merchants[c].slice(0, 3 + Math.floor(this.random() * 6))]),
    ) as Record<Category, string[]>;
  }

  /** Habits the coaching moves, for tests and reports. */
  get habits() {
    return { discretionaryRate: this.discretionaryRate, savingsShare: this.savingsShare };
  }

  /** Generates week `week` (0-based from `start`), updating the balance; returns its transactions in time order. */
  generateWeek(week: number): FeatureTransaction[] {
    const out: FeatureTransaction[] = [];
    const p = this.profile;
    for (let d = 0; d < 7; d++) {
      const day = new Date(this.start.getTime() + (week * 7 + d) * DAY_MS);
      const weekday = (day.getUTCDay() + 6) % 7;
      // Weekends get a third of a weekday's purchases (the bank file posts none on weekends).
      const dayWeight = weekday < 5 ? 1 : 0.35;
      const season = this.cal.monthFactor[day.getUTCMonth()];
      if (day.getUTCDate() === this.rentDay)
        out.push(this.tx(day, 9, 'bills', this.monthlyRent * (0.97 + 0.06 * this.random()), 'debit', 'Rent'));
      // Salary arrives every other Friday, half a month's worth.
      if (weekday === 4 && week % 2 === 0)
        out.push(this.tx(day, 7, 'income', this.weeklyIncome * 2 * (0.98 + 0.04 * this.random()), 'credit', 'Salary'));
      for (const category of CATEGORIES) {
        if (category === 'income' || category === 'savings') continue;
        const base = this.cal.debit[category];
        const scale = DISCRETIONARY.includes(category)
          ? this.discretionaryRate
          : ESSENTIAL.includes(category)
            ? p.essential
            : 1;
        // Bills are mostly the rent above; keep a few small utility bills.
        const rate = (category === 'bills' ? 0.05 : base.perDay) * scale * dayWeight * Math.min(season, 1.3);
        const n = poisson(rate, this.random);
        for (let i = 0; i < n; i++) {
          const amount = Math.exp(base.logMean + base.logStd * p.amountSpread * normal(this.random));
          const hour = this.hour();
          out.push(this.tx(day, hour, category, Math.min(amount, 2000), 'debit'));
          if (DISCRETIONARY.includes(category) && this.random() < p.impulseClustering) {
            const extra = Math.exp(base.logMean + base.logStd * normal(this.random));
            out.push(
              this.tx(
                day,
                Math.min(23, hour + 1 + Math.floor(this.random() * 3)),
                pickOne(DISCRETIONARY, this.random),
                Math.min(extra, 1000),
                'debit',
              ),
            );
          }
        }
      }
      // The weekly savings transfer, on Mondays, only from a positive balance.
      if (weekday === 0 && this.savingsShare > 0.005 && this.balance > 0) {
        out.push(
          this.tx(
            day,
            10,
            'savings',
            Math.min(this.balance, this.weeklyIncome * this.savingsShare),
            'debit',
            'Transfer to savings',
          ),
        );
      }
    }
    out.sort((a, b) => a.date.getTime() - b.date.getTime());
    for (const t of out) {
      this.balance = Math.round((this.balance + (t.type === 'credit' ? t.amount : -t.amount)) * 100) / 100;
      t.balanceAfter = this.balance;
    }
    return out;
  }

  /**
   * Applies a coaching action to next week's habits (0 continue, 1 spending alert,
   * 2 budget suggestion, 3 savings nudge, 4 positive reinforcement), then lets habits
   * drift back toward the persona's baseline.
   */
  applyAction(action: number, weeklySavingsRate: number): void {
    const r = this.profile.response;
    const noise = () => 0.7 + 0.6 * this.random();
    if (action === 1) {
      // Alerts work on people who are overspending; others shrug.
      if (weeklySavingsRate < 0.1) this.discretionaryRate *= 1 - 0.3 * r.alert * noise();
    } else if (action === 2) {
      this.discretionaryRate *= 1 - 0.15 * r.budget * noise();
      this.savingsShare += 0.03 * r.budget * noise();
    } else if (action === 3) {
      // A nudge only helps when there is something to save.
      if (weeklySavingsRate > -0.2) this.savingsShare += 0.06 * r.nudge * noise();
    } else if (action === 4) {
      // Praise makes good habits stick (slower drift back), and only if they exist.
      this.decay = weeklySavingsRate > 0.1 ? 0.15 * (1 - 0.7 * r.reinforce) : 0.15;
    }
    const base = this.profile;
    this.discretionaryRate += (base.discretionary - this.discretionaryRate) * this.decay;
    this.savingsShare += (base.savingsShare - this.savingsShare) * this.decay;
    this.savingsShare = Math.min(Math.max(this.savingsShare, 0), 0.6);
    this.discretionaryRate = Math.max(this.discretionaryRate, 0.1);
    if (action !== 4) this.decay = 0.15;
  }

  private hour(): number {
    const r = this.random();
    if (r < this.profile.eveningBias) return 18 + Math.floor(this.random() * 5);
    return 7 + Math.floor(this.random() * 11);
  }

  private tx(
    day: Date,
    hour: number,
    category: Category,
    amount: number,
    type: 'debit' | 'credit',
    description?: string,
  ): FeatureTransaction {
    const date = new Date(day.getTime() + hour * 3_600_000 + Math.floor(this.random() * 3_600_000));
    const merchant = description ?? pickOne(this.merchantPool[category], this.random);
    const away = this.random() < 0.05;
    return {
      amount: Math.max(0.01, Math.round(amount * 100) / 100),
      type,
      category,
      date,
      merchant,
      description: merchant,
      city: away
        ? pick(
            this.cal.cities.map((c) => c.city),
            this.cal.cities.map((c) => c.weight),
            this.random,
          )
        : this.homeCity,
    };
  }
}

/** Calibrated monthly spending in consumption categories (not savings transfers, not large one-offs). */
export function consumptionPerMonth(cal: Calibration): number {
  let total = 0;
  for (const c of CATEGORIES) {
    if (c === 'savings' || c === 'income') continue;
    const d = cal.debit[c];
    const rate = c === 'bills' ? 0.05 : d.perDay;
    total += rate * Math.exp(d.logMean + (d.logStd * d.logStd) / 2) * 30.44;
  }
  // Rent (bills) is added on top by each user; this is the day-to-day part.
  return total * 1.6;
}

function pickOne<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)];
}

function pick<T>(items: T[], weights: number[], random: Random): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i];
    if (r <= 0) return items[i];
  }
  return items[items.length - 1];
}
