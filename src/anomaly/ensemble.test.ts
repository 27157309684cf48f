import { describe, expect, it } from 'vitest';
import { EnsembleDetector, type EnsembleState } from './ensemble.js';
import { ALERT_THRESHOLDS, DETECTOR_KINDS, createDetector, restoreDetector, type DetectorState } from './registry.js';
import { DAY_POINTS, maxBetween, noise, scoresOf, withChange, type TestSeries } from './test-series.js';

const N = 9 * DAY_POINTS;
const AT = 8 * DAY_POINTS + 36;

const cases: { input: string; series: () => TestSeries; from: number; to: number }[] = [
  { input: 'a spike', series: () => withChange(noise(N), AT, AT + 1, (v) => v + 15), from: AT, to: AT + 1 },
  { input: 'a dip', series: () => withChange(noise(N), AT, AT + 1, (v) => v - 15), from: AT, to: AT + 1 },
  { input: 'a level shift', series: () => withChange(noise(N), AT, N, (v) => v + 6), from: AT, to: AT + 13 },
  {
    input: 'a daily level at an unusual hour',
    series: () => {
      const clean = noise(N, 7, 20);
      return withChange(clean, AT, AT + 12, (_v, i) => clean.values[i + DAY_POINTS / 2]!);
    },
    from: AT,
    to: AT + 12,
  },
];

describe('EnsembleDetector', () => {
  it.each(cases)('fires on $input', ({ series, from, to }) => {
    const d = new EnsembleDetector();
    const scores = scoresOf((t, v) => d.observe(t, v), series());
    expect(maxBetween(scores, from, to)).toBeGreaterThanOrEqual(ALERT_THRESHOLDS.ensemble);
    expect(maxBetween(scores, 0, from)).toBeLessThan(ALERT_THRESHOLDS.ensemble);
  });

  it.each([
    { input: 'noise', series: () => noise(N, 3) },
    { input: 'a clean daily pattern', series: () => noise(N, 7, 20) },
  ])('stays quiet on $input', ({ series }) => {
    const d = new EnsembleDetector();
    expect(maxBetween(scoresOf((t, v) => d.observe(t, v), series()), 0, N)).toBeLessThan(ALERT_THRESHOLDS.ensemble);
  });

  it('fires once per incident: the points after a firing are held at 0 for the cooldown', () => {
    const d = new EnsembleDetector({ cooldown: { fireLevel: 0.5, points: 50 } });
    const scores = scoresOf((t, v) => d.observe(t, v), withChange(noise(N), AT, AT + 30, (v) => v + 15));
    expect(scores[AT]).toBeGreaterThanOrEqual(0.5);
    expect(maxBetween(scores, AT + 1, AT + 51)).toBe(0);
  });
});

describe('saved state', () => {
  it.each(DETECTOR_KINDS.map((kind) => ({ input: kind })))(
    'restores $input from JSON to identical subsequent scores',
    ({ input }) => {
      const s = withChange(noise(N, 5, 20), AT, AT + 40, (v) => v + 12);
      const split = AT - 5;
      const original = createDetector(input);
      for (let i = 0; i < split; i++) original.observe(s.timestamps[i]!, s.values[i]!);
      const json = JSON.stringify(original.save());
      expect(json).not.toMatch(/null|NaN|Infinity/);
      const restored = restoreDetector(JSON.parse(json) as DetectorState);
      const a: number[] = [];
      const b: number[] = [];
      for (let i = split; i < N; i++) {
        a.push(original.observe(s.timestamps[i]!, s.values[i]!));
        b.push(restored.observe(s.timestamps[i]!, s.values[i]!));
      }
      expect(b).toEqual(a);
      expect(Math.max(...a)).toBeGreaterThan(0);
      expect(restored.save()).toEqual(original.save());
    },
  );

  it('restores the default ensemble in the middle of a cooldown to identical subsequent scores', () => {
    const s = withChange(noise(N, 5, 20), AT, N, (v, i) => (i === AT || i === AT + 150 ? v + 60 : v));
    const original = new EnsembleDetector();
    for (let i = 0; i < AT + 5; i++) original.observe(s.timestamps[i]!, s.values[i]!);
    const state = JSON.parse(JSON.stringify(original.save())) as EnsembleState;
    expect(state.cooldown.remaining).toBeGreaterThan(0);
    expect(state.members.map((m) => m.kind)).toEqual(['likelihood', 'range']);
    const restored = EnsembleDetector.restore(state);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = AT + 5; i < N; i++) {
      a.push(original.observe(s.timestamps[i]!, s.values[i]!));
      b.push(restored.observe(s.timestamps[i]!, s.values[i]!));
    }
    expect(b).toEqual(a);
    expect(Math.max(...a)).toBeGreaterThanOrEqual(0.5);
  });

  it('refuses a state of an unknown kind', () => {
    expect(() => restoreDetector({ kind: 'nope', version: 1 } as unknown as DetectorState)).toThrow(/unknown kind "nope"/);
  });
});
