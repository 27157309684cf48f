import { describe, expect, it } from 'vitest';
import { ANOMALY_POLICY_DEFAULTS, decideOnAnomaly } from './anomaly-policy.js';
import { BURN_ANOMALY_DEFAULTS, scoreBurn } from './burn-anomaly.js';
import type { RangePoint } from './prometheus-range-client.js';

const DAY = 86_400_000;
// Tuesday 2026-11-17 14:00 UTC.
const NOW = Date.UTC(2026, 10, 17, 14, 0);

/** A week of 5-minute error ratios: 0.1% by day, 1% during a nightly batch (02:00–03:00), and `now` on top. */
function week(nowValue: (t: number) => number | undefined = () => undefined): RangePoint[] {
  const points: RangePoint[] = [];
  for (let t = NOW - 7 * DAY - 3600_000; t <= NOW; t += 300_000) {
    const hour = new Date(t).getUTCHours();
    const usual = hour === 2 ? 0.01 : 0.001 * (1 + 0.1 * Math.sin(t / 3.7e6));
    points.push({ t, v: nowValue(t) ?? usual });
  }
  return points;
}

describe('scoreBurn', () => {
  it('scores a burn far above the usual for the time of day and says so in a sentence', () => {
    const points = week((t) => (t > NOW - 20 * 60_000 ? 0.024 : undefined));
    const anomaly = scoreBurn(points, NOW)!;
    expect(anomaly.z).toBeGreaterThan(10);
    expect(anomaly.score).toBeGreaterThan(0.8);
    expect(anomaly.sentence).toMatch(/^error ratio \d+σ above its usual for Tuesday 14:00 UTC \(2\.40% vs 0\.(099|10)%\)$/);
  });

  it('finds the nightly batch window usual at its own hour', () => {
    const night = Date.UTC(2026, 10, 17, 2, 30);
    const points = week().filter((p) => p.t <= night);
    const anomaly = scoreBurn(points, night)!;
    expect(Math.abs(anomaly.z)).toBeLessThan(3);
    expect(anomaly.sentence).toContain('within its usual range for Tuesday 02:30 UTC');
  });

  it('is not fooled by one bad day in the history', () => {
    const points = week((t) => (t < NOW - 2 * DAY + 3600_000 && t > NOW - 2 * DAY - 3600_000 ? 0.05 : undefined));
    const anomaly = scoreBurn(points, NOW)!;
    expect(Math.abs(anomaly.z)).toBeLessThan(3);
  });

  it('compares with the same wall-clock time in its time zone across a daylight-saving change, and names the zone', () => {
    // Berlin left summer time on Sunday 2026-10-25; every day at 14:00–15:00 local a batch burns 1%.
    const timeZone = 'Europe/Berlin';
    const localHour = (t: number) => Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(t));
    const now = Date.UTC(2026, 9, 27, 13, 20); // Tuesday 14:20 CET
    const points: RangePoint[] = [];
    for (let t = now - 7 * DAY - 3600_000; t <= now; t += 300_000) points.push({ t, v: localHour(t) === 14 ? 0.01 : 0.001 });
    const anomaly = scoreBurn(points, now, { ...BURN_ANOMALY_DEFAULTS, timeZone })!;
    expect(anomaly.days).toBe(7);
    expect(anomaly.usual).toBeGreaterThan(0.008);
    expect(anomaly.sentence).toMatch(/^error ratio within its usual range for Tuesday 14:20 CET \(1\.00% vs 0\.8\d%\)$/);
  });

  const flat = (v: number) => week().map((p) => ({ t: p.t, v }));
  it.each([
    { name: 'NaN and infinite samples (0/0 and x/0 ratios) in the history and now', input: week().map((p, i) => ({ t: p.t, v: i % 5 === 0 ? NaN : i % 7 === 0 ? Infinity : p.v })), expected: /^error ratio (within its usual range|\d+(\.\d)?σ (above|below) its usual) for Tuesday 14:00 UTC \(\d/ },
    { name: 'a week without a single error, and none now', input: flat(0), expected: /^error ratio within its usual range for Tuesday 14:00 UTC \(0\.0% vs 0\.0%\)$/ },
    { name: 'a week without errors, then a page-level burn', input: flat(0).map((p) => (p.t > NOW - 20 * 60_000 ? { t: p.t, v: 0.02 } : p)), expected: /^error ratio \d+σ above its usual for Tuesday 14:00 UTC \(2\.00% vs 0\.0%\)$/ },
    { name: 'a perfectly flat ratio that rises a little', input: flat(0.001).map((p) => (p.t > NOW - 20 * 60_000 ? { t: p.t, v: 0.0012 } : p)), expected: /^error ratio within its usual range for Tuesday 14:00 UTC/ },
  ])('gives a finite score in [0, 1] and a readable sentence for $name', ({ input, expected }) => {
    const anomaly = scoreBurn(input, NOW)!;
    expect(Number.isFinite(anomaly.z)).toBe(true);
    expect(anomaly.score).toBeGreaterThanOrEqual(0);
    expect(anomaly.score).toBeLessThanOrEqual(1);
    expect(anomaly.sentence).toMatch(expected);
    expect(anomaly.sentence).not.toMatch(/NaN|Infinity/);
  });

  it('gives no score without enough days of history', () => {
    const points = week().filter((p) => p.t > NOW - 2 * DAY);
    expect(scoreBurn(points, NOW)).toBeUndefined();
  });
});

describe('decideOnAnomaly', () => {
  it('escalates an unusual ticket and marks a usual page as recurring', () => {
    const unusual = scoreBurn(week((t) => (t > NOW - 20 * 60_000 ? 0.024 : undefined)), NOW);
    const usual = scoreBurn(week(), NOW);
    expect(decideOnAnomaly('ticket', unusual, ANOMALY_POLICY_DEFAULTS).action).toBe('escalate');
    expect(decideOnAnomaly('page', usual, ANOMALY_POLICY_DEFAULTS).action).toBe('mark-recurring');
    expect(decideOnAnomaly('ticket', usual, ANOMALY_POLICY_DEFAULTS).action).toBe('none');
    expect(decideOnAnomaly('page', undefined, ANOMALY_POLICY_DEFAULTS)).toEqual({ action: 'none', reason: 'not enough history to score the burn' });
  });
});
