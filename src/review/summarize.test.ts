import { describe, expect, it } from 'vitest';
import type { Bucket } from './review-model.js';
import { DAY_MS, HOUR_MS } from './review-period.js';
import { dailyStats, dataGaps, statusOf, summarizePeriod, worstDays } from './summarize.js';

const period = { startMs: 0, endMs: 2 * DAY_MS };

/** 48 hourly buckets; `hours[h]` overrides one hour's (errors, total). */
function hours(overrides: Record<number, [number, number] | undefined> = {}, base: [number, number] = [1, 1000]): Bucket[] {
  const out: Bucket[] = [];
  for (let h = 0; h < 48; h++) {
    if (h in overrides && overrides[h] === undefined) continue;
    const [errors, total] = overrides[h] ?? base;
    out.push({ startMs: h * HOUR_MS, errors, total });
  }
  return out;
}

describe('summarizePeriod', () => {
  it('weighs every event the same: a busy bad hour counts more than a quiet bad hour', () => {
    const s = summarizePeriod(hours({ 3: [0, 10], 4: [10, 10], 5: [500, 100_000] }, [0, 1000]), period, 0.001);
    const errors = 10 + 500;
    const total = 45 * 1000 + 10 + 10 + 100_000;
    expect(s.attainment).toBeCloseTo(1 - errors / total, 12);
    expect(s.budgetSpent).toBeCloseTo(errors / total / 0.001, 12);
    expect(s.status).toBe('missed');
  });

  it('reads no traffic as no outage, and no samples as no data', () => {
    expect(summarizePeriod(hours({}, [0, 0]), period, 0.001)).toMatchObject({ attainment: 1, budgetSpent: 0, status: 'met' });
    expect(summarizePeriod([], period, 0.001)).toMatchObject({ attainment: undefined, status: 'no data', hoursWithData: 0, hours: 48 });
  });

  it.each([
    { input: 0.5, expected: 'met' },
    { input: 0.75, expected: 'met' },
    { input: 0.76, expected: 'at risk' },
    { input: 1, expected: 'at risk' },
    { input: 1.01, expected: 'missed' },
    { input: undefined, expected: 'no data' },
  ])('calls $input of the budget spent "$expected"', ({ input, expected }) => {
    expect(statusOf(input)).toBe(expected);
  });
});

describe('daily stats', () => {
  it('burns the budget down day by day and finds the worst day', () => {
    const days = dailyStats(hours({ 30: [40, 1000] }), period, 0.001);
    expect(days.map((d) => d.date)).toEqual(['1970-01-01', '1970-01-02']);
    const budget = 0.001 * 48_000;
    expect(days[0]!.budgetSpent).toBeCloseTo(24 / budget, 12);
    expect(days[1]!.budgetLeftAfter).toBeCloseTo(1 - (24 + 63) / budget, 12);
    expect(worstDays(days)[0]!.date).toBe('1970-01-02');
  });

  it('finds the hours without data as gaps', () => {
    expect(dataGaps(hours({ 5: undefined, 6: undefined, 40: undefined }), period)).toEqual([
      { startMs: 5 * HOUR_MS, endMs: 7 * HOUR_MS },
      { startMs: 40 * HOUR_MS, endMs: 41 * HOUR_MS },
    ]);
  });

  it('counts hours without data before Prometheus\'s retention as gone, not as gaps, and keeps the hours it still has before it', () => {
    // Retention holds from hour 20; hours 0-9 are gone, 10-19 survive in an older block, 30 is a real gap.
    const held = 20 * HOUR_MS;
    const data = hours(Object.fromEntries([...Array.from({ length: 10 }, (_, h) => [h, undefined]), [30, undefined]]));
    expect(dataGaps(data, period, held)).toEqual([{ startMs: 30 * HOUR_MS, endMs: 31 * HOUR_MS }]);
    expect(summarizePeriod(data, period, 0.001, held)).toMatchObject({ hoursWithData: 37, hours: 48, hoursBeforeRetention: 10 });
    expect(summarizePeriod(data, period, 0.001)).toMatchObject({ hoursBeforeRetention: 0 });
    expect(summarizePeriod([], period, 0.001, 60 * HOUR_MS)).toMatchObject({ status: 'no data', hoursBeforeRetention: 48 });
  });

  it('calls a day without data before Prometheus\'s retention "before retention", and one the boundary falls inside a day with a gap', () => {
    const none = hours(Object.fromEntries(Array.from({ length: 48 }, (_, h) => [h, undefined])));
    expect(dailyStats(none, period, 0.001, 24 * HOUR_MS).map((d) => d.beforeRetention)).toEqual([true, false]);
    expect(dailyStats(none, period, 0.001, 30 * HOUR_MS).map((d) => d.beforeRetention)).toEqual([true, false]);
    expect(dailyStats(none, period, 0.001, 23 * HOUR_MS).map((d) => d.beforeRetention)).toEqual([false, false]);
    // An older block still holds the first day: it is data, wherever retention begins.
    expect(dailyStats(hours(), period, 0.001, 48 * HOUR_MS).map((d) => d.beforeRetention)).toEqual([false, false]);
    expect(dailyStats(none, period, 0.001).map((d) => d.beforeRetention)).toEqual([false, false]);
  });
});

