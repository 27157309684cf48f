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
  beforeRetention: false,
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

  it('shades and labels the days before Prometheus\'s retention apart from a day without data, and burns down from the first held day', () => {
    // Two days gone with retention, then a day without data (a gap), then the three days above.
    const gone = (i: number): DayStat => ({ ...days[0]!, date: `2026-09-2${i + 7}`, startMs: (i - 3) * 86_400_000, errors: 0, total: 0, errorRatio: undefined, budgetSpent: 0, budgetLeftAfter: 1, beforeRetention: i < 2 });
    const truncated = [gone(0), gone(1), gone(2), ...days];
    const bars = dailyErrorRatioChart(truncated, 0.00025, 'x');
    expect(bars).toContain("<title>2026-09-27 to 2026-09-28: before Prometheus's retention, no longer held</title>");
    expect(bars).toContain('>before retention</text>');
    expect(bars.match(/class="no-data"/g)).toHaveLength(1);
    expect(bars).toContain('<title>2026-09-29: no data</title>');
    const burn = burnDownChart(truncated, 'x');
    expect(burn).toContain('>before retention</text>');
    // Day 2 of 6 begins a third of the way across the plot (x = 56 + 468 ÷ 3).
    const points = /class="actual" points="([^"]+)"/.exec(burn)![1]!.split(' ');
    expect(points[0]).toBe('212,16');
    expect(points).toHaveLength(5);
    expect(burn).toContain('class="ideal" x1="212" y1="16"');
    expect(burnDownChart(days, 'x')).not.toContain('before-retention');
  });

  it('is the same text for the same input', () => {
    expect(burnDownChart(days, 'x')).toBe(burnDownChart(days, 'x'));
  });
});
