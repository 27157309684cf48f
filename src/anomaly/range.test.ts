import { describe, expect, it } from 'vitest';
import { RangeDetector, type RangeState } from './range.js';
import { maxBetween, noise, scoresOf, withChange } from './test-series.js';

const N = 2000;
const AT = 1500;

describe('RangeDetector', () => {
  it.each([
    { input: 'a spike far above anything seen', change: (v: number) => v + 30, expected: 1 },
    { input: 'a dip far below anything seen', change: (v: number) => v - 30, expected: 1 },
    { input: 'a value inside the range seen', change: () => 100, expected: 0 },
  ])('scores $expected on $input', ({ change, expected }) => {
    const d = new RangeDetector();
    const scores = scoresOf((t, v) => d.observe(t, v), withChange(noise(N), AT, AT + 1, change));
    expect(scores[AT]).toBe(expected);
    expect(maxBetween(scores, 0, AT)).toBe(0);
  });

  it('stays at 0 during its warm-up and on a flat series', () => {
    const warm = new RangeDetector({ warmup: 200 });
    expect(maxBetween(scoresOf((t, v) => warm.observe(t, v), withChange(noise(400), 150, 151, (v) => v + 1000)), 0, 200)).toBe(0);
    const flat = new RangeDetector();
    expect(maxBetween(scoresOf((t, v) => flat.observe(t, v), withChange(noise(N), 0, N, () => 5)), 0, N)).toBe(0);
  });

  it('learns a new extreme: the second spike of the same height scores 0', () => {
    const d = new RangeDetector();
    const scores = scoresOf((t, v) => d.observe(t, v), withChange(noise(N), AT, N, (v, i) => (i === AT || i === AT + 100 ? v + 30 : v)));
    expect(scores[AT]).toBe(1);
    expect(scores[AT + 100]).toBe(0);
  });

  it('restores from JSON to identical subsequent scores', () => {
    const s = withChange(noise(N, 4), AT, AT + 1, (v) => v + 30);
    const original = new RangeDetector();
    for (let i = 0; i < AT - 10; i++) original.observe(s.timestamps[i]!, s.values[i]!);
    const json = JSON.stringify(original.save());
    expect(json).not.toMatch(/null|NaN|Infinity/);
    const restored = RangeDetector.restore(JSON.parse(json) as RangeState);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = AT - 10; i < N; i++) {
      a.push(original.observe(s.timestamps[i]!, s.values[i]!));
      b.push(restored.observe(s.timestamps[i]!, s.values[i]!));
    }
    expect(b).toEqual(a);
    expect(Math.max(...a)).toBe(1);
  });
});
