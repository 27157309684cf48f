import { describe, expect, it } from 'vitest';
import { retentionFrom } from './retention.js';

const NOW = Date.UTC(2026, 11, 3, 12, 17);

describe('retentionFrom', () => {
  it.each([
    { input: '15d', expected: { heldFromMs: Date.UTC(2026, 10, 18, 13), time: '15d', size: undefined } },
    { input: '20d or 512MiB', expected: { heldFromMs: Date.UTC(2026, 10, 13, 13), time: '20d', size: '512MiB' } },
    { input: '1w2d', expected: { heldFromMs: Date.UTC(2026, 10, 24, 13), time: '1w2d', size: undefined } },
  ])('reads $input as held from the first whole hour after now − its time', ({ input, expected }) => {
    expect(retentionFrom(input, NOW)).toEqual(expected);
  });

  it.each([
    { input: '1GiB', expectedError: 'storageRetention "1GiB" has no retention time, only a size' },
    { input: 'forever', expectedError: 'storageRetention "forever" is neither a duration nor a size' },
  ])('refuses $input, naming it', ({ input, expectedError }) => {
    expect(() => retentionFrom(input, NOW)).toThrow(expectedError);
  });
});
