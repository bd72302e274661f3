import { Injectable } from '@nestjs/common';

import type { Category } from '../../common/categories';
import type { RecurringResponse } from '../financial.schemas';

import { detectRecurring } from './recurring-payments';
import { RecurringRepository } from './recurring.repository';

/** GET /financial/recurring: the user's recurring payments and income, found in their own history. */
@Injectable()
export class RecurringService {
  constructor(private readonly repository: RecurringRepository) {}

  async list(userId: string, activeOnly: boolean): Promise<RecurringResponse> {
    const history = await this.repository.history(userId);
    const asOf = history.length ? history[history.length - 1].date : null;
    const series = detectRecurring(history).filter((s) => s.active || !activeOnly);
    return {
      as_of: asOf,
      recurring: series.map((s) => ({
        merchant: s.merchant,
        kind: s.kind,
        direction: s.direction,
        cadence: s.cadence,
        category: s.category as Category | null,
        expected_amount: s.expectedAmount.toFixed(2),
        next_expected_date: s.nextExpectedDate,
        last_date: s.lastDate,
        first_date: s.firstDate,
        occurrences: s.occurrences,
        active: s.active,
      })),
    };
  }
}
