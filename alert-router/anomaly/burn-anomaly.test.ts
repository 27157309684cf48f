import { describe, expect, it } from 'vitest';
import { ANOMALY_POLICY_DEFAULTS, decideOnAnomaly } from './anomaly-policy.js';
import { scoreBurn } from './burn-anomaly.js';
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
    expect(anomaly.sentence).toMatch(/^error ratio \d+σ above its usual for Tuesday 14:00 \(2\.40% vs 0\.(099|10)%\)$/);
  });

  it('finds the nightly batch window usual at its own hour', () => {
    const night = Date.UTC(2026, 10, 17, 2, 30);
    const points = week().filter((p) => p.t <= night);
    const anomaly = scoreBurn(points, night)!;
    expect(Math.abs(anomaly.z)).toBeLessThan(3);
    expect(anomaly.sentence).toContain('within its usual range for Tuesday 02:30');
  });

  it('is not fooled by one bad day in the history', () => {
    const points = week((t) => (t < NOW - 2 * DAY + 3600_000 && t > NOW - 2 * DAY - 3600_000 ? 0.05 : undefined));
    const anomaly = scoreBurn(points, NOW)!;
    expect(Math.abs(anomaly.z)).toBeLessThan(3);
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
