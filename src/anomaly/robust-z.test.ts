import { describe, expect, it } from 'vitest';
import { RobustZDetector } from './robust-z.js';
import { maxBetween, noise, scoresOf, withChange } from './test-series.js';

const N = 2000;
const AT = 1500;

describe('RobustZDetector', () => {
  it.each([
    { input: 'value' as const, change: 'spike', expected: (v: number) => v + 15 },
    { input: 'value' as const, change: 'dip', expected: (v: number) => v - 15 },
    { input: 'difference' as const, change: 'spike', expected: (v: number) => v + 15 },
    { input: 'difference' as const, change: 'dip', expected: (v: number) => v - 15 },
  ])('flags a 15-sigma $change on $input at the point itself', ({ input, expected }) => {
    const d = new RobustZDetector({ input });
    const scores = scoresOf((t, v) => d.observe(t, v), withChange(noise(N), AT, AT + 1, expected));
    expect(scores[AT]).toBeGreaterThanOrEqual(0.5);
    expect(maxBetween(scores, 100, AT)).toBeLessThan(0.5);
  });

  it.each([{ input: 'value' as const }, { input: 'difference' as const }])(
    'stays below 0.5 on Gaussian noise with no anomaly ($input)',
    ({ input }) => {
      for (const seed of [1, 2, 3]) {
        const d = new RobustZDetector({ input });
        expect(maxBetween(scoresOf((t, v) => d.observe(t, v), noise(N, seed)), 0, N)).toBeLessThan(0.5);
      }
    },
  );

  it('scores 0 during its warm-up, however odd the point', () => {
    const d = new RobustZDetector({ minPoints: 30 });
    const scores = scoresOf((t, v) => d.observe(t, v), withChange(noise(40), 20, 21, (v) => v + 1000));
    expect(maxBetween(scores, 0, 30)).toBe(0);
  });

  it('flags a level shift when it happens and learns the new level within a window', () => {
    const d = new RobustZDetector({ windowSize: 100 });
    const scores = scoresOf((t, v) => d.observe(t, v), withChange(noise(N), AT, N, (v) => v + 10));
    expect(scores[AT]).toBeGreaterThanOrEqual(0.5);
    expect(maxBetween(scores, AT + 100, N)).toBeLessThan(0.5);
  });
});
