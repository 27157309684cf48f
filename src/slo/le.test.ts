import { describe, expect, it } from 'vitest';
import { formatLe } from './le.js';

describe('formatLe', () => {
  it.each([
    { input: 0.25, expected: '0.25' },
    { input: 1, expected: '1' },
    { input: 2.5, expected: '2.5' },
    { input: 0.005, expected: '0.005' },
    { input: 0.0001, expected: '0.0001' },
    { input: 0.00001, expected: '1e-05' },
    { input: 100000, expected: '100000' },
    { input: 1000000, expected: '1e+06' },
    { input: 1234567, expected: '1.234567e+06' },
    { input: Infinity, expected: '+Inf' },
  ])('writes $input as le="$expected" like Go clients do', ({ input, expected }) => {
    expect(formatLe(input)).toBe(expected);
  });
});
