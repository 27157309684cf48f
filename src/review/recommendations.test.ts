import { describe, expect, it } from 'vitest';
import { recommend } from './recommendations.js';
import type { PeriodSummary, SloInfo } from './review-model.js';
import { statusOf } from './summarize.js';

const slo: SloInfo = {
  id: 'checkout-availability',
  service: 'checkout',
  name: 'availability',
  description: '',
  team: 'checkout',
  objective: 99.9,
  errorBudget: 0.001,
  window: '30d',
  sliKind: 'ratio',
  weighting: 'events',
  pagesDisabled: false,
};

function period(spent: number | undefined, hoursWithData = 720, hoursBeforeRetention = 0): PeriodSummary {
  return {
    period: { startMs: 0, endMs: 1 },
    errors: 0,
    total: 0,
    attainment: spent === undefined ? undefined : 1 - spent * 0.001,
    budgetSpent: spent,
    budgetLeft: spent === undefined ? undefined : 1 - spent,
    status: statusOf(spent),
    hoursWithData: spent === undefined ? 0 : hoursWithData,
    hours: 720,
    hoursBeforeRetention,
  };
}

const kinds = (spent: (number | undefined)[]) =>
  recommend({ slo, history: spent.map((s) => period(s)), gaps: [], alertQuality: undefined, rulesLoaded: true }).map((r) => r.kind);

describe('recommendations', () => {
  it.each([
    { input: [0.2, 0.3, 0.1], expected: ['tighten'] },
    { input: [0.2, 0.6, 0.1], expected: [] },
    { input: [0.2, 0.3, undefined], expected: [] },
    { input: [1.2, 0.3, 1.5], expected: ['improve-or-loosen'] },
    { input: [1.2, 0.3, 0.5], expected: [] },
  ])('for budget spent $input recommends $expected', ({ input, expected }) => {
    expect(kinds(input)).toEqual(expected);
  });

  it('counts a period with SLI data for under 90% of its hours (retention starting inside it) neither as met nor as missed', () => {
    const history = (last: PeriodSummary) => [period(0.2), period(0.3), last];
    const of = (h: PeriodSummary[]) => recommend({ slo, history: h, gaps: [], alertQuality: undefined, rulesLoaded: true }).map((r) => r.kind);
    expect(of(history(period(0.1, 48)))).toEqual([]);
    expect(of(history(period(0.1, 648)))).toEqual(['tighten']);
    expect(of([period(1.2), period(0.3), period(1.5, 48)])).toEqual([]);
  });

  it('says why an SLO with gaps in its data needs work, with the hours', () => {
    const [r] = recommend({
      slo,
      history: [period(0.2)],
      gaps: [{ startMs: 0, endMs: 2 * 3_600_000 }],
      alertQuality: undefined,
      rulesLoaded: true,
    });
    expect(r).toMatchObject({ kind: 'data-gaps' });
    expect(r!.reason).toBe('2 hour(s) without SLI data in 1 gap(s), the longest 2 h');
  });

  it('asks to fix the data for the gaps in the part Prometheus holds only, and says the hours before its retention are not counted', () => {
    const retentionOnly = (gaps: { startMs: number; endMs: number }[]) =>
      recommend({ slo, history: [period(0.2, 357, 360)], gaps, alertQuality: undefined, rulesLoaded: true });
    expect(retentionOnly([])).toEqual([]);
    const [r] = retentionOnly([{ startMs: 400 * 3_600_000, endMs: 403 * 3_600_000 }]);
    expect(r).toMatchObject({ kind: 'data-gaps' });
    expect(r!.reason).toBe("3 hour(s) without SLI data in 1 gap(s), the longest 3 h (not counting the 360 h before Prometheus's retention)");
  });
});
