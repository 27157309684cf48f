import { describe, expect, it } from 'vitest';
import { VOLUME_WATCH_DEFAULTS, VolumeWatch, poissonUpperTailLog, restoreVolumeWatch } from './volume-watch.js';

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
    const restored = new VolumeWatch(undefined, JSON.parse(JSON.stringify(watch.save(T0 + 120 * MIN))));
    const burst = (w: VolumeWatch) => w.observe('checkout', 15, T0 + 121 * MIN);
    expect(burst(restored)?.count).toBe(15);
    expect(burst(watch)?.count).toBe(15);
  });

  it('warns once for a surge that goes on for hours, and again for a new surge after a quiet hour', () => {
    const watch = trained();
    const warnings: number[] = [];
    const minute = (m: number, alerts: number) => {
      for (let i = 0; i < alerts; i++) if (watch.observe('checkout', 1, T0 + m * MIN + i * 100)) warnings.push(m);
    };
    for (let m = 120; m < 300; m++) minute(m, 40);
    expect(warnings).toEqual([120]);
    for (let m = 300; m < 420; m++) if (m % 4 === 0) minute(m, 1);
    minute(420, 200);
    expect(warnings).toEqual([120, 420]);
  });

  it('does not learn the hours the router was down as hours without alerts', () => {
    const watch = new VolumeWatch();
    for (let m = 0; m < 120; m++) watch.observe('search', 6, T0 + m * MIN);
    const state = JSON.parse(JSON.stringify(watch.save(T0 + 120 * MIN)));
    const restored = new VolumeWatch(undefined, state);
    // A day later, an ordinary busy minute for this service.
    expect(restored.observe('search', 12, T0 + 24 * 60 * MIN)).toBeUndefined();
  });

  it.each([
    { name: 'not JSON of an object', input: null, expected: 'not an object (null)' },
    { name: 'from before states had a version', input: { kind: 'volume-watch', services: { checkout: { rate: 0.25, weight: 0.2, minute: 1, count: 0, firstMinute: 0 } } }, expected: 'version undefined is not 1' },
    { name: 'of another detector', input: { kind: 'ensemble', version: 1 }, expected: 'kind is "ensemble", not "volume-watch"' },
    { name: 'with a broken service row', input: { kind: 'volume-watch', version: 1, services: { checkout: { rate: 'x', weight: 0.2, minute: 1, count: 0, firstMinute: 0 } } }, expected: 'services["checkout"] is not a valid service volume' },
  ])('starts fresh and says why when the saved state is $name', ({ input, expected }) => {
    const { watch, problem } = restoreVolumeWatch(input);
    expect(problem).toBe(`cannot restore the alert volume watch: ${expected}; starting without alert volume baselines`);
    for (let m = 0; m < 600; m++) expect(watch.observe('checkout', 30, T0 + m * MIN)).toBeUndefined();
  });

  it('restores a valid state without a problem', () => {
    const { watch, problem } = restoreVolumeWatch(JSON.parse(JSON.stringify(trained().save(T0 + 120 * MIN))));
    expect(problem).toBeUndefined();
    expect(watch.observe('checkout', 15, T0 + 121 * MIN)?.count).toBe(15);
  });

  it('watches at most maxServices services, forgetting the one quiet the longest', () => {
    const watch = new VolumeWatch({ ...VOLUME_WATCH_DEFAULTS, maxServices: 100 });
    for (let m = 0; m < 120; m++) {
      if (m % 4 === 0) watch.observe('checkout', 1, T0 + m * MIN);
      for (let i = 0; i < 20; i++) watch.observe(`pod-${m}-${i}`, 1, T0 + m * MIN);
    }
    expect(watch.size).toBe(100);
    expect(watch.observe('checkout', 15, T0 + 121 * MIN)?.count).toBe(15);
  });

  it('computes Poisson tails', () => {
    expect(Math.exp(poissonUpperTailLog(1, 1))).toBeCloseTo(1 - Math.exp(-1), 9);
    expect(Math.exp(poissonUpperTailLog(3, 2))).toBeCloseTo(1 - Math.exp(-2) * (1 + 2 + 2), 9);
    expect(poissonUpperTailLog(200, 0.5)).toBeLessThan(-500);
  });
});
