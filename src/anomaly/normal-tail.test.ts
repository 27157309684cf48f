import { describe, expect, it } from 'vitest';
import { errorFunction } from 'simple-statistics';
import { erfc, normalUpperTail } from './normal-tail.js';

describe('erfc', () => {
  it.each([
    // Reference values from published tables (Abramowitz & Stegun / high-precision evaluation).
    { input: 0, expected: 1 },
    { input: 0.5, expected: 0.4795001221869535 },
    { input: 1, expected: 0.15729920705028513 },
    { input: 2, expected: 0.004677734981047266 },
    { input: 3, expected: 2.209049699858544e-5 },
    { input: 5, expected: 1.5374597944280349e-12 },
    { input: 10, expected: 2.088487583762545e-45 },
    { input: -1, expected: 1.8427007929497148 },
  ])('matches erfc($input) to 1e-13 relative', ({ input, expected }) => {
    expect(Math.abs(erfc(input) - expected) / expected).toBeLessThan(1e-13);
  });

  it('agrees with simple-statistics errorFunction where that one is accurate', () => {
    for (let x = -3; x <= 3; x += 0.137) expect(erfc(x)).toBeCloseTo(1 - errorFunction(x), 6);
  });

  it('is continuous where it switches from the series to the continued fraction', () => {
    const below = erfc(3 - 1e-12);
    const above = erfc(3);
    expect(Math.abs(below - above) / above).toBeLessThan(1e-10);
  });
});

describe('normalUpperTail', () => {
  it('gives the textbook tail probabilities', () => {
    expect(normalUpperTail(0)).toBe(0.5);
    expect(normalUpperTail(1.959963984540054)).toBeCloseTo(0.025, 12);
    expect(normalUpperTail(7.1305) / 5.0e-13).toBeGreaterThan(0.9);
    expect(normalUpperTail(7.1305) / 5.0e-13).toBeLessThan(1.1);
  });
});
