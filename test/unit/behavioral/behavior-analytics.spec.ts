import { buildAggregate, detectChanges, engagementScore, MIN_BASELINE_EVENTS } from '../../../src/behavioral/behavior-analytics';

describe('engagementScore', () => {
  it('is the mean weight over the top weight, 0..1', () => {
    expect(engagementScore({})).toBe(0);
    expect(engagementScore({ page_view: 10 })).toBe(0.2);
    expect(engagementScore({ purchase: 3 })).toBe(1);
    expect(engagementScore({ page_view: 2, recommendation_interaction: 1, goal_modification: 1, purchase: 1 })).toBe(0.56); // (2+3+4+5)/(5·5)
    expect(engagementScore({ search: 4 })).toBe(0.2); // other types weigh 1
  });
});

describe('buildAggregate', () => {
  it('builds the reference shape from grouped counts', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const agg = buildAggregate('u1', 30, [
      { event_type: 'page_view', interaction_type: 'view', n: 4 },
      { event_type: 'page_view', interaction_type: 'search', n: 1 },
      { event_type: 'purchase', interaction_type: 'unknown', n: 1 },
    ], now);
    expect(agg).toEqual({
      user_id: 'u1',
      period_days: 30,
      total_events: 6,
      event_counts: { page_view: 5, purchase: 1 },
      interaction_patterns: { page_view: { view: 4, search: 1 }, purchase: { unknown: 1 } },
      behavior_diversity: 2,
      engagement_score: 0.333,
      generated_at: '2026-11-24T12:00:00.000Z',
    });
  });
});

describe('detectChanges', () => {
  it('compares the last week with the weekly average of the 30 days before', () => {
    const { changes, baseline_sufficient } = detectChanges([
      { event_type: 'page_view', recent: 20, baseline: 30 }, // weekly 7 → 2.86
      { event_type: 'recommendation_interaction', recent: 1, baseline: 30 }, // 0.14
      { event_type: 'search', recent: 7, baseline: 30 }, // 1.0: no change
      { event_type: 'purchase', recent: 2, baseline: 0 }, // new
    ]);
    expect(baseline_sufficient).toBe(true);
    expect(changes).toEqual([
      { type: 'increased_activity', event_type: 'page_view', change_ratio: 2.86, recent_count: 20, weekly_average: 7, description: 'Significant increase in page_view activity' },
      { type: 'new_behavior_pattern', pattern: 'purchase', event_type: 'purchase', recent_count: 2, description: 'New behavior pattern: purchase' },
      { type: 'decreased_activity', event_type: 'recommendation_interaction', change_ratio: 0.14, recent_count: 1, weekly_average: 7, description: 'Significant decrease in recommendation_interaction activity' },
    ]);
  });

  it('reports a type that stopped as a decrease', () => {
    expect(detectChanges([{ event_type: 'page_view', recent: 0, baseline: 40 }]).changes).toMatchObject([{ type: 'decreased_activity', change_ratio: 0 }]);
  });

  it('reports nothing for a user without enough baseline (no false ×4 for new users)', () => {
    const recentOnly = detectChanges([{ event_type: 'page_view', recent: 50, baseline: 0 }, { event_type: 'purchase', recent: 5, baseline: MIN_BASELINE_EVENTS - 1 }]);
    expect(recentOnly).toEqual({ changes: [], baseline_events: MIN_BASELINE_EVENTS - 1, baseline_sufficient: false });
  });
});
