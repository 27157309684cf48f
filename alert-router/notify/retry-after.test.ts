import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

const now = Date.parse('2026-11-03T10:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    { input: '1', expected: 1_000 },
    { input: ' 120 ', expected: 120_000 },
    { input: '0', expected: 0 },
    { input: 'Tue, 03 Nov 2026 10:00:30 GMT', expected: 30_000 },
    { input: 'Tue, 03 Nov 2026 09:59:00 GMT', expected: 0 },
    { input: undefined, expected: undefined },
    { input: null, expected: undefined },
    { input: 'soon', expected: undefined },
    { input: '1.5', expected: undefined },
    { input: '-3', expected: undefined },
  ])('reads Retry-After $input as $expected ms', ({ input, expected }) => {
    expect(parseRetryAfter(input, now)).toBe(expected);
  });
});
