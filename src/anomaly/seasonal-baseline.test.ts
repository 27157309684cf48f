import { describe, expect, it } from 'vitest';
import { RobustZDetector } from './robust-z.js';
import { SeasonalBaselineDetector } from './seasonal-baseline.js';
import { DAY_POINTS, maxBetween, noise, scoresOf, withChange } from './test-series.js';

const DAYS = 9;
const N = DAYS * DAY_POINTS;
/** 03:00 to 04:00 UTC of day 8, where the daily sine is near its peak (day starts at 00:00 UTC). */
const FROM = 8 * DAY_POINTS + 36;
const TO = FROM + 12;

/** A daily sine of amplitude 20 on N(0,1) noise; in the anomaly hour, the value of 12 hours later. */
function unusualHour() {
  const clean = noise(N, 7, 20);
  return { clean, odd: withChange(clean, FROM, TO, (_v, i) => clean.values[i + DAY_POINTS / 2]!) };
}

describe('SeasonalBaselineDetector', () => {
  it('flags a level that is normal for the day but not for this hour', () => {
    const d = new SeasonalBaselineDetector();
    const scores = scoresOf((t, v) => d.observe(t, v), unusualHour().odd);
    expect(maxBetween(scores, FROM, TO)).toBeGreaterThanOrEqual(0.5);
  });

  it('stays below 0.5 on the same daily pattern with no anomaly', () => {
    const d = new SeasonalBaselineDetector();
    expect(maxBetween(scoresOf((t, v) => d.observe(t, v), unusualHour().clean), 0, N)).toBeLessThan(0.5);
  });

  it('catches what a sliding-window z-score over a day cannot', () => {
    const d = new RobustZDetector({ windowSize: DAY_POINTS });
    const scores = scoresOf((t, v) => d.observe(t, v), unusualHour().odd);
    expect(maxBetween(scores, FROM, TO)).toBeLessThan(0.5);
  });

  it('keeps its baseline through one bad day', () => {
    const { clean } = unusualHour();
    // Day 5 is broken (every value +30); days 6 to 8 must not be flagged against it.
    const bad = withChange(clean, 5 * DAY_POINTS, 6 * DAY_POINTS, (v) => v + 30);
    const d = new SeasonalBaselineDetector();
    const scores = scoresOf((t, v) => d.observe(t, v), bad);
    expect(maxBetween(scores, 5 * DAY_POINTS, 6 * DAY_POINTS)).toBeGreaterThanOrEqual(0.5);
    expect(maxBetween(scores, 6 * DAY_POINTS + 12, N)).toBeLessThan(0.5);
  });

  it('rejects a slot width that does not divide the period', () => {
    expect(() => new SeasonalBaselineDetector({ period: 86_400_000, slotWidth: 7_000_000 })).toThrow(/must divide period/);
  });
});
