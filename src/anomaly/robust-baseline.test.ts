import { describe, expect, it } from 'vitest';
import { Ring } from './ring.js';
import { RobustBaseline } from './robust-baseline.js';

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Upper median and 1.4826 × MAD by sorting copies: the definition the baseline must match exactly. */
function reference(values: readonly number[]): { median: number; mad: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const h = sorted.length >> 1;
  const median = sorted[h]!;
  const distances = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  return { median, mad: distances[h]! };
}

const series: Record<string, (next: () => number, i: number) => number> = {
  noise: (next) => next() * 100 - 50,
  'a trend (the median leaves its last band every refresh)': (next, i) => i * 0.5 + next(),
  'a level shift': (next, i) => next() + (i > 1500 ? 1000 : 0),
  'ties (small counts)': (next) => Math.floor(next() * 5),
  'mostly one value (MAD 0)': (next) => (next() < 0.7 ? 3 : next() * 10),
  'a spread that collapses': (next, i) => (i < 1200 ? next() * 100 : 50 + next() * 1e-3),
};

describe('RobustBaseline', () => {
  it.each(Object.keys(series).map((input) => ({ input })))(
    'keeps the median and the MAD equal to sorting, refresh after refresh, on $input',
    ({ input }) => {
      const next = rng(7);
      const ring = new Ring(300);
      const baseline = new RobustBaseline(300);
      const held: number[] = [];
      for (let i = 0; i < 3000; i++) {
        const v = series[input]!(next, i);
        ring.push(v);
        held.push(v);
        if (held.length > 300) held.shift();
        if (i % 37 !== 0) continue;
        baseline.update(ring);
        const { median, mad } = reference(held);
        expect(baseline.median).toBe(median);
        if (mad > 0) expect(baseline.scale).toBe(Math.max(1.4826 * mad, 1e-6 * Math.max(1, Math.abs(median)) + 1e-12));
        else {
          const meanAbs = held.reduce((sum, x) => sum + Math.abs(x - median), 0) / held.length;
          expect(baseline.scale).toBeCloseTo(Math.max(1.2533 * meanAbs, 1e-6 * Math.max(1, Math.abs(median)) + 1e-12), 12);
        }
      }
    },
  );

  it('gives a restored baseline the same results as the one it was saved from', () => {
    const next = rng(3);
    const ring = new Ring(200);
    const a = new RobustBaseline(200);
    for (let i = 0; i < 1000; i++) {
      ring.push(next());
      if (i % 50 === 0) a.update(ring);
    }
    const b = RobustBaseline.restore(200, a.save());
    for (let i = 0; i < 1000; i++) {
      ring.push(next() + i * 0.01);
      if (i % 50 !== 0) continue;
      a.update(ring);
      b.update(ring);
      expect(b.save()).toEqual(a.save());
    }
  });
});
