import { describe, expect, it } from 'vitest';
import type { BurnTier } from '../slo/index.js';
import { budgetThresholds, burnRateThresholds, sliThresholds } from './thresholds.js';

const tier = (severity: BurnTier['severity'], factor: number): BurnTier => ({
  severity,
  factor,
  budgetPercent: 0,
  long: '1h',
  longMs: 3_600_000,
  short: '5m',
  shortMs: 300_000,
});

describe('burnRateThresholds', () => {
  const cases: { name: string; input: BurnTier[]; expected: { value: number | null; color: string }[] }[] = [
    {
      name: 'draws a line at each tier, red for pages and amber for tickets, lowest first',
      input: [tier('page', 14.4), tier('ticket', 1), tier('page', 6), tier('ticket', 3)],
      expected: [
        { value: null, color: 'green' },
        { value: 1, color: 'orange' },
        { value: 3, color: 'orange' },
        { value: 6, color: 'red' },
        { value: 14.4, color: 'red' },
      ],
    },
    {
      name: 'colours a factor shared by a page and a ticket tier as a page',
      input: [tier('page', 6), tier('ticket', 6)],
      expected: [
        { value: null, color: 'green' },
        { value: 6, color: 'red' },
      ],
    },
    {
      name: 'turns amber at 1× when the SLO has no alert tiers',
      input: [],
      expected: [
        { value: null, color: 'green' },
        { value: 1, color: 'orange' },
      ],
    },
  ];
  for (const { name, input, expected } of cases) {
    it(name, () => expect(burnRateThresholds(input).build().steps).toEqual(expected));
  }
});

describe('budget and SLI thresholds', () => {
  it('turns the budget red once spent and amber under a quarter left', () => {
    expect(budgetThresholds().build().steps.map((s) => [s.value, s.color])).toEqual([
      [null, 'red'],
      [0, 'orange'],
      [0.25, 'green'],
    ]);
  });

  it('turns the SLI green exactly at the objective, as a ratio without float noise', () => {
    expect(sliThresholds(99.95).build().steps[1]).toEqual({ value: 0.9995, color: 'green' });
  });
});
