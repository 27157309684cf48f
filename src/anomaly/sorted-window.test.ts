import { median, medianAbsoluteDeviation } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { SortedWindow } from './sorted-window.js';

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

describe('SortedWindow', () => {
  it.each([
    { input: { capacity: 1, kind: 'continuous' } },
    { input: { capacity: 7, kind: 'continuous' } },
    { input: { capacity: 50, kind: 'continuous' } },
    { input: { capacity: 64, kind: 'ties' } },
    { input: { capacity: 33, kind: 'ties' } },
  ])('keeps the median and MAD of the last values equal to simple-statistics ($input.capacity, $input.kind)', ({ input }) => {
    const next = rng(input.capacity);
    const w = new SortedWindow(input.capacity);
    const all: number[] = [];
    for (let i = 0; i < 500; i++) {
      const v = input.kind === 'ties' ? Math.floor(next() * 5) : next() * 100 - 50 + (i > 250 ? 1000 : 0);
      w.push(v);
      all.push(v);
      const last = all.slice(-input.capacity);
      expect(w.size).toBe(last.length);
      expect(w.median()).toBe(median(last));
      expect(w.mad()).toBeCloseTo(medianAbsoluteDeviation(last), 9);
    }
    expect(w.values()).toEqual(all.slice(-input.capacity));
  });

  it('restores from its values to the same statistics', () => {
    const w = new SortedWindow(10);
    for (let i = 0; i < 25; i++) w.push((i * 7) % 11);
    const copy = SortedWindow.from(10, w.values());
    expect(copy.values()).toEqual(w.values());
    expect(copy.median()).toBe(w.median());
    expect(copy.mad()).toBe(w.mad());
  });

  it('reports NaN statistics while empty, and the value about to leave once full', () => {
    const w = new SortedWindow(2);
    expect(w.median()).toBeNaN();
    expect(w.mad()).toBeNaN();
    w.push(1);
    expect(w.oldest()).toBeUndefined();
    w.push(2);
    expect(w.oldest()).toBe(1);
  });
});
