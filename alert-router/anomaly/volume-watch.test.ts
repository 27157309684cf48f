import { describe, expect, it } from 'vitest';
import { VolumeWatch, poissonUpperTailLog } from './volume-watch.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 17, 0, 0);

/** Two hours of a steady trickle: about one alert every 4 minutes. */
function trained(): VolumeWatch {
  const watch = new VolumeWatch();
  for (let m = 0; m < 120; m++) if (m % 4 === 0) expect(watch.observe('checkout', 1, T0 + m * MIN)).toBeUndefined();
  return watch;
}

describe('VolumeWatch', () => {
  it('warns once when a service suddenly sends many times its usual alerts', () => {
    const watch = trained();
    const warnings = [];
    for (let i = 0; i < 40; i++) {
      const w = watch.observe('checkout', 1, T0 + 120 * MIN + i * 1000);
      if (w) warnings.push(w);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^checkout: 1\d alerts in a minute, usually 0\.\d+ a minute: an alert storm may be starting$/);
    // Still surging in the next minutes: no second warning within the quiet period.
    expect(watch.observe('checkout', 40, T0 + 122 * MIN)).toBeUndefined();
  });

  it('stays quiet on a steady high volume it has learnt', () => {
    const watch = new VolumeWatch();
    for (let m = 0; m < 600; m++) expect(watch.observe('batch', 30 + (m % 7), T0 + m * MIN)).toBeUndefined();
  });

  it('keeps its baseline across a restart through its saved state', () => {
    const watch = trained();
    const restored = new VolumeWatch(undefined, JSON.parse(JSON.stringify(watch.save())));
    const burst = (w: VolumeWatch) => w.observe('checkout', 15, T0 + 121 * MIN);
    expect(burst(restored)?.count).toBe(15);
    expect(burst(watch)?.count).toBe(15);
  });

  it('computes Poisson tails', () => {
    expect(Math.exp(poissonUpperTailLog(1, 1))).toBeCloseTo(1 - Math.exp(-1), 9);
    expect(Math.exp(poissonUpperTailLog(3, 2))).toBeCloseTo(1 - Math.exp(-2) * (1 + 2 + 2), 9);
    expect(poissonUpperTailLog(200, 0.5)).toBeLessThan(-500);
  });
});
