import { describe, expect, it } from 'vitest';
import type { DayStat } from './review-model.js';
import { burnDownChart, dailyErrorRatioChart } from './svg-charts.js';

const days: DayStat[] = [0.1, 0.7, 0.3].map((spent, i, all) => ({
  date: `2026-10-0${i + 1}`,
  startMs: i * 86_400_000,
  errors: spent * 100,
  total: 100_000,
  errorRatio: (spent * 100) / 100_000,
  budgetSpent: spent,
  budgetLeftAfter: 1 - all.slice(0, i + 1).reduce((a, b) => a + b, 0),
}));

describe('svg charts', () => {
  it('draws the burn-down from 100% through each day\'s budget left, below zero when overspent', () => {
    const svg = burnDownChart(days, 'x');
    const points = /class="actual" points="([^"]+)"/.exec(svg)![1]!.split(' ');
    expect(points).toHaveLength(4);
    expect(svg).toContain('>-50%<');
    expect(svg).toMatch(/class="ideal"/);
  });

  it('colours days above the objective red and draws the objective line', () => {
    const svg = dailyErrorRatioChart(days, 0.00025, 'x');
    expect(svg.match(/fill="#c0392b"><title>/g)).toHaveLength(2);
    expect(svg).toContain('class="objective"');
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it('keeps a handful of ticks when a full outage overspends the budget a thousandfold', () => {
    // Every request failing on a 99.9% SLO: 1,000 budgets a period, −99,900% left at the end.
    const outage: DayStat[] = [0, 1].map((i) => ({ ...days[0]!, date: `2026-10-0${i + 1}`, startMs: i * 86_400_000, budgetSpent: 500, budgetLeftAfter: 1 - 500 * (i + 1) }));
    const svg = burnDownChart(outage, 'x');
    const ticks = svg.match(/stroke="#e3e6ea"/g) ?? [];
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(12);
    expect(svg).toContain('>-80000%<');
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('is the same text for the same input', () => {
    expect(burnDownChart(days, 'x')).toBe(burnDownChart(days, 'x'));
  });
});
