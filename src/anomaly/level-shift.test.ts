import { describe, expect, it } from 'vitest';
import { LevelShiftDetector } from './level-shift.js';
import { maxBetween, noise, scoresOf, withChange } from './test-series.js';

const N = 2000;
const AT = 1500;

describe('LevelShiftDetector', () => {
  it.each([
    { input: 'up', expected: (v: number) => v + 6 },
    { input: 'down', expected: (v: number) => v - 6 },
  ])('flags a 6-sigma shift $input within its recent window', ({ expected }) => {
    const d = new LevelShiftDetector();
    const scores = scoresOf((t, v) => d.observe(t, v), withChange(noise(N), AT, N, expected));
    expect(maxBetween(scores, AT, AT + 13)).toBeGreaterThanOrEqual(0.5);
    expect(maxBetween(scores, 0, AT)).toBeLessThan(0.5);
  });

  it('ignores a lone spike that a point-wise z-score would flag', () => {
    const d = new LevelShiftDetector();
    const scores = scoresOf((t, v) => d.observe(t, v), withChange(noise(N), AT, AT + 1, (v) => v + 50));
    expect(maxBetween(scores, AT, AT + 20)).toBeLessThan(0.5);
  });

  it('stays below 0.5 on Gaussian noise with no anomaly', () => {
    for (const seed of [1, 2, 3]) {
      const d = new LevelShiftDetector();
      expect(maxBetween(scoresOf((t, v) => d.observe(t, v), noise(N, seed)), 0, N)).toBeLessThan(0.5);
    }
  });
});
